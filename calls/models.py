"""Calls for applications (AMI / AAP), their rounds, evaluation grid and required attachments."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from calls.choices import (  # noqa: F401 - re-exported: calls.models.Phase etc.
    AttachmentKind,
    Instrument,
    Phase,
    PriorityTerritory,
    PublicationState,
)


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_state=PublicationState.PUBLISHED)

    def open_at(self, when=None):
        """Published calls accepting files at ``when``: permanent ones with a future round,
        dated ones between their opening and closing date-times."""
        when = when or timezone.now()
        return (
            self.published()
            .filter(models.Q(opens_at__isnull=True) | models.Q(opens_at__lte=when))
            .filter(
                models.Q(is_permanent=True, rounds__cut_off_at__gt=when)
                | models.Q(is_permanent=False, closes_at__gt=when)
            )
            .distinct()
        )


class Call(models.Model):
    title = models.CharField("intitulé", max_length=255)
    slug = models.SlugField("adresse courte", max_length=100, unique=True)
    instrument = models.CharField("instrument", max_length=3, choices=Instrument)
    year = models.PositiveSmallIntegerField("année")
    summary = models.CharField("résumé", max_length=500, blank=True)
    description = models.TextField("description", blank=True)
    legal_basis = models.TextField("base juridique", blank=True)
    has_emergence_phase = models.BooleanField("phase 1 (label émergent)", default=True)
    has_funding_phase = models.BooleanField("phase 2 (financement)", default=False)
    is_permanent = models.BooleanField(
        "appel permanent", default=False, help_text="Ouvert toute l’année, instruit par relèves."
    )
    opens_at = models.DateTimeField("ouverture", null=True, blank=True)
    closes_at = models.DateTimeField(
        "clôture", null=True, blank=True, help_text="Appels datés : date et heure limite (Paris)."
    )
    envelope = models.DecimalField(
        "enveloppe (€)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    min_award = models.DecimalField(
        "montant minimal par lauréat (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    max_award = models.DecimalField(
        "montant maximal par lauréat (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    award_duration_months = models.PositiveSmallIntegerField(
        "durée du soutien (mois)", null=True, blank=True
    )
    payment_schedule_template = models.JSONField(
        "échéancier type",
        default=list,
        blank=True,
        help_text='Tranches, ex. [{"label": "À la signature", "share": 50, "trigger": '
        '"signature"}, {"label": "Après le bilan intermédiaire", "share": 50, "trigger": '
        '"interim_report"}]',
    )
    priority_territories = models.JSONField(
        "territoires prioritaires", default=list, blank=True, help_text="rural, qpv, overseas"
    )
    allows_previous_support = models.BooleanField(
        "ouvert aux pôles déjà soutenus par l’État", default=False
    )
    publication_state = models.CharField(
        "publication", max_length=10, choices=PublicationState, default=PublicationState.DRAFT
    )
    retention_years = models.PositiveSmallIntegerField(
        "durée de conservation des dossiers (années)", default=10
    )
    review_days = models.PositiveSmallIntegerField(
        "délai d’évaluation (jours)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Nombre de jours laissés à un évaluateur pour rendre son évaluation, "
        "à compter de l’attribution du dossier.",
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name="créé le")
    updated_at = models.DateTimeField(auto_now=True, verbose_name="modifié le")

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = "appel"

    def __str__(self):
        return self.title

    def clean(self):
        if not (self.has_emergence_phase or self.has_funding_phase):
            raise ValidationError("Un appel comporte au moins une phase.")
        if self.min_award and self.max_award and self.min_award > self.max_award:
            raise ValidationError(
                {"max_award": "Le montant maximal doit être supérieur ou égal au minimal."}
            )
        if (
            not self.is_permanent
            and self.closes_at is None
            and self.publication_state != PublicationState.ARCHIVED
        ):
            # Archived calls of the programme's history may lack their exact dates.
            raise ValidationError({"closes_at": "Un appel daté a une date de clôture."})
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "La clôture suit l’ouverture."})
        self._clean_payment_schedule()
        self._clean_priority_territories()

    def _clean_payment_schedule(self):
        schedule = self.payment_schedule_template
        if schedule in (None, ""):
            self.payment_schedule_template = []
            return
        message = (
            "L’échéancier est une liste de tranches, chacune avec un libellé (« label ») et une "
            "part en pourcentage (« share »), par exemple "
            '[{"label": "À la signature", "share": 50}, '
            '{"label": "Après le bilan intermédiaire", "share": 50}].'
        )
        if not isinstance(schedule, list):
            raise ValidationError({"payment_schedule_template": message})
        for tranche in schedule:
            share = tranche.get("share") if isinstance(tranche, dict) else None
            if (
                not isinstance(tranche, dict)
                or not str(tranche.get("label") or "").strip()
                or isinstance(share, bool)
                or not isinstance(share, int | float)
                or share <= 0
            ):
                raise ValidationError({"payment_schedule_template": message})
        if schedule and sum(tranche["share"] for tranche in schedule) != 100:
            raise ValidationError(
                {"payment_schedule_template": "Les parts de l’échéancier totalisent 100 %."}
            )

    def _clean_priority_territories(self):
        territories = self.priority_territories or []
        if not isinstance(territories, list) or any(
            value not in PriorityTerritory.values for value in territories
        ):
            raise ValidationError(
                {
                    "priority_territories": "Valeurs possibles : "
                    + ", ".join(f"{value} ({label})" for value, label in PriorityTerritory.choices)
                    + "."
                }
            )

    @property
    def priority_territory_labels(self) -> list[str]:
        labels = dict(PriorityTerritory.choices)
        return [labels[value] for value in self.priority_territories or [] if value in labels]

    @property
    def is_published(self) -> bool:
        return self.publication_state == PublicationState.PUBLISHED

    @property
    def phases(self) -> list[str]:
        return [
            phase
            for phase, enabled in (
                (Phase.EMERGENCE, self.has_emergence_phase),
                (Phase.FUNDING, self.has_funding_phase),
            )
            if enabled
        ]

    def round_for(self, when=None):
        """The round a file submitted at ``when`` belongs to (first cut-off not yet passed).

        Uses prefetched rounds when present (list pages), so it costs no query there."""
        when = when or timezone.now()
        if "rounds" in getattr(self, "_prefetched_objects_cache", {}):
            upcoming = [item for item in self.rounds.all() if item.cut_off_at > when]
            return min(upcoming, key=lambda item: item.cut_off_at, default=None)
        return self.rounds.filter(cut_off_at__gt=when).order_by("cut_off_at").first()

    def next_cut_off(self, when=None):
        when = when or timezone.now()
        if self.is_permanent:
            upcoming = self.round_for(when)
            return upcoming.cut_off_at if upcoming else None
        return self.closes_at if self.closes_at and self.closes_at > when else None

    def is_open(self, when=None) -> bool:
        when = when or timezone.now()
        if self.publication_state != PublicationState.PUBLISHED:
            return False
        if self.opens_at and self.opens_at > when:
            return False
        return self.next_cut_off(when) is not None


class Round(models.Model):
    """A cut-off (relève): files submitted before it are reviewed together."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="rounds", verbose_name="appel"
    )
    name = models.CharField("nom", max_length=100)
    cut_off_at = models.DateTimeField("date et heure limite (Paris)")
    phase = models.CharField(
        "phase concernée", max_length=10, choices=Phase, blank=True, help_text="Vide : toutes."
    )
    envelope = models.DecimalField(
        "enveloppe de la relève (€)", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["call", "cut_off_at"]
        verbose_name = "relève"
        constraints = [
            models.UniqueConstraint(fields=["call", "cut_off_at"], name="unique_round_cut_off")
        ]

    def __str__(self):
        return f"{self.call} — {self.name}"

    def clean(self):
        call = _parent_call(self)
        if call is None:
            return
        if self.phase and self.phase not in call.phases:
            raise ValidationError({"phase": "Cet appel ne comporte pas cette phase."})
        dated_close = None if call.is_permanent else call.closes_at
        if dated_close and self.cut_off_at and self.cut_off_at > dated_close:
            raise ValidationError({"cut_off_at": "Une relève d’un appel daté précède sa clôture."})


class Grid(models.Model):
    """The evaluation grid of a call."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="grid", verbose_name="appel"
    )
    scale_min = models.PositiveSmallIntegerField("note minimale", default=0)
    scale_max = models.PositiveSmallIntegerField("note maximale", default=5)
    disagreement_threshold = models.DecimalField(
        "seuil de désaccord (écart-type du total pondéré)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
    )

    class Meta:
        verbose_name = "grille d’évaluation"
        verbose_name_plural = "grilles d’évaluation"

    def __str__(self):
        return f"Grille — {self.call}"

    def clean(self):
        if self.scale_min >= self.scale_max:
            raise ValidationError(
                {"scale_max": "La note maximale doit être supérieure à la note minimale."}
            )


class Criterion(models.Model):
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="criteria", verbose_name="grille"
    )
    code = models.SlugField(max_length=50)
    label = models.CharField("critère", max_length=255)
    guidance = models.TextField("aide à la notation", blank=True)
    weight = models.DecimalField(
        "pondération", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    eliminatory_threshold = models.PositiveSmallIntegerField(
        "seuil éliminatoire",
        null=True,
        blank=True,
        help_text="Une note inférieure rend le dossier inéligible au financement.",
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name="ordre")
    level_descriptors = models.JSONField(
        "descriptif des niveaux",
        default=list,
        blank=True,
        help_text="Une courte description par note de l’échelle, de la plus basse à la plus "
        "haute ; vide : les notes sont proposées sans description.",
    )

    class Meta:
        ordering = ["grid", "order"]
        verbose_name = "critère"
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="unique_criterion_code")
        ]

    def __str__(self):
        return self.label

    def clean(self):
        try:
            grid = self.grid
        except Grid.DoesNotExist:
            grid = None
        errors = {}
        problems = level_descriptor_errors(
            self.level_descriptors,
            None if grid is None else grid.scale_min,
            None if grid is None else grid.scale_max,
        )
        if problems:
            errors["level_descriptors"] = problems
        if (
            grid is not None
            and self.eliminatory_threshold is not None
            and not grid.scale_min <= self.eliminatory_threshold <= grid.scale_max
        ):
            errors["eliminatory_threshold"] = (
                "Le seuil éliminatoire est compris entre "
                f"{grid.scale_min} et {grid.scale_max} (l’échelle de la grille)."
            )
        if errors:
            raise ValidationError(errors)

    def levels(self, grid: Grid | None = None) -> list[tuple[int, str]]:
        """(note, description) for every note of the grid's scale; the description is empty
        when the criterion has none (or when the list no longer matches the scale)."""
        grid = grid or self.grid
        notes = list(range(grid.scale_min, grid.scale_max + 1))
        texts = self.level_descriptors if len(self.level_descriptors or []) == len(notes) else []
        return [(note, texts[index] if texts else "") for index, note in enumerate(notes)]


DESCRIPTOR_MAX_LENGTH = 300
_MARKUP = re.compile(r"<\s*[a-zA-Z/!?]|&[#a-zA-Z0-9]+;")


def level_descriptor_errors(descriptors, scale_min: int | None, scale_max: int | None) -> list[str]:
    """French messages for a criterion's level descriptors: a list of plain texts, one per
    note of the scale (none at all is allowed), each of at most 300 characters, no markup."""
    if descriptors in (None, []):
        return []
    if not isinstance(descriptors, list) or not all(isinstance(d, str) for d in descriptors):
        return ["Le descriptif des niveaux est une liste de textes, un par note."]
    errors = []
    if scale_min is not None and scale_max is not None:
        expected = scale_max - scale_min + 1
        if len(descriptors) != expected:
            errors.append(
                f"Il faut une description par note de l’échelle ({scale_min} à {scale_max}), "
                f"soit {expected} lignes ; il y en a {len(descriptors)}."
            )
    for index, text in enumerate(descriptors):
        note = index if scale_min is None else scale_min + index
        if not text.strip():
            errors.append(f"La description de la note {note} est vide.")
        elif "\x00" in text:
            errors.append(f"La description de la note {note} contient un caractère interdit.")
        elif len(text) > DESCRIPTOR_MAX_LENGTH:
            errors.append(
                f"La description de la note {note} compte {len(text)} caractères "
                f"(au plus {DESCRIPTOR_MAX_LENGTH})."
            )
        elif _MARKUP.search(text):
            errors.append(
                f"La description de la note {note} contient du code HTML : écrivez du texte simple."
            )
    return errors


class RequiredAttachment(models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="required_attachments", verbose_name="appel"
    )
    kind = models.CharField("type", max_length=20, choices=AttachmentKind)
    label = models.CharField("libellé", max_length=255)
    phase = models.CharField(
        "phase", max_length=10, choices=Phase, blank=True, help_text="Vide : toutes les phases."
    )

    class Meta:
        ordering = ["call", "id"]
        verbose_name = "pièce obligatoire"
        verbose_name_plural = "pièces obligatoires"

    def __str__(self):
        return self.label

    def clean(self):
        call = _parent_call(self)
        if call is not None and self.phase and self.phase not in call.phases:
            raise ValidationError({"phase": "Cet appel ne comporte pas cette phase."})


def _parent_call(obj) -> Call | None:
    """The call of a round or required attachment, also while an admin inline is validated."""
    try:
        return obj.call
    except Call.DoesNotExist:
        return None


class CallDocument(models.Model):
    """A public document of a call (rules, templates, decree…): a file or a link."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="documents", verbose_name="appel"
    )
    title = models.CharField("titre", max_length=255)
    url = models.URLField("lien", blank=True, help_text="Adresse d’un document publié ailleurs.")
    file = models.FileField(
        "fichier",
        upload_to="calls/documents/",
        blank=True,
        help_text="Ou un fichier déposé ici (PDF, bureautique).",
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = "document de l’appel"
        verbose_name_plural = "documents de l’appel"

    def __str__(self):
        return self.title

    def clean(self):
        if bool(self.url) == bool(self.file):
            raise ValidationError("Indiquez soit un lien, soit un fichier (l’un des deux).")

    @property
    def file_extension(self) -> str:
        name = self.file.name if self.file else ""
        return name.rsplit(".", 1)[-1].upper() if "." in name else ""


class CallFaq(models.Model):
    """A question and its answer on the public page of a call."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="faqs", verbose_name="appel"
    )
    question = models.CharField("question", max_length=500)
    answer = models.TextField("réponse")
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = "question fréquente"
        verbose_name_plural = "questions fréquentes"

    def __str__(self):
        return self.question


# SPEC §5.2: default grid from the calls' published priorities.
DEFAULT_CRITERIA = [
    ("animation", "Animation territoriale et gouvernance", Decimal("20")),
    ("cooperation", "Coopération et mutualisation", Decimal("20")),
    ("impact", "Impact économique, social et écologique", Decimal("20")),
    ("innovation", "Innovation sociale ou technologique", Decimal("15")),
    ("viability", "Viabilité économique et cofinancements", Decimal("15")),
    ("priority_territories", "Ancrage dans les territoires prioritaires", Decimal("10")),
]


# One description per note (0 to 5) of each default criterion, read by the reviewers.
DEFAULT_LEVEL_DESCRIPTORS = {
    "animation": [
        "Aucune animation du pôle décrite.",
        "Animation ponctuelle, portée par une seule structure, sans moyens dédiés.",
        "Animation régulière mais sans instance de gouvernance identifiée.",
        "Animateur identifié et instances de gouvernance réunies au moins une fois par an.",
        "Animation dédiée et financée, gouvernance associant les membres et les collectivités.",
        "Animation territoriale reconnue, gouvernance partagée active et évaluée chaque année.",
    ],
    "cooperation": [
        "Aucune coopération décrite.",
        "Coopération d’intention : membres listés sans action commune.",
        "Quelques actions communes ponctuelles entre deux ou trois membres.",
        "Actions communes régulières et premières mutualisations (locaux, emplois, achats).",
        "Mutualisations durables et formalisées (conventions, groupement d’employeurs).",
        "Gouvernance partagée effective, décisions collectives documentées.",
    ],
    "impact": [
        "Aucun impact décrit.",
        "Impact affirmé sans indicateur ni donnée.",
        "Impact sur un seul volet (économique, social ou écologique), peu chiffré.",
        "Impact sur deux volets, avec des indicateurs de suivi définis.",
        "Impact sur les trois volets, chiffré (emplois, activités, ressources préservées).",
        "Impact mesuré et suivi dans le temps, résultats publiés et comparés aux objectifs.",
    ],
    "innovation": [
        "Aucune innovation décrite.",
        "Reprise d’actions existantes sans adaptation au territoire.",
        "Adaptation locale d’une démarche connue.",
        "Réponse nouvelle à un besoin du territoire, encore peu expérimentée.",
        "Innovation sociale ou technologique expérimentée avec des premiers résultats.",
        "Innovation éprouvée, évaluée et transférable à d’autres territoires.",
    ],
    "viability": [
        "Aucun modèle économique ni budget présenté.",
        "Budget incomplet, dépendance totale à la subvention demandée.",
        "Budget complet mais cofinancements seulement envisagés.",
        "Cofinancements en partie acquis, ressources propres identifiées.",
        "Cofinancements acquis et diversifiés, ressources propres en croissance.",
        "Modèle économique équilibré au terme de l’aide, cofinancements et recettes sécurisés.",
    ],
    "priority_territories": [
        "Aucun lien avec un territoire prioritaire.",
        "Territoire prioritaire cité sans action ciblée.",
        "Quelques actions touchant un territoire prioritaire.",
        "Actions ciblées sur un territoire prioritaire (QPV, rural, outre-mer), avec partenaires.",
        "Part importante de l’activité et des membres en territoire prioritaire.",
        "Pôle implanté en territoire prioritaire, habitants associés à sa gouvernance.",
    ],
}


def create_default_grid(call: Call) -> Grid:
    grid, _ = Grid.objects.get_or_create(call=call)
    for order, (code, label, weight) in enumerate(DEFAULT_CRITERIA):
        Criterion.objects.get_or_create(
            grid=grid,
            code=code,
            defaults={
                "label": label,
                "weight": weight,
                "order": order,
                "level_descriptors": DEFAULT_LEVEL_DESCRIPTORS[code],
            },
        )
    return grid
