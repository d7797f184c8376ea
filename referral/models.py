"""The case: a referral, the people in it, what happened, the orders in force, who may see it."""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase

from agencies.models import Agency, LawfulBasis
from config.encryption import EncryptedCharField, EncryptedEmailField, EncryptedTextField


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


RISK_ORDER = {RiskLevel.STANDARD: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


def higher_risk(*levels: str) -> str:
    return max(levels, key=lambda level: RISK_ORDER[level])


class Relationship(models.TextChoices):
    """How the suspect knows the victim (the categories of the victims' survey)."""

    FORMER_PARTNER = "former_partner", "Former partner"
    STRANGER = "stranger", "Stranger"
    NEIGHBOUR = "neighbour", "Neighbour"
    EX_COLLEAGUE = "ex_colleague", "Former colleague"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    FAMILY = "family", "Family member"
    PATIENT = "patient", "Patient"
    FRIEND = "friend", "Friend"
    OTHER = "other", "Other"


class Behaviour(models.TextChoices):
    PHONE_CALLS = "phone_calls", "Phone calls"
    FOLLOWING = "following", "Following"
    TEXTS = "texts", "Unwanted texts"
    THIRD_PARTY = "third_party", "Harassment through a third party"
    EMAIL = "email", "Email"
    LETTERS = "letters", "Letters"
    BREAK_IN = "break_in", "Break-in"
    SOCIAL_MEDIA = "social_media", "Social media"
    CHILD_CONTACT = "child_contact", "Through child contact"
    COURT_PROCESS = "court_process", "Through the court process"
    LOITERING = "loitering", "Loitering"
    PROPERTY_DAMAGE = "property_damage", "Property damage"
    THREATS = "threats", "Threats"
    VIOLENCE = "violence", "Violence"
    OTHER = "other", "Other"


class Classification(models.TextChoices):
    STALKING = "stalking", "Stalking"
    HARASSMENT = "harassment", "Harassment"
    OTHER = "other", "Other"


class Person(models.Model):
    """A victim or a suspect as named in one referral."""

    name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True, max_length=1000)
    aliases = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Person {self.pk}"


class PersonName(models.Model):
    """Every name (and alias) of a referral's victim and suspect, normalised: what links the
    referrals of the same people (a name with a date of birth) and what a search finds a case
    by (any name; `referral.search`, through the trigram and full-text indexes of migration
    0009 on PostgreSQL)."""

    class Role(models.TextChoices):
        VICTIM = "victim", "Victim"
        SUSPECT = "suspect", "Suspect"

    referral = models.ForeignKey("Referral", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    normalised = models.CharField(max_length=200)
    # Without a date of birth a name links nothing (`linking.matching_referral_ids`), but the
    # case is still found by it.
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["normalised", "date_of_birth", "role"])]

    def __str__(self) -> str:
        return f"{self.role} name of referral {self.referral_id}"


class Referral(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        TRIAGE = "triage", "In triage"
        INFO_REQUESTED = "info_requested", "More information requested"
        DECLINE_PENDING = "decline_pending", "Decline awaiting approval"
        DECLINED = "declined", "Declined"
        RESEARCH = "research", "Agency research"
        CONFERENCE = "conference", "Awaiting case conference"
        PLAN = "plan", "Single-agency plan"
        REVIEW = "review", "Under review"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.TRIAGE,
        Status.INFO_REQUESTED,
        Status.DECLINE_PENDING,
        Status.RESEARCH,
        Status.CONFERENCE,
        Status.PLAN,
        Status.REVIEW,
    )

    class RiskSource(models.TextChoices):
        SCREENING = "screening", "Screening"
        JUDGEMENT = "judgement", "Professional judgement"
        ESCALATION = "escalation", "Escalation signal"

    reference = models.CharField(max_length=20, unique=True)
    referrer_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    consent = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    stalking_since = models.DateField(null=True, blank=True)

    victim = models.OneToOneField(
        Person, null=True, on_delete=models.PROTECT, related_name="victim_of"
    )
    victim_enhanced_rights = models.BooleanField(default=False)
    suspect = models.OneToOneField(
        Person, null=True, on_delete=models.PROTECT, related_name="suspect_in"
    )
    relationship = models.JSONField(default=list)
    behaviours = models.JSONField(default=list)

    risk_level = models.CharField(
        max_length=10, choices=RiskLevel.choices, default=RiskLevel.STANDARD
    )
    risk_source = models.CharField(
        max_length=12, choices=RiskSource.choices, default=RiskSource.SCREENING
    )
    risk_reason = models.TextField(blank=True)
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.STALKING
    )
    not_stalking_reason = models.TextField(blank=True)

    # Linked referrals (same victim or suspect) share one timeline: the id of the group's first.
    timeline_id = models.BigIntegerField(null=True, db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the case's personal data was erased (`privacy.erasure.case_erase`): the people named
    # "Erased person", free text emptied, the trail's events erased. Once only.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "risk_level"]),
            # Lists are newest first: walked in this order, a page stops at its last row.
            models.Index(fields=["-created_at", "-id"], name="referral_newest_idx"),
            # Highest risk first ("high" < "medium" < "standard"), newest first within a level.
            models.Index(fields=["risk_level", "-created_at", "-id"], name="referral_risk_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(classification="stalking") | ~models.Q(not_stalking_reason=""),
                name="referral_not_stalking_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class VictimContact(models.Model):
    """How to reach the victim safely: its own section, hidden from most agencies."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="victim_contact"
    )
    # Encrypted at rest (config/encryption.py): never searched or compared in the database.
    phone = EncryptedCharField(max_length=40, blank=True)
    email = EncryptedEmailField(blank=True)
    address = EncryptedTextField(blank=True, max_length=1000)
    safe_contact_method = EncryptedTextField(blank=True, max_length=1000)

    def __str__(self) -> str:
        return f"Contact details for referral {self.referral_id}"


class ReferenceCounter(models.Model):
    """The last reference number issued in a year (STK-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ScreeningInstrument(models.Model):
    """A versioned screening questionnaire, kept as data (loaded by a data migration).

    `questions`: [{"key", "text"}]; `thresholds`: {"medium": yes-count, "high": yes-count};
    `escalation`: the criteria that send a case to a conference.
    """

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField()
    questions = models.JSONField()
    thresholds = models.JSONField()
    escalation = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.slug

    @property
    def question_keys(self) -> list[str]:
        return [q["key"] for q in self.questions]


class LocalPolicy(models.Model):
    """A rule each region sets for itself, kept as versioned data: the screening thresholds,
    the enforcement deadline after a breach, the conference criteria. Never updated: a change is
    a new version, so a decision made under an older version still says which one it used.
    `region` "" is the default a region without its own version follows
    (`referral.local_policy.local_policy`)."""

    class Key(models.TextChoices):
        SCREENING_THRESHOLDS = "screening.thresholds", "Screening thresholds"
        ENFORCEMENT_DEADLINE = "enforcement.deadline", "Enforcement deadline after a breach"
        CONFERENCE_CRITERIA = "conference.criteria", "Conference criteria"

    key = models.CharField(max_length=40, choices=Key.choices)
    region = models.CharField(max_length=60, blank=True)
    version = models.PositiveIntegerField()
    value = models.JSONField()
    effective_from = models.DateTimeField()
    reason = models.TextField(max_length=2000, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "local policies"
        constraints = [
            models.UniqueConstraint(
                fields=["key", "region", "version"], name="local_policy_version_unique"
            )
        ]
        indexes = [
            models.Index(
                "key", "region", models.F("effective_from").desc(), name="local_policy_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version} ({self.region or 'default'})"


class Screening(models.Model):
    """A referral's screen. An answer is true, false or null (not known); a not-known answer
    is counted towards the level like a yes, never as a no, and shown."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="screening")
    instrument = models.ForeignKey(ScreeningInstrument, on_delete=models.PROTECT)
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    not_known = models.PositiveSmallIntegerField(default=0)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    # The thresholds that turned the count into the level (None: the instrument's own).
    thresholds_policy = models.ForeignKey(
        LocalPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Screening of referral {self.referral_id}"


class ProtectiveOrder(models.Model):
    class Kind(models.TextChoices):
        RESTRAINING_ORDER = "restraining_order", "Restraining order"
        NON_MOLESTATION_ORDER = "non_molestation_order", "Non-molestation order"
        STALKING_PROTECTION_ORDER = "stalking_protection_order", "Stalking protection order"
        INTERIM_SPO = "interim_stalking_protection_order", "Interim stalking protection order"
        BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
        LICENCE_CONDITIONS = "licence_conditions", "Licence conditions"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        REPLACED = "replaced", "Replaced"
        DISCHARGED = "discharged", "Discharged"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class MadeBy(models.TextChoices):
        POLICE_BAIL = "police_bail", "Police bail"
        COURT_BAIL = "court_bail", "Court bail"
        COURT_ON_APPLICATION = "court_on_application", "Court, on application"
        COURT_ON_CONVICTION = "court_on_conviction", "Court, on conviction"
        COURT_ON_ACQUITTAL = "court_on_acquittal", "Court, on acquittal"
        FAMILY_COURT = "family_court", "Family court"
        LICENCE = "licence", "Prison licence"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="orders")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    conditions = models.TextField(max_length=5000)
    starts = models.DateField()
    expires = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_FORCE)
    made_by = models.CharField(max_length=24, choices=MadeBy.choices, blank=True)
    court = models.CharField(max_length=200, blank=True)
    # Positive requirements (an SPO's, a licence's): what the suspect must do.
    requirements = models.TextField(max_length=5000, blank=True)
    served_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="in_force") & models.Q(ended_on__isnull=True))
                | (~models.Q(status="in_force") & models.Q(ended_on__isnull=False)),
                name="order_ended_iff_not_in_force",
            )
        ]
        indexes = [models.Index(fields=["referral", "kind", "status"], name="order_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on referral {self.referral_id}"


class Incident(models.Model):
    class Severity(models.IntegerChoices):
        """The step-up ladder: contact, following, property, threats, violence."""

        CONTACT = 1, "Unwanted contact"
        FOLLOWING = 2, "Following or loitering"
        PROPERTY = 3, "Property"
        THREATS = 4, "Threats"
        VIOLENCE = 5, "Violence"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="incidents")
    occurred_at = models.DateTimeField()
    behaviours = models.JSONField()
    description = models.TextField(max_length=10000)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    breach_of_order = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="breaches"
    )
    reporting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["referral", "occurred_at"])]

    def __str__(self) -> str:
        return f"Incident {self.pk} on referral {self.referral_id}"


class ReferralAgencyPermission(GroupObjectPermissionBase):
    """Guardian's group object permission with a real foreign key: one indexed join per list."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class InvolvementBasis(models.TextChoices):
    """Why an agency is involved in a case; each basis is granted and revoked on its own."""

    REFERRER = "referrer", "Referred the case"
    TASK = "task", "Holds a task on the case"
    CONFERENCE = "conference", "Invited to a conference with the case on the agenda"
    # The coordinator merged this agency's own referral into the case: the agency keeps
    # following the matter it referred, now on the surviving case. A recorded sharing decision
    # (the `link_referrals` task's reason and its `access.granted` event), never revoked by a
    # process ending.
    MERGED = "merged", "Its own referral was merged into the case"
    # A member of the referrer or coordinator agency shared the case on purpose
    # (`referral.disclosures.case_disclose`), under an agreement or with a recorded reason.
    DISCLOSURE = "disclosure", "The case was shared with it on purpose"


class Involvement(models.Model):
    """One reason an agency is involved in a case; its view permission lasts while any remain."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="involvements")
    basis = models.CharField(max_length=20, choices=InvolvementBasis.choices)
    source = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency", "basis", "source"], name="involvement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} in {self.referral_id} ({self.basis})"


class Disclosure(models.Model):
    """The case disclosed to an agency other than its referrer, for one involvement's reason,
    and what the disclosure rests on: the sharing agreement between the referrer and the
    recipient in force when it was made (with its lawful basis), or, outside any agreement, the
    reason a supervisor gave and who gave it. Kept after the involvement ends (`ended_at`): the
    record of a disclosure outlives the reason for it, and one outside an agreement may still
    be given its reason afterwards (`referral.disclosures.disclosure_authorise`)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="disclosures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="disclosures")
    # The involvement it was made for (`Involvement.basis` and `source`).
    basis = models.CharField(max_length=20, choices=InvolvementBasis.choices)
    source = models.CharField(max_length=64, blank=True, default="")
    agreement = models.ForeignKey(
        "agencies.SharingAgreement", null=True, blank=True, on_delete=models.PROTECT,
        related_name="disclosures",
    )
    lawful_basis = models.CharField(
        max_length=24, blank=True, default="", choices=LawfulBasis.choices
    )
    # The sections the recipient's kind could read when it was disclosed (`policy`).
    sections = models.JSONField(default=list, blank=True)
    outside_agreement = models.BooleanField()
    outside_reason = models.TextField(blank=True, default="")
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    disclosed_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One running disclosure per involvement: `_revoke` ends it with the involvement.
            models.UniqueConstraint(
                fields=["referral", "agency", "basis", "source"],
                condition=models.Q(ended_at__isnull=True),
                name="disclosure_open_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(outside_agreement=True, agreement__isnull=True)
                | models.Q(outside_agreement=False, agreement__isnull=False),
                name="disclosure_agreement_or_outside",
            ),
            models.CheckConstraint(
                condition=models.Q(authorised_by__isnull=True, authorised_at__isnull=True)
                | models.Q(outside_agreement=True, authorised_by__isnull=False,
                           authorised_at__isnull=False),
                name="disclosure_authorised_outside_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} to {self.agency_id} ({self.basis})"

    @property
    def awaiting_reason(self) -> bool:
        """Outside an agreement, and no supervisor has yet given the reason for it."""
        return self.outside_agreement and self.authorised_by_id is None


class CourtHearing(models.Model):
    """A bail, charge or sentencing hearing: the victim's risk must be assessed before it."""

    class Kind(models.TextChoices):
        BAIL = "bail", "Bail hearing"
        CHARGE = "charge", "First hearing after charge"
        SENTENCING = "sentencing", "Sentencing hearing"
        TRIAL = "trial", "Trial"
        ORDER = "order", "Order application or review"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="hearings")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    court = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["kind", "date"], name="hearing_kind_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class PersonIdentifier(models.Model):
    """A key an agency holds for the victim or the suspect beyond name and date of birth, kept
    normalised so that two spellings of one key match (`referral.linking`)."""

    class Kind(models.TextChoices):
        PNC_ID = "pnc_id", "Police National Computer id"
        PHONE = "phone", "Phone number"
        EMAIL = "email", "Email address"
        ONLINE_ACCOUNT = "online_account", "Online account"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="identifiers")
    role = models.CharField(max_length=10, choices=PersonName.Role.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    platform = models.CharField(max_length=40, blank=True)
    value = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "role", "kind", "normalised"], name="identifier_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "normalised", "role"], name="identifier_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of the {self.role} on referral {self.referral_id}"
