from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.forms import PtceForm
from events import audiences
from events.models import Event
from events.timezones import FOLD_CHOICES, paris_to_utc, to_paris

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]


class ParisDateTimeField(forms.Field):
    """A wall-clock date and time in Europe/Paris, returned naive: the form decides how to
    read it (non-existent and ambiguous times are handled by ``paris_to_utc``)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "invalid": "Saisissez une date et une heure valides (par exemple 12/05/2021 10:00)."
    }

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return to_paris(value).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return to_paris(value).replace(tzinfo=None) if value.tzinfo else value
        value = str(value).strip()
        for fmt in LOCAL_INPUT_FORMATS:
            try:
                return datetime.strptime(value, fmt)  # noqa: DTZ007 - Paris wall-clock time
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _https_urls(db_field, **kwargs):
    """Model form fields, with web addresses typed without a scheme read as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class EventAdminForm(forms.ModelForm):
    """Event edition (administration): start and end are typed in Paris time."""

    starts_local = ParisDateTimeField(label="Début (heure de Paris)")
    ends_local = ParisDateTimeField(label="Fin (heure de Paris)")
    ambiguous_time = forms.ChoiceField(
        label="Heure ambiguë (nuit du passage à l’heure d’hiver)",
        choices=FOLD_CHOICES,
        required=False,
        help_text="À préciser seulement si le début ou la fin tombe entre 2 h et 3 h la nuit "
        "du dernier dimanche d’octobre, heure qui existe deux fois.",
    )

    class Meta:
        model = Event
        formfield_callback = _https_urls
        fields = [
            "series",
            "episode_number",
            "episode_title",
            "title",
            "slug",
            "kind",
            "description",
            "programme",
            "audience",
            "call",
            "format",
            "join_url",
            "meeting_number",
            "video_address",
            "video_ip_instructions",
            "access_code",
            "access_details_for_registered_only",
            "venue_name",
            "venue_address",
            "commune",
            "registration_open",
            "capacity",
            "organiser_name",
            "organiser_email",
            "replay_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["starts_local"].initial = self.instance.starts_at
            self.fields["ends_local"].initial = self.instance.ends_at

    def clean(self):
        cleaned = super().clean()
        fold = cleaned.get("ambiguous_time", "")
        for local_name, field_name in (("starts_local", "starts_at"), ("ends_local", "ends_at")):
            naive = cleaned.get(local_name)
            if naive is None:
                continue
            try:
                setattr(self.instance, field_name, paris_to_utc(naive, fold=fold))
            except ValidationError as error:
                self.add_error(local_name, error)
        return cleaned

    LOCAL_NAMES = {"starts_at": "starts_local", "ends_at": "ends_local"}

    def _update_errors(self, errors):
        # The model reports date errors on ``starts_at``/``ends_at``, which this form shows
        # as the Paris-time fields.
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    self.LOCAL_NAMES.get(name, name): value
                    for name, value in errors.error_dict.items()
                }
            )
        super()._update_errors(errors)


class RegistrationForm(PtceForm):
    name = forms.CharField(label="Nom et prénom", max_length=255)
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr. La confirmation et les modalités d’accès "
        "y seront envoyées.",
    )
    organisation = forms.CharField(label="Organisation", max_length=255, required=False)
    # Honeypot: an input people never see nor reach, that form-filling robots fill; a
    # filled form is answered as any other and registers nobody (events.views).
    site_web = forms.CharField(
        label="Ne remplissez pas ce champ",
        required=False,
        max_length=200,
        widget=forms.HiddenInput(attrs={"autocomplete": "off"}),
    )

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("site_web"))


class InvitationForm(PtceForm):
    """Staff choose an audience; the parameter field that applies is checked."""

    audience = forms.ChoiceField(label="Public invité", choices=())
    emails = forms.CharField(
        label="Adresses (liste collée)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Une ou plusieurs adresses séparées par des virgules, des points-virgules, "
        "des espaces ou des retours à la ligne. Pour le public « Liste d’adresses collées ».",
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=None,
        required=False,
        help_text="Pour le public « Comptes rattachés à une région ».",
    )
    call = forms.ModelChoiceField(
        label="Appel",
        queryset=None,
        required=False,
        help_text="Pour le public « Candidats d’un appel ».",
    )

    def __init__(self, *args, **kwargs):
        from calls.models import Call
        from territories.models import Region

        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = audiences.choices()
        self.fields["region"].queryset = Region.objects.order_by("name")
        self.fields["call"].queryset = Call.objects.order_by("-year", "title")
        self.invalid_addresses: list[str] = []

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("audience")
        if not key:
            return cleaned
        audience = audiences.get(key)
        if audience.parameter == audiences.PARAM_EMAILS:
            valid, invalid = audiences.parse_email_list(cleaned.get("emails", ""))
            self.invalid_addresses = invalid
            if not valid:
                self.add_error(
                    "emails",
                    "Aucune adresse valide dans la liste"
                    + (f" (adresses non valides : {', '.join(invalid)})." if invalid else "."),
                )
        elif audience.parameter == audiences.PARAM_REGION and not cleaned.get("region"):
            self.add_error("region", "Choisissez la région dont les comptes sont invités.")
        elif audience.parameter == audiences.PARAM_CALL and not cleaned.get("call"):
            self.add_error("call", "Choisissez l’appel dont les candidats sont invités.")
        return cleaned

    def audience_params(self) -> dict:
        return {
            "emails": self.cleaned_data.get("emails", ""),
            "region": self.cleaned_data.get("region"),
            "call": self.cleaned_data.get("call"),
        }

    def audience_label(self) -> str:
        audience = audiences.get(self.cleaned_data["audience"])
        region = self.cleaned_data.get("region")
        if audience.parameter == audiences.PARAM_REGION and region:
            return f"{audience.label} : {region.name}"
        call = self.cleaned_data.get("call")
        if audience.parameter == audiences.PARAM_CALL and call:
            return f"{audience.label} : {call.title}"
        return audience.label


class CancelEventForm(PtceForm):
    reason = forms.CharField(
        label="Message aux invités et inscrits",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
