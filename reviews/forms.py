"""Forms of the review pages (staff side) and of the messaging (both sides)."""

from decimal import Decimal

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape

from applications.amounts import AmountField
from applications.choices import ApplicationStatus
from calls.choices import Phase
from calls.models import Call, Round
from core.forms import IdMultipleChoiceField, PtceForm
from reviews import allocation, columns
from reviews.choices import CommitteeDecision, Opinion
from reviews.models import CorrectionSection
from reviews.scoring import format_number
from territories.models import Department, Region

# Sorts on figures read them only where the reader may (``visible_*`` annotations of
# ``reviews.views.filtered_files``): a file awaiting the reader's evaluation sorts as unscored.
MEAN = F("visible_mean")
# Files without figures always come last, on SQLite as on PostgreSQL.
SORTS = columns.sorts()  # every column both ways; the historical keys keep their labels:
SORTS |= {
    "reference": ("Référence", ["reference"]),
    "-submitted_at": ("Dépôt le plus récent", ["-submitted_at", "reference"]),
    "submitted_at": ("Dépôt le plus ancien", ["submitted_at", "reference"]),
    "-mean": ("Note moyenne décroissante", [MEAN.desc(nulls_last=True), "reference"]),
    "mean": ("Note moyenne croissante", [MEAN.asc(nulls_last=True), "reference"]),
    "-std_dev": (
        "Écart-type décroissant",
        [F("visible_std_dev").desc(nulls_last=True), "reference"],
    ),
    "region": ("Région", ["region__name", "reference"]),
    "reviews": (
        "Moins d’évaluations d’abord",
        [F("review_summary__review_count").asc(nulls_first=True), "reference"],
    ),
}


class FileFilterForm(PtceForm):
    """Filters of the reviewer list (SPEC §5.6); every field optional."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        help_text="Référence, nom du pôle, porteur, SIRET ou SIREN, membre",
    )

    call = forms.ModelChoiceField(
        label="Appel", queryset=Call.objects.order_by("-year", "title"), required=False
    )
    round = forms.ModelChoiceField(
        label="Relève", queryset=Round.objects.select_related("call"), required=False
    )
    phase = forms.ChoiceField(
        label="Phase", choices=[("", "Toutes")] + Phase.choices, required=False
    )
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.filter(retired=False), required=False
    )
    department = forms.ModelChoiceField(
        label="Département principal",
        queryset=Department.objects.filter(retired=False),
        required=False,
    )
    status = forms.ChoiceField(
        label="État",
        choices=[("", "Tous")]
        + [c for c in ApplicationStatus.choices if c[0] != ApplicationStatus.DRAFT],
        required=False,
    )
    eligibility = forms.ChoiceField(
        label="Éligibilité au financement",
        choices=[
            ("", "Tous"),
            ("eligible", "Aucun critère éliminatoire"),
            ("eliminated", "Critère éliminatoire non atteint"),
        ],
        required=False,
    )
    score_min = forms.DecimalField(label="Note moyenne minimale", required=False, min_value=0)
    score_max = forms.DecimalField(label="Note moyenne maximale", required=False, min_value=0)
    opinion = forms.ChoiceField(
        label="Avis régional",
        choices=[("", "Tous"), *Opinion.choices, ("none", "Sans avis")],
        required=False,
    )
    disagreement = forms.BooleanField(label="Désaccord entre évaluateurs", required=False)
    priority = forms.BooleanField(label="Territoire prioritaire", required=False)
    sort = forms.ChoiceField(
        label="Trier par",
        choices=[(key, label) for key, (label, _o) in SORTS.items()],
        required=False,
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "score_max",
                f"La note maximale ({format_number(high)}) est inférieure à la note minimale "
                f"({format_number(low)}).",
            )
        return data


class ScoringForm(PtceForm):
    """One note and one comment per criterion of the call's grid. A draft may leave notes
    empty; every note is needed to send the evaluation (``required_to_submit``)."""

    required_to_submit_hint = "Obligatoire pour transmettre l’évaluation."

    general_comment = forms.CharField(
        label="Appréciation générale",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
    )

    def __init__(self, *args, criteria, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.grid = grid
        fields = {}
        scale = f"de {grid.scale_min} à {grid.scale_max}"
        for criterion in criteria:
            help_text = f"Note de {grid.scale_min} à {grid.scale_max}"
            if criterion.eliminatory_threshold is not None:
                help_text += (
                    f" ; critère éliminatoire : une note inférieure à "
                    f"{criterion.eliminatory_threshold} rend le dossier inéligible"
                )
            if criterion.guidance:
                help_text += f". {escape(criterion.guidance)}"
            # Whole notes of the grid's scale only (the scale is made of integers).
            fields[f"score_{criterion.code}"] = forms.ChoiceField(
                label=f"{criterion.label} (pondération {format_number(criterion.weight)})",
                help_text=help_text,
                required=False,
                choices=[(str(note), text) for note, text in criterion.levels(grid)],
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Critère « {criterion.label} » : « %(value)s » n’est pas "
                    f"une note de l’échelle ({scale})."
                },
            )
            fields[f"comment_{criterion.code}"] = forms.CharField(
                label=f"Commentaire — {criterion.label}",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields = {**fields, **self.fields}
        self.required_to_submit = {f"score_{criterion.code}" for criterion in criteria}

    def values(self) -> dict:
        return {
            c.code: (
                self.cleaned_data.get(f"score_{c.code}", "").strip() or None,
                self.cleaned_data.get(f"comment_{c.code}", ""),
            )
            for c in self.criteria
        }

    def current_scores(self) -> dict:
        """Criterion code → note whose radio is checked in the page (posted, else saved), for
        the running total: what the script counts, nothing else."""
        scores = {}
        for criterion in self.criteria:
            name = f"score_{criterion.code}"
            value = str(self[name].value() or "")
            if value in dict(self.fields[name].choices):
                scores[criterion.code] = value
        return scores

    def attach_errors(self, messages) -> None:
        """Put each message of ``reviews.scoring`` on the field of the criterion it names."""
        for message in messages:
            for criterion in self.criteria:
                if f"« {criterion.label} »" in message:
                    self.add_error(f"score_{criterion.code}", message)
                    break
            else:
                self.add_error(None, message)


class CorrectionForm(PtceForm):
    sections = forms.MultipleChoiceField(
        label="Sections à reprendre par le candidat",
        choices=CorrectionSection.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label="Corrections ou compléments attendus",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    deadline = forms.DateField(
        label="Date limite",
        help_text="Format attendu : JJ/MM/AAAA.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.localdate():
            raise forms.ValidationError("La date limite doit être postérieure à aujourd’hui.")
        return deadline


class ConflictForm(PtceForm):
    reason = forms.CharField(
        label="Nature du conflit d’intérêts",
        help_text="Par exemple : « Je siège au conseil d’administration d’un membre du pôle ».",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RerouteForm(PtceForm):
    region = forms.ModelChoiceField(
        label="Nouvelle région d’instruction", queryset=Region.objects.filter(retired=False)
    )
    reason = forms.CharField(
        label="Motif de la réorientation", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AssignForm(PtceForm):
    reviewers = IdMultipleChoiceField(
        label="Évaluateurs",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les évaluateurs ayant le moins de dossiers sont proposés en premier.",
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewers
        self.fields["reviewers"].label_from_instance = lambda u: (
            f"{u.full_name or u.email} — {u.get_role_display()} ({u.load} dossier(s))"
        )


class StatusForm(PtceForm):
    target = forms.ChoiceField(label="Nouvel état", choices=ApplicationStatus.choices)
    reason = forms.CharField(
        label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class MessageForm(PtceForm):
    body = forms.CharField(
        label="Votre message", widget=forms.Textarea(attrs={"rows": 5}), max_length=10000
    )
    attachment = forms.FileField(
        label="Pièce jointe",
        required=False,
        help_text="PDF, ODT, DOCX, ODS, XLSX, PNG ou JPEG ; 10 Mo au plus.",
    )


class OpinionForm(PtceForm):
    opinion = forms.ChoiceField(
        label="Avis régional", choices=Opinion.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="Motifs de l’avis", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SimulationForm(PtceForm):
    """Parameters of an allocation simulation; ``clean`` builds the
    ``AllocationParameters`` (its French messages become form errors)."""

    envelope = AmountField(label="Enveloppe à répartir (€)", required=True)
    min_award = AmountField(label="Montant minimal par lauréat (€)")
    max_award = AmountField(label="Montant maximal par lauréat (€)")
    region_cap_amount = AmountField(label="Plafond par région (€)")
    region_cap_count = forms.IntegerField(
        label="Plafond par région (nombre de lauréats)", required=False
    )
    priority_bonus = forms.DecimalField(
        label="Bonus territoire prioritaire (points)",
        required=False,
        max_digits=5,
        decimal_places=2,
        localize=True,
        help_text="Ajouté à la note des dossiers en zone rurale, QPV ou outre-mer.",
    )
    waiting_list_size = forms.IntegerField(
        label="Taille de la liste d’attente", required=False, min_value=0, initial=0
    )
    name = forms.CharField(
        label="Nom de la simulation",
        required=False,
        max_length=120,
        help_text="Renseignez un nom pour enregistrer la simulation.",
    )

    def __init__(self, *args, priority_territories=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The call's priority territories earn the bonus (all three when the call names none).
        self.priority_territories = frozenset(priority_territories or ()) or (
            allocation.PRIORITY_TERRITORIES
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["parameters"] = allocation.AllocationParameters(
                envelope=data["envelope"],
                min_award=data.get("min_award") or Decimal(0),
                max_award=data.get("max_award"),
                region_cap_amount=data.get("region_cap_amount"),
                region_cap_count=data.get("region_cap_count"),
                priority_bonus=data.get("priority_bonus") or Decimal(0),
                priority_territories=self.priority_territories,
                waiting_list_size=data.get("waiting_list_size") or 0,
            )
        except allocation.AllocationError as error:
            for message in error.errors:
                self.add_error(None, message)
        return data


class CompareForm(PtceForm):
    def __init__(self, *args, simulations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["a"] = forms.ModelChoiceField(label="Simulation A", queryset=simulations)
        self.fields["b"] = forms.ModelChoiceField(label="Simulation B", queryset=simulations)


class SessionForm(PtceForm):
    call = forms.ModelChoiceField(label="Appel", queryset=Call.objects.order_by("-year", "title"))
    title = forms.CharField(label="Intitulé de la séance", max_length=200)
    date = forms.DateField(
        label="Date de la séance", widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label="Lieu", max_length=200, required=False)
    members = IdMultipleChoiceField(
        label="Membres du comité siégeant à la séance",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Seuls les membres cochés saisissent des décisions (la cellule nationale "
        "aussi) ; sans membre coché, tout membre du comité le peut.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role, User

        self.fields["members"].queryset = User.objects.filter(
            role=Role.COMMITTEE, is_active=True
        ).order_by("last_name", "first_name", "email")
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.full_name or u.email}" + (f" — {u.organisation}" if u.organisation else "")
        )


class SessionMembersForm(SessionForm):
    """Only the members of an existing session (the other fields are not shown)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"members": self.fields["members"]}


class DecisionForm(PtceForm):
    """One row of the committee's decision table (labels are read by screen readers only)."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=[("", "— à décider —"), *CommitteeDecision.choices],
        required=False,
    )
    amount = AmountField(label="Montant accordé (€)", required=False)
    reasons = forms.CharField(
        label="Motifs",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 1, "placeholder": "Motifs (obligatoires pour un refus)"}
        ),
        max_length=5000,
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == CommitteeDecision.REJECTED
            and not (data.get("reasons") or "").strip()
        ):
            self.add_error("reasons", "Un refus doit être motivé : indiquez les motifs.")
        return data
