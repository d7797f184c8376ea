"""Who is who: agencies, the people in them and the roles they hold."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CPS = "cps", "Crown Prosecution Service"
    PROBATION = "probation", "Probation"
    ADVOCACY = "advocacy", "Victims' advocacy (charity)"
    PSYCHIATRIC = "psychiatric", "Psychiatric / fixated-threat assessment"
    COORDINATOR = "coordinator", "Multi-agency coordinator"
    OVERSIGHT = "oversight", "Oversight"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    SUPERVISOR = "supervisor", "Supervisor"
    CHAIR = "chair", "Conference chair"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Agency administrator"
    DPO = "dpo", "Data protection officer"


class Agency(models.Model):
    """An organisation taking part: a police force, a CPS area, a charity, a health trust's unit.

    Each agency owns a Django group; case objects are shared with the agency by granting that
    group object permissions (see `agencies.policy`).
    """

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")
    # Agencies of one region work together: referrals are routed within the referrer's region.
    region = models.CharField(max_length=60, blank=True, default="", db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name


def _validate_roles(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("A member holds at least one role.")
    unknown = [r for r in value if r not in Role.values]
    if unknown:
        raise ValidationError(f"Unknown roles: {', '.join(map(str, unknown))}.")


class Membership(models.Model):
    """A person's place in one agency, with the roles they hold there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    roles = models.JSONField(default=list, validators=[_validate_roles])
    # Set only by `seed_demo` (which refuses to run in production): such an account may sign in
    # without a second factor outside production. Every other account enrols one.
    demo_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} @ {self.agency.slug} ({', '.join(self.roles)})"


class ApiToken(AbstractAuthToken):
    """An API sign-in (django-rest-knox): only the token's hash is stored, never the token.

    knox keys its table by the digest; `id` is what the member sees and revokes a token by, so
    the digest (and the token's first characters, `token_key`) never leave the server.
    """

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    client = models.CharField(max_length=200, blank=True, help_text="The client's User-Agent.")
    last_used = models.DateTimeField(default=timezone.now)  # issuing it counts as a use

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.pk} of {self.user}"


class LawfulBasis(models.TextChoices):
    """The lawful bases an information-sharing agreement rests on (UK GDPR, DPA 2018)."""

    PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Art. 6(1)(e): public task"
    LEGAL_OBLIGATION = "gdpr_6_1_c", "UK GDPR Art. 6(1)(c): legal obligation"
    VITAL_INTERESTS = "gdpr_6_1_d", "UK GDPR Art. 6(1)(d): vital interests"
    LAW_ENFORCEMENT = "dpa_part3_s35", "DPA 2018 Part 3 s.35: law-enforcement purposes"
    UNLAWFUL_ACTS = (
        "gdpr_9_2_g_sch1_10",
        "UK GDPR Art. 9(2)(g) and DPA 2018 Sch. 1 para 10: preventing or detecting unlawful acts",
    )
    SAFEGUARDING = (
        "gdpr_9_2_g_sch1_18",
        "UK GDPR Art. 9(2)(g) and DPA 2018 Sch. 1 para 18: safeguarding of children and "
        "individuals at risk",
    )


class SharingAgreement(models.Model):
    """An information-sharing agreement between agencies: the parties, what they share for,
    and the lawful basis. It covers a disclosure between two of its parties on a day it is in
    force (started, not ended); a review date past is a warning, not an end."""

    title = models.CharField(max_length=200)
    purpose = models.TextField()
    lawful_basis = models.CharField(max_length=24, choices=LawfulBasis.choices)
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    starts_on = models.DateField()
    review_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # None: recorded by the system (the demo seed), not by a member.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_on__gte=models.F("starts_on")),
                name="agreement_review_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ended_on is None or self.ended_on > day)

    def review_overdue_on(self, day) -> bool:
        return self.review_on < day and self.in_force_on(day)
