import time

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, AgencyKind, Role
from agencies.services import agency_create, member_create


class AgencyFactory(factory.Factory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.POLICE

    @classmethod
    def _create(cls, model_class, **kwargs):
        return agency_create(**kwargs)


class MemberFactory(factory.Factory):
    """A Membership and its user, made by the service; the agency defaults to a police force."""

    class Meta:
        model = dict

    agency = factory.SubFactory(AgencyFactory)
    username = factory.Sequence(lambda n: f"member{n}")
    password = "a-long-test-password"
    roles = factory.LazyFunction(lambda: [Role.CASEWORKER])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return member_create(**kwargs)


def enrol_totp(user):
    """A confirmed authenticator-app device for the user (as enrolment leaves it)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` periods later),
    computed by django-otp's own TOTP."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client, user, device=None):
    """Sign a Django test client in as the user, past the second factor (its device, made if
    not given), as the code page would."""
    device = (
        device
        or TOTPDevice.objects.filter(user=user, confirmed=True).first()
        or enrol_totp(user)
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
