from django import forms

from core.forms import PtceForm
from editorial import markup


class LetterTextForm(PtceForm):
    body = forms.CharField(
        label="Paragraphes",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown simple : un paragraphe par ligne vide, **gras**, *italique*, "
        "listes « - ». Champs : voir la liste ci-contre, écrits « {{ champ }} ».",
    )
    appeal = forms.CharField(
        label="Voies de recours",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Imprimées sur les lettres de refus.",
    )
    closing = forms.CharField(
        label="Formule de politesse", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signatory_name = forms.CharField(label="Nom du signataire", required=False)
    signatory_title = forms.CharField(label="Qualité du signataire", required=False)
    contact = forms.CharField(
        label="Coordonnées du programme",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Imprimées en pied de document.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class PageBlockForm(PtceForm):
    body = forms.CharField(
        label="Texte",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Markdown simple : « ## Titre », paragraphes séparés par une ligne vide, "
        "**gras**, listes « - », liens [texte](https://…). Le HTML est retiré. "
        "Champ disponible : {{ plateforme }}.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > markup.MAX_LENGTH:
            # Checked again by the service; stop here so a 1 MB text is not echoed back.
            raise forms.ValidationError(markup.problems(body, ())[0])
        return body
