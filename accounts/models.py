from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CANDIDATE = "candidate", "Porteur de projet"
    REGIONAL_REVIEWER = "regional_reviewer", "Instructeur régional"
    REGIONAL_CELL_LEAD = "regional_cell_lead", "Responsable de cellule régionale"
    NATIONAL_CELL = "national_cell", "Membre de la cellule nationale"
    COMMITTEE = "committee", "Membre du comité de sélection"
    PROGRAMME_ADMIN = "programme_admin", "Administrateur du programme"


STAFF_ROLES = frozenset(
    {
        Role.REGIONAL_REVIEWER,
        Role.REGIONAL_CELL_LEAD,
        Role.NATIONAL_CELL,
        Role.COMMITTEE,
        Role.PROGRAMME_ADMIN,
    }
)
REGIONAL_ROLES = frozenset({Role.REGIONAL_REVIEWER, Role.REGIONAL_CELL_LEAD})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.PROGRAMME_ADMIN)
        extra_fields.setdefault("email_confirmed_at", timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person signing in with an e-mail address; one role, regional roles tied to a région."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    organisation = models.CharField("organisation", max_length=255, blank=True)
    siret = models.CharField(
        "SIRET de la structure",
        max_length=14,
        blank=True,
        help_text="Renseigné par ProConnect lors de la connexion, ou saisi par la personne.",
    )
    proconnect_sub = models.CharField(
        "identifiant ProConnect",
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="Identifiant « sub » transmis par ProConnect ; relie le compte à cette identité.",
    )
    role = models.CharField("rôle", max_length=30, choices=Role, default=Role.CANDIDATE)
    region = models.ForeignKey(
        "territories.Region",
        verbose_name="région",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Obligatoire pour les rôles régionaux.",
    )
    email_confirmed_at = models.DateTimeField("adresse confirmée le", null=True, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "accès à l'administration Django",
        default=False,
        help_text="Réservé aux administrateurs du programme.",
    )
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.CheckConstraint(
                # A list in a fixed order (a frozenset's order changes between runs, which
                # made `makemigrations --check` fail at random).
                condition=~models.Q(
                    role__in=[Role.REGIONAL_REVIEWER.value, Role.REGIONAL_CELL_LEAD.value]
                )
                | models.Q(region__isnull=False),
                name="regional_role_has_region",
                violation_error_message="Un rôle régional doit être rattaché à une région.",
            )
        ]

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_regional(self) -> bool:
        return self.role in REGIONAL_ROLES

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)
