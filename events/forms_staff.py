"""Forms of the staff screens that create and edit events (national cell, programme admins):
the administration's event form in the DSFR rendering, a commune typed by name or code instead
of a 35 000-line list, a new season typed inline, speakers and dial-in numbers as rows."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from core.forms import PtceForm
from events.forms import EventAdminForm
from events.models import DialInNumber, Event, Series, Speaker
from territories.services import search_communes
from territories.text import normalise

# Paths under /evenements/ that an event's slug must not take.
RESERVED_SLUGS = frozenset({"gestion", "inscription", "nouveau"})


class EventStaffForm(PtceForm, EventAdminForm):
    commune_text = forms.CharField(
        label="Commune du lieu",
        required=False,
        max_length=120,
        help_text="Nom, code postal ou code INSEE (ex. « Lyon », « 69001 », « 69123 »).",
    )
    new_series_title = forms.CharField(
        label="Ou nouvelle saison",
        required=False,
        max_length=255,
        help_text="Créée à l’enregistrement si la liste ci-dessus est vide "
        "(ex. « PTCE Saison 4 »).",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = [
        "title",
        "slug",
        "kind",
        "series",
        "new_series_title",
        "episode_number",
        "episode_title",
        "starts_local",
        "ends_local",
        "ambiguous_time",
        "format",
    ]

    class Meta(EventAdminForm.Meta):
        fields = [name for name in EventAdminForm.Meta.fields if name != "commune"]
        labels = {"venue_name": "Nom du lieu"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = (
            "Partie finale de l’adresse de la page (lettres, chiffres, tirets). "
            "Laissez vide pour la déduire de l’intitulé."
        )
        self.fields["series"].queryset = Series.objects.order_by("title")
        self.fields["call"].queryset = self.fields["call"].queryset.order_by("-year", "title")
        if self.instance.pk:
            if self.instance.commune_id:
                commune = self.instance.commune
                self.fields["commune_text"].initial = f"{commune.name} ({commune.code})"
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("title", ""))[:120]
        if not slug:
            return slug
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"L’adresse « {slug} » est réservée : choisissez-en une autre.")
        taken = Event.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists()
        if taken:
            raise ValidationError(
                f"Un autre événement a déjà l’adresse « {slug} » : choisissez-en une autre."
            )
        return slug

    def clean_commune_text(self):
        text = self.cleaned_data.get("commune_text", "").strip()
        if not text:
            return None
        code = text.rsplit("(", 1)[-1].rstrip(")").strip() if text.endswith(")") else text
        matches = search_communes(code, limit=6) or search_communes(text, limit=6)
        exact = [m for m in matches if m.commune.code == code]
        exact = exact or [m for m in matches if normalise(m.commune.name) == normalise(text)]
        chosen = exact if len(exact) == 1 else matches
        if len(chosen) == 1:
            return chosen[0].commune
        if not chosen:
            raise ValidationError(f"Aucune commune ne correspond à « {text[:60]} ».")
        names = ", ".join(f"{m.commune.name} ({m.commune.code})" for m in chosen[:5])
        raise ValidationError(
            f"Plusieurs communes correspondent : {names}. "
            "Précisez le code INSEE indiqué entre parenthèses."
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            posted = cleaned.get("version") or ""
            if posted != self.instance.updated_at.isoformat():
                raise ValidationError(
                    "Quelqu’un d’autre a modifié cet événement pendant que vous le modifiiez : "
                    "rechargez la page pour partir de sa version (vos changements ne sont pas "
                    "enregistrés)."
                )
        # Before the model's own validation (an event on site needs a commune).
        self.instance.commune = cleaned.get("commune_text")
        if cleaned.get("series") is None and cleaned.get("new_series_title"):
            cleaned["series_to_create"] = cleaned["new_series_title"].strip()
        return cleaned


class SpeakerForm(PtceForm, forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "title", "organisation", "place", "order"]


class DialInNumberForm(PtceForm, forms.ModelForm):
    class Meta:
        model = DialInNumber
        fields = ["number", "label", "order"]


SpeakerFormSet = forms.inlineformset_factory(
    Event, Speaker, form=SpeakerForm, extra=2, can_delete=True, max_num=30, validate_max=True
)
DialInNumberFormSet = forms.inlineformset_factory(
    Event,
    DialInNumber,
    form=DialInNumberForm,
    extra=1,
    can_delete=True,
    max_num=10,
    validate_max=True,
)
