"""Forms of the seven steps. Drafts may be saved incomplete: fields are checked when filled
(SIRET checksum, amounts, codes) and completeness is reported per step, not enforced here."""

import copy
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from applications.amounts import AmountError, AmountField, parse_amount
from applications.choices import (
    BudgetKind,
    Maturity,
    MemberCategory,
    MemberKind,
    PhaseRequest,
    Theme,
)
from applications.models import Application, Member
from calls.choices import AttachmentKind
from core.forms import PtceForm
from registry.validators import clean_number, validate_siret
from territories.models import Commune, Epci
from territories.text import normalise

YES_NO = [("oui", "Oui"), ("non", "Non")]


class DraftForm(PtceForm):
    """Step forms: every field can be left empty in a draft (the summary page lists what is
    still missing before submission). The fields the submission needs (those of
    ``applications.services.step_problems``) are named in ``required_to_submit``: labelled
    « Obligatoire pour déposer le dossier. », not « (Optionnel) », and still savable empty."""


def _yes_no_initial(value):
    if value is None:
        return ""
    return "oui" if value else "non"


def _yes_no_clean(value):
    return {"oui": True, "non": False}.get(value)


def register_check(siret: str) -> tuple[bool, str, dict]:
    """Ask the company register (``registry.services.form_check_siret``) about a SIRET whose
    checksum is right: a closed establishment is refused; an unknown number is accepted (« à
    vérifier »). Before the register interface is installed, every number is accepted."""
    try:
        from registry.services import form_check_siret
    except ImportError:
        return True, "", {}
    return form_check_siret(siret)


def validate_siret_field(value: str) -> tuple[str, dict]:
    digits = clean_number(value)
    if not digits:
        return "", {}
    validate_siret(digits)
    accepted, message, data = register_check(digits)
    if not accepted:
        raise ValidationError(message, code="siret_register")
    return digits, data


class LeadForm(DraftForm, forms.ModelForm):
    required_to_submit = frozenset(
        {
            "lead_siret",
            "lead_name",
            "lead_legal_form",
            "lead_is_ess",
            "lead_category",
            "lead_address",
            "lead_postal_code",
            "lead_city",
            "representative_name",
            "contact_name",
            "contact_email",
        }
    )
    lead_siret = forms.CharField(
        label="Numéro SIRET de la structure porteuse",
        max_length=25,
        required=False,
        help_text="14 chiffres, espaces acceptés. La structure porteuse est une personne "
        "morale de droit privé ; une personne physique ne peut pas porter le dossier.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    lead_is_ess = forms.ChoiceField(
        label="La structure relève-t-elle de l’économie sociale et solidaire (ESS) ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Application
        fields = [
            "lead_siret",
            "lead_name",
            "lead_legal_form",
            "lead_legal_category",
            "lead_is_ess",
            "lead_category",
            "lead_address",
            "lead_postal_code",
            "lead_city",
            "representative_name",
            "representative_title",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        labels = {"lead_city": "Commune du siège"}
        help_texts = {
            "lead_legal_category": "Facultatif : code à 4 chiffres de l’avis de situation Insee.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.initial["lead_is_ess"] = _yes_no_initial(self.instance.lead_is_ess)

    def clean_lead_siret(self):
        digits, self.register_data = validate_siret_field(self.cleaned_data["lead_siret"])
        return digits

    def clean_lead_is_ess(self):
        return _yes_no_clean(self.cleaned_data["lead_is_ess"])

    def clean_lead_legal_category(self):
        value = self.cleaned_data["lead_legal_category"].strip()
        if value and not re.fullmatch(r"\d{4}", value):
            raise ValidationError("La catégorie juridique Insee comporte 4 chiffres.")
        if value.startswith("1"):
            raise ValidationError(
                "Une personne physique (entrepreneur individuel, catégorie 1xxx) ne peut pas "
                "être structure porteuse : choisissez une personne morale de droit privé."
            )
        return value

    def clean_lead_postal_code(self):
        value = self.cleaned_data["lead_postal_code"].strip().replace(" ", "")
        if value and not re.fullmatch(r"\d{5}|2[AB]\d{3}", value):
            raise ValidationError("Un code postal comporte 5 chiffres.")
        return value

    def _fill_from_register(self, data):
        """Blank fields take the register's values (the candidate can still change them)."""
        record = getattr(self, "register_data", None) or {}
        if record.get("status") != "found":
            return
        for field, key in (
            ("lead_name", "name"),
            ("lead_legal_category", "legal_category_code"),
            ("lead_address", "address"),
            ("lead_postal_code", "postal_code"),
            ("lead_city", "city"),
        ):
            if not data.get(field) and record.get(key):
                data[field] = record[key]
        if data.get("lead_is_ess") is None and record.get("is_ess") is not None:
            data["lead_is_ess"] = record["is_ess"]

    def clean(self):
        data = super().clean()
        self._fill_from_register(data)
        postal_code = data.get("lead_postal_code")
        city = data.get("lead_city", "").strip()
        self.instance.lead_commune = None
        if postal_code:
            # The typed name narrows through an index; the postal code alone needs a scan.
            candidates = []
            if city:
                candidates = [
                    c
                    for c in Commune.objects.current().filter(search_name=normalise(city))
                    if postal_code in (c.postal_codes or [])
                ]
            if not candidates:
                candidates = [
                    c
                    for c in Commune.objects.current().filter(
                        postal_codes_text__contains=postal_code
                    )
                    if postal_code in (c.postal_codes or [])
                ]
            if not candidates:
                self.add_error("lead_postal_code", "Ce code postal est inconnu.")
            elif len(candidates) == 1 and not city:
                self.instance.lead_commune = candidates[0]
                data["lead_city"] = candidates[0].name
            else:
                wanted = normalise(city)
                match = [c for c in candidates if c.search_name == wanted]
                if len(match) == 1 or len(candidates) == 1:
                    self.instance.lead_commune = (match or candidates)[0]
                    data["lead_city"] = self.instance.lead_commune.name
                else:
                    names = ", ".join(sorted(c.name for c in candidates)[:8])
                    self.add_error(
                        "lead_city",
                        f"Précisez la commune correspondant à ce code postal : {names}.",
                    )
        return data


class MemberForm(DraftForm, forms.ModelForm):
    siret = forms.CharField(
        label="SIRET",
        max_length=25,
        required=False,
        help_text="Obligatoire pour une organisation (14 chiffres) ; laisser vide pour une "
        "personne physique.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    commitment_letter_file = forms.FileField(
        label="Lettre d’engagement",
        required=False,
        help_text="Facultatif ici (peut être jointe plus tard) : PDF, ODT, DOCX ou image, "
        "10 Mo au plus.",
    )

    class Meta:
        model = Member
        fields = ["kind", "siret", "name", "category", "group_mostly_non_ess", "role"]
        widgets = {
            "kind": forms.RadioSelect,
            "role": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "group_mostly_non_ess": "Par exemple une filiale d’un groupe dont l’essentiel des "
            "activités est hors ESS : elle compte comme entreprise hors ESS.",
        }

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["role"].required = False
        self.fields["kind"].choices = MemberKind.choices
        self.fields["category"].choices = [("", "Choisir une catégorie"), *MemberCategory.choices]

    def clean_siret(self):
        return clean_number(self.cleaned_data.get("siret", ""))

    def clean(self):
        from applications.services import member_duplicate

        data = super().clean()
        kind = data.get("kind")
        siret = data.get("siret", "")
        name = data.get("name", "")
        if kind == MemberKind.ORGANISATION:
            if not siret:
                self.add_error("siret", "Indiquez le SIRET de cette organisation.")
            else:
                try:
                    validate_siret_field(siret)
                except ValidationError as error:
                    self.add_error("siret", error)
        elif kind == MemberKind.NATURAL_PERSON:
            data["siret"] = ""
            self.instance.siret = ""
            siret = ""
            data["group_mostly_non_ess"] = False
        if kind and name and not self.errors.get("siret"):
            if siret and siret == self.application.lead_siret:
                self.add_error(
                    "siret",
                    "C’est le SIRET de la structure porteuse : elle fait déjà partie du pôle.",
                )
            elif member_duplicate(
                self.application,
                siret=siret,
                name=name,
                kind=kind,
                exclude_pk=self.instance.pk,
            ):
                field = "siret" if siret else "name"
                self.add_error(field, "Ce membre figure déjà dans le dossier (membre en double).")
        return data


class CodesField(forms.Field):
    """A list of codes sent by checkboxes (``getlist``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        # NUL characters never belong to a code and PostgreSQL refuses them in queries.
        codes = (str(v).replace("\x00", "").strip() for v in value)
        return list(dict.fromkeys(code for code in codes if code))


class TerritoryForm(DraftForm):
    MAX_COMMUNES = 3000
    communes = CodesField(required=False, label="Communes")
    epcis = CodesField(required=False, label="EPCI")

    def clean_communes(self):
        codes = self.cleaned_data["communes"]
        if len(codes) > self.MAX_COMMUNES:
            raise ValidationError(f"Au plus {self.MAX_COMMUNES} communes.")
        found = dict(Commune.objects.current().filter(code__in=codes).values_list("code", "pk"))
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                "Code(s) INSEE de commune inconnu(s) : " + ", ".join(unknown[:10]) + "."
            )
        return [found[code] for code in codes]

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
        if not self.errors and not data.get("communes") and not data.get("epcis"):
            raise ValidationError(
                "Le territoire est vide : choisissez au moins une commune ou un EPCI."
            )
        return data


class FteField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        text = super().to_python(value)
        try:
            amount = parse_amount(text)
        except AmountError as error:
            raise ValidationError(
                "Indiquez un nombre d’équivalents temps plein, par exemple « 2,5 »."
            ) from error
        if amount is not None and amount > 100000:
            raise ValidationError("Nombre d’ETP invraisemblable.")
        return amount

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}".replace(".", ",")
        return value


class ProjectForm(DraftForm, forms.ModelForm):
    required_to_submit = frozenset(
        {
            "pole_name",
            "diagnosis",
            "strategy",
            "projects",
            "innovation",
            "governance",
            "maturity",
            "previous_state_support",
        }
    )
    LONG_TEXTS = [
        "diagnosis",
        "strategy",
        "projects",
        "innovation",
        "sustainable_development",
        "governance",
    ]
    MAX_TEXT = 20000
    jobs_existing_fte = FteField(label="Emplois existants (équivalents temps plein)")
    jobs_planned_fte = FteField(label="Emplois prévus (équivalents temps plein)")
    themes = forms.MultipleChoiceField(
        label="Thématiques", choices=Theme.choices, widget=forms.CheckboxSelectMultiple
    )
    previous_state_support = forms.ChoiceField(
        label="Le pôle a-t-il déjà été soutenu par l’État lors d’un appel précédent ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Application
        fields = [
            "pole_name",
            "diagnosis",
            "strategy",
            "projects",
            "innovation",
            "sustainable_development",
            "governance",
            "jobs_existing_fte",
            "jobs_planned_fte",
            "themes",
            "maturity",
            "previous_state_support",
            "previous_state_support_details",
        ]
        widgets = {
            "maturity": forms.RadioSelect,
            **{
                name: forms.Textarea(attrs={"rows": 6, "data-autosave": "1"})
                for name in (
                    "diagnosis",
                    "strategy",
                    "projects",
                    "innovation",
                    "sustainable_development",
                    "governance",
                    "previous_state_support_details",
                )
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["maturity"].choices = Maturity.choices
        self.initial["previous_state_support"] = _yes_no_initial(
            self.instance.previous_state_support
        )
        for name in [*self.LONG_TEXTS, "previous_state_support_details"]:
            self.fields[name].max_length = self.MAX_TEXT
            # Set after construction: the length is checked by an explicit validator.
            self.fields[name].validators.append(MaxLengthValidator(self.MAX_TEXT))
            self.fields[name].widget.attrs["maxlength"] = self.MAX_TEXT

    def clean_previous_state_support(self):
        return _yes_no_clean(self.cleaned_data["previous_state_support"])


AUTOSAVE_FIELDS = frozenset(
    [*ProjectForm.LONG_TEXTS, "previous_state_support_details", "pole_name"]
)


def autosave_values(application, posted) -> tuple[dict, dict]:
    """(values to store, errors) for the autosave fields present in ``posted``, cleaned by
    the step form itself (``ProjectForm``: the same lengths and validators, no second path).
    NUL characters never come from a keyboard and PostgreSQL refuses them: dropped."""
    names = sorted(name for name in AUTOSAVE_FIELDS if name in posted)
    data = {name: str(posted.get(name, "")).replace("\x00", "") for name in names}
    form = ProjectForm(data, instance=copy.copy(application))  # the file itself is untouched
    form.is_valid()
    errors = {name: list(form.errors[name]) for name in names if name in form.errors}
    values = {name: form.cleaned_data[name] for name in names if name not in errors}
    return values, errors


def budget_field_name(kind, category, year) -> str:
    return f"{'d' if kind == BudgetKind.EXPENSE else 'r'}_{category}_{year}"


class BudgetForm(DraftForm):
    def __init__(self, *args, rows, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.years = years
        for kind, category, label in rows:
            for year in years:
                self.fields[budget_field_name(kind, category, year)] = AmountField(
                    label=f"{label}, année {year}"
                )

    def cells(self) -> dict:
        return {
            (kind, category, year): self.cleaned_data.get(budget_field_name(kind, category, year))
            for kind, category, _label in self.rows
            for year in self.years
        }

    def grid(self):
        """Rows of bound fields for the template table, grouped by kind."""
        result = {BudgetKind.EXPENSE: [], BudgetKind.RESOURCE: []}
        for kind, category, label in self.rows:
            result[kind].append(
                {
                    "category": category,
                    "label": label,
                    "fields": [self[budget_field_name(kind, category, y)] for y in self.years],
                }
            )
        return result


class AttachmentForm(DraftForm):
    kind = forms.ChoiceField(label="Type de pièce", choices=AttachmentKind.choices)
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, ODT, DOCX, ODS, XLSX, PNG ou JPEG ; 10 Mo au plus par pièce, 50 Mo au "
        "plus pour l’ensemble du dossier.",
    )


class SubmitForm(PtceForm):
    certify = forms.BooleanField(
        label="Je certifie sur l’honneur l’exactitude des informations du dossier et être "
        "habilité(e) à engager la structure porteuse.",
    )


class StartForm(PtceForm):
    requested_phases = forms.ChoiceField(
        label="Que demandez-vous ?",
        widget=forms.RadioSelect,
        choices=PhaseRequest.choices,
        help_text="« Phases 1 et 2 déposées ensemble » : vous remplissez un seul dossier ; au "
        "dépôt, deux dossiers liés sont créés (un par phase, chacun avec sa référence), car "
        "chaque phase est instruite et décidée séparément.",
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if call.has_emergence_phase:
            choices.append((PhaseRequest.EMERGENCE.value, PhaseRequest.EMERGENCE.label))
        if call.has_funding_phase:
            choices.append((PhaseRequest.FUNDING.value, PhaseRequest.FUNDING.label))
        if call.has_emergence_phase and call.has_funding_phase:
            choices.append((PhaseRequest.BOTH.value, PhaseRequest.BOTH.label))
        self.fields["requested_phases"].choices = choices
        self.fields["requested_phases"].initial = choices[0][0] if choices else None


class InviteForm(PtceForm):
    email = forms.EmailField(label="Adresse électronique de la personne à inviter")


class DuplicateForm(PtceForm):
    call = forms.ModelChoiceField(label="Appel ouvert", queryset=None, empty_label=None)

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls


class WithdrawForm(PtceForm):
    reason = forms.CharField(
        label="Motif (facultatif)", required=False, max_length=2000, widget=forms.Textarea
    )
