from django import forms

from core.forms import PtceForm
from mailing import services
from mailing.rendering import TemplateError


class EmailTemplateForm(PtceForm):
    subject = forms.CharField(
        label="Objet",
        help_text="Une ligne ; les emplacements {{ … }} sont permis.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label="Texte",
        help_text=(
            "Texte simple avec une mise en forme légère (Markdown) : **gras**, listes « - », "
            "titres « ## ». Emplacements {{ … }} de la liste ci-contre ; conditions "
            "{% if … %} … {% else %} … {% endif %}."
        ),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
        strip=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, key: str, **kwargs):
        self.key = key
        super().__init__(*args, **kwargs)

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        try:
            services.validate_subject(self.key, subject)
        except TemplateError as error:
            raise forms.ValidationError(error.message) from error
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        try:
            services.validate_body(self.key, body)
        except TemplateError as error:
            raise forms.ValidationError(error.message) from error
        return body


class AuditFilterForm(forms.Form):
    """Filters of the audit log (GET); every field optional."""

    objet = forms.CharField(label="Objet", required=False, max_length=200)
    auteur = forms.CharField(label="Auteur (adresse)", required=False, max_length=200)
    action = forms.CharField(label="Action", required=False, max_length=100)
    du = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
