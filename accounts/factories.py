import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User

PASSWORD = "Mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    role = Role.CANDIDATE
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        reviewer = factory.Trait(role=Role.REGIONAL_REVIEWER, region_id="84")
        cell_lead = factory.Trait(role=Role.REGIONAL_CELL_LEAD, region_id="84")
        national = factory.Trait(role=Role.NATIONAL_CELL)
        committee = factory.Trait(role=Role.COMMITTEE)
        admin = factory.Trait(role=Role.PROGRAMME_ADMIN, is_staff=True, is_superuser=True)
        unconfirmed = factory.Trait(email_confirmed_at=None)


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    from django_otp.oath import totp

    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def login_staff(client, user) -> None:
    """Log a staff user in with a verified second factor (as after the TOTP step)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
