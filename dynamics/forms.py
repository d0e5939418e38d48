import re

from django import forms
from django.core.exceptions import ValidationError

from applications.forms import CodesField
from core.forms import PtceForm
from dynamics.models import DynamicStage, ModerationStatus
from laureates.models import Theme
from territories.models import Commune, Epci

HTML_TAG = re.compile(r"<\s*[a-zA-Z/!?]")
PHONE = re.compile(r"^\+?[0-9 .()\-]{10,20}$")
MAX_LINKS = 2


def no_html(value: str) -> str:
    if HTML_TAG.search(value or ""):
        raise ValidationError("Les balises HTML ne sont pas acceptées : écrivez du texte simple.")
    return value


class DeclarationForm(PtceForm):
    """Public declaration of a local dynamic. ``site_internet`` is a honeypot: invisible to
    people (hidden by CSS and from assistive technologies), filled in by robots."""

    MAX_COMMUNES = 500

    name = forms.CharField(
        label="Nom de la dynamique",
        max_length=200,
        help_text="Par exemple « Coopérative des acteurs du Haut-Bocage ».",
    )
    description = forms.CharField(
        label="Description courte",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Qui coopère, autour de quels projets, avec quels objectifs (2 000 caractères "
        "au plus).",
    )
    themes = forms.MultipleChoiceField(
        label="Thématiques",
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Une ou plusieurs.",
    )
    stage = forms.ChoiceField(
        label="Stade d’avancement", choices=DynamicStage.choices, widget=forms.RadioSelect
    )
    communes = CodesField(required=False, label="Communes")
    epcis = CodesField(required=False, label="EPCI")
    contact_name = forms.CharField(label="Personne à contacter (prénom et nom)", max_length=150)
    contact_email = forms.EmailField(label="Adresse électronique du contact", max_length=254)
    contact_phone = forms.CharField(
        label="Téléphone du contact",
        required=False,
        max_length=20,
        help_text="Format attendu : 06 12 34 56 78 ou +33 6 12 34 56 78.",
    )
    consent_directory = forms.BooleanField(
        label="J’accepte que la dynamique (nom, territoire, thématiques, stade, description) "
        "figure dans l’annuaire public comme « dynamique territoriale ».",
        required=False,
    )
    consent_public_contact = forms.BooleanField(
        label="J’accepte que l’adresse électronique du contact soit affichée sur la fiche "
        "publique (le nom et le téléphone ne sont jamais publiés).",
        required=False,
    )
    consent_invitations = forms.BooleanField(
        label="J’accepte de recevoir les invitations du réseau des PTCE (rencontres, webinaires).",
        required=False,
    )
    consent_processing = forms.BooleanField(
        label="J’ai lu la page « Données personnelles » et j’accepte que ces informations soient "
        "traitées par la cellule nationale d’animation pour examiner la déclaration.",
        error_messages={"required": "Cochez cette case pour envoyer la déclaration."},
    )
    site_internet = forms.CharField(
        label="Ne pas remplir ce champ",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_name(self):
        return no_html(self.cleaned_data["name"])

    def clean_description(self):
        text = no_html(self.cleaned_data["description"])
        if len(re.findall(r"https?://", text)) > MAX_LINKS:
            raise ValidationError(f"Au plus {MAX_LINKS} liens dans la description.")
        return text

    def clean_contact_name(self):
        return no_html(self.cleaned_data["contact_name"])

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError("Numéro de téléphone invalide : 06 12 34 56 78, par exemple.")
        return phone

    def clean_communes(self):
        codes = self.cleaned_data["communes"]
        if len(codes) > self.MAX_COMMUNES:
            raise ValidationError(
                f"Au plus {self.MAX_COMMUNES} communes : choisissez plutôt un EPCI."
            )
        found = set(Commune.objects.current().filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                "Code(s) INSEE de commune inconnu(s) : " + ", ".join(unknown[:10]) + "."
            )
        return codes

    def clean_epcis(self):
        codes = self.cleaned_data["epcis"]
        found = set(
            Epci.objects.filter(code__in=codes, retired=False).values_list("code", flat=True)
        )
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError("EPCI inconnu(s) : " + ", ".join(unknown[:10]) + ".")
        return codes

    def clean(self):
        data = super().clean()
        if (
            "communes" not in self.errors
            and "epcis" not in self.errors
            and not data.get("communes")
            and not data.get("epcis")
        ):
            self.add_error(
                "communes",
                "Le territoire est vide : choisissez au moins une commune ou un EPCI.",
            )
        if data.get("consent_public_contact") and not data.get("consent_directory"):
            self.add_error(
                "consent_public_contact",
                "L’adresse ne peut être publiée que si la dynamique figure dans l’annuaire.",
            )
        return data

    def full_clean(self):
        super().full_clean()
        # The template lays the fields out one by one (no ``{{ form }}``): point to the
        # first error here, as PtceForm does when it renders the whole form.
        self._point_to_errors()

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("site_internet", "").strip())


class ModerationForm(PtceForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[
            (ModerationStatus.ACCEPTED, "Accepter"),
            (ModerationStatus.REFUSED, "Refuser"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Motif du refus",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un refus ; transmis au déclarant par courriel.",
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            choice for choice in self.fields["decision"].choices if choice[0] in allowed
        ]

    def clean(self):
        data = super().clean()
        if data.get("decision") == ModerationStatus.REFUSED and not data.get("reason", "").strip():
            self.add_error("reason", "Indiquez le motif du refus : il est transmis au déclarant.")
        return data


class ConversionForm(PtceForm):
    call = forms.ModelChoiceField(
        label="Appel sur lequel déposer le dossier",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
