"""Official geography (COG) from @etalab/decoupage-administratif, keyed by INSEE codes."""

from django.db import models


class Zone(models.TextChoices):
    METRO = "metro", "Métropole"
    DROM = "drom", "Départements et régions d’outre-mer"
    COM = "com", "Collectivités d’outre-mer"


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    zone = models.CharField(max_length=5, choices=Zone)
    chief_town_code = models.CharField("chef-lieu", max_length=5, blank=True)
    retired = models.BooleanField("absente du dernier référentiel", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "région"

    def __str__(self):
        return self.name

    @property
    def is_overseas(self) -> bool:
        return self.zone != Zone.METRO

    @property
    def is_region(self) -> bool:
        """True for the 18 régions, False for the overseas collectivities listed with them."""
        return self.zone != Zone.COM


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departments", verbose_name="région"
    )
    zone = models.CharField(max_length=5, choices=Zone)
    chief_town_code = models.CharField("chef-lieu", max_length=5, blank=True)
    retired = models.BooleanField("absent du dernier référentiel", default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_overseas(self) -> bool:
        return self.zone != Zone.METRO


class Epci(models.Model):
    code = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=255)
    kind = models.CharField("nature", max_length=10, help_text="CC, CA, CU, METRO, MET69")
    financing = models.CharField("mode de financement", max_length=10, blank=True)
    population = models.PositiveIntegerField("population totale", default=0)
    search_name = models.CharField(
        max_length=255, db_index=True, editable=False, verbose_name="nom normalisé (recherche)"
    )
    retired = models.BooleanField("absent du dernier référentiel", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"

    def __str__(self):
        return self.name


class CommuneType(models.TextChoices):
    CURRENT = "commune-actuelle", "Commune"
    DELEGATED = "commune-deleguee", "Commune déléguée"
    ASSOCIATED = "commune-associee", "Commune associée"
    MUNICIPAL_DISTRICT = "arrondissement-municipal", "Arrondissement municipal"


class CommuneQuerySet(models.QuerySet):
    def current(self):
        return self.filter(type=CommuneType.CURRENT, retired=False)


class Commune(models.Model):
    """Every COG entry: current communes, and delegated/associated ones and municipal districts
    linked to the current commune they belong to (``parent``)."""

    code = models.CharField("code INSEE", max_length=5)
    type = models.CharField(max_length=30, choices=CommuneType)
    name = models.CharField("nom", max_length=255)
    search_name = models.CharField(
        max_length=255, db_index=True, editable=False, verbose_name="nom normalisé (recherche)"
    )
    zone = models.CharField(max_length=5, choices=Zone)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="communes",
        null=True,
        verbose_name="département",
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", null=True, verbose_name="région"
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        related_name="communes",
        null=True,
        blank=True,
        verbose_name="EPCI",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text="Commune actuelle de rattachement (communes déléguées, associées, "
        "arrondissements).",
        verbose_name="commune de rattachement",
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    postal_codes_text = models.CharField(
        max_length=255, blank=True, editable=False, verbose_name="codes postaux"
    )
    siren = models.CharField(max_length=9, blank=True)
    retired = models.BooleanField(
        "absente du dernier référentiel",
        default=False,
        help_text="Conservée pour l’historique (fusion, etc.) ; non sélectionnable.",
    )
    density_degree = models.PositiveSmallIntegerField(
        "degré de densité (grille Insee)",
        null=True,
        blank=True,
        help_text="Degré dans la grille communale de densité chargée (voir « Fichiers de "
        "référence ») ; vide si la commune n’y figure pas ou si la grille n’est pas chargée.",
    )
    is_rural = models.BooleanField(
        "commune rurale (grille Insee)",
        null=True,
        blank=True,
        help_text="Déduit du degré de densité selon la définition de l’Insee ; vide = inconnu.",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "commune"
        constraints = [
            models.UniqueConstraint(fields=["code", "type"], name="unique_commune_code_type")
        ]
        indexes = [models.Index(fields=["type", "search_name"])]

    def __str__(self):
        return f"{self.name} ({self.department_id})" if self.department_id else self.name

    @property
    def is_current(self) -> bool:
        return self.type == CommuneType.CURRENT

    @property
    def is_overseas(self) -> bool:
        return self.zone != Zone.METRO


class Qpv(models.Model):
    """A quartier prioritaire de la politique de la ville and the current communes it lies in
    (a QPV may span several communes). Loaded by ``manage.py import_qpv``."""

    code = models.CharField("code du quartier", max_length=20, unique=True)
    name = models.CharField("nom", max_length=255)
    communes = models.ManyToManyField(Commune, related_name="qpvs", verbose_name="communes")

    class Meta:
        ordering = ["code"]
        verbose_name = "quartier prioritaire (QPV)"
        verbose_name_plural = "quartiers prioritaires (QPV)"

    def __str__(self):
        return f"{self.name} ({self.code})"


class ReferenceKind(models.TextChoices):
    DENSITY = "density", "Grille communale de densité (Insee)"
    QPV = "qpv", "Liste des quartiers prioritaires (QPV)"


class ReferenceFile(models.Model):
    """Which official file was last loaded for a kind of reference data: its absence is what
    tells « non renseigné » (not loaded) from « aucune commune rurale »."""

    kind = models.CharField("donnée", max_length=10, choices=ReferenceKind, unique=True)
    file_name = models.CharField("fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    levels = models.PositiveSmallIntegerField(
        "niveaux de la grille", null=True, blank=True, help_text="3, 4 ou 7 (grille de densité)."
    )
    loaded_at = models.DateTimeField("chargé le")
    report = models.JSONField("compte rendu", default=dict, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "fichier de référence"
        verbose_name_plural = "fichiers de référence"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.file_name}"
