"""Forms of the call builder (staff screens): the call itself, its rounds, required
attachments, payment schedule as rows, evaluation grid and criteria, FAQ and documents.
Date-times are typed in Paris time (settings.TIME_ZONE); no raw JSON anywhere."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from calls.builder import unique_slug
from calls.choices import SCHEDULE_TRIGGERS, PriorityTerritory
from calls.models import Call, CallDocument, CallFaq, Criterion, Grid, RequiredAttachment, Round
from core.forms import PtceForm

PARIS_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RESERVED_SLUGS = frozenset({"nouveau"})


class CallForm(PtceForm, forms.ModelForm):
    priority_territories = forms.MultipleChoiceField(
        label="Territoires prioritaires",
        choices=PriorityTerritory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Call
        fields = [
            "title",
            "slug",
            "instrument",
            "year",
            "summary",
            "description",
            "legal_basis",
            "has_emergence_phase",
            "has_funding_phase",
            "is_permanent",
            "opens_at",
            "closes_at",
            "envelope",
            "min_award",
            "max_award",
            "award_duration_months",
            "priority_territories",
            "allows_previous_support",
            "retention_years",
            "review_days",
        ]
        labels = {
            "opens_at": "Ouverture (heure de Paris)",
            "closes_at": "Clôture (heure de Paris)",
        }
        widgets = {"opens_at": PARIS_INPUT, "closes_at": PARIS_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields[
            "slug"
        ].help_text = "Fin de l’adresse de la page publique. Vide : déduite de l’intitulé."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug:
            return unique_slug(self.data.get("title", ""), exclude_pk=self.instance.pk)
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"L’adresse « {slug} » est réservée : choisissez-en une autre.")
        if Call.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Un autre appel a déjà l’adresse « {slug} ».")
        return slug

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") != self.instance.updated_at.isoformat():
            raise ValidationError(
                "Quelqu’un d’autre a modifié cet appel pendant que vous le modifiiez : "
                "rechargez la page pour partir de sa version (rien n’est enregistré)."
            )
        return cleaned


class RoundForm(PtceForm, forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "cut_off_at", "phase", "envelope"]
        widgets = {"cut_off_at": PARIS_INPUT}


class RequiredAttachmentForm(PtceForm, forms.ModelForm):
    class Meta:
        model = RequiredAttachment
        fields = ["kind", "label", "phase"]


class FaqForm(PtceForm, forms.ModelForm):
    class Meta:
        model = CallFaq
        fields = ["question", "answer", "order"]


class DocumentForm(PtceForm, forms.ModelForm):
    url = forms.URLField(
        label="Lien vers le document publié", required=False, assume_scheme="https"
    )

    class Meta:
        model = CallDocument
        fields = ["title", "url", "order"]

    def clean_url(self):
        url = self.cleaned_data.get("url")
        if not url and not self.instance.file:
            raise ValidationError("Indiquez le lien du document.")
        return url


class GridForm(PtceForm, forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["scale_min", "scale_max", "disagreement_threshold"]


class LevelDescriptorsField(forms.CharField):
    """The descriptions of a criterion's notes typed one per line (lowest note first), kept
    as a list of texts; the count against the scale is checked by ``Criterion.clean``."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        return lines


class CriterionForm(PtceForm, forms.ModelForm):
    level_descriptors = LevelDescriptorsField(
        label="Description de chaque note",
        required=False,
        help_text="Une ligne par note de l’échelle, de la plus basse à la plus haute (par "
        "exemple 6 lignes pour une échelle de 0 à 5), 300 caractères au plus par ligne, texte "
        "simple. Vide : les notes sont proposées sans description.",
    )

    class Meta:
        model = Criterion
        fields = [
            "label",
            "guidance",
            "weight",
            "eliminatory_threshold",
            "level_descriptors",
            "order",
        ]
        labels = {"order": "Ordre"}


class ScheduleRowForm(PtceForm):
    label = forms.CharField(label="Libellé de la tranche", max_length=200)
    share = forms.DecimalField(
        label="Part (%)",
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
        error_messages={
            "min_value": "Une part est positive (0,01 %% au moins).",
            "max_value": "Une part ne dépasse pas 100 %%.",
        },
    )
    # An empty first choice: an untouched extra row stays empty (not « changed »).
    trigger = forms.ChoiceField(
        label="Versée", choices=[("", "Choisissez le moment du versement"), *SCHEDULE_TRIGGERS]
    )


class BaseScheduleFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = self.rows()
        total = sum((row["share"] for row in rows), Decimal(0))
        if rows and total != 100:
            raise ValidationError(
                f"Les parts totalisent {str(total).replace('.', ',')} % : elles doivent "
                "totaliser 100 %."
            )

    def rows(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


def _model_formset(model, form, *, extra=1, max_num=50, fk=None):
    return forms.inlineformset_factory(
        Call if fk is None else fk,
        model,
        form=form,
        extra=extra,
        can_delete=True,
        max_num=max_num,
        validate_max=True,
    )


RoundFormSet = _model_formset(Round, RoundForm)
RequiredAttachmentFormSet = _model_formset(RequiredAttachment, RequiredAttachmentForm)
FaqFormSet = _model_formset(FaqForm.Meta.model, FaqForm)
DocumentFormSet = _model_formset(CallDocument, DocumentForm)
CriterionFormSet = _model_formset(Criterion, CriterionForm, fk=Grid, max_num=20)
ScheduleFormSet = forms.formset_factory(
    ScheduleRowForm,
    formset=BaseScheduleFormSet,
    extra=1,
    can_delete=True,
    max_num=12,
    validate_max=True,
)
