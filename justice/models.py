"""Offences as crimes are recorded, and what the justice system did with each.

`Offence` holds its current state (status, police outcome, CPS decision, disposal, amounts and
dates), written only by `justice.services`, so that a report counts outcomes from one table.
"""

from django.conf import settings
from django.db import models

from agencies.models import Agency
from referral.models import CourtHearing, Incident, ProtectiveOrder, Referral


class OffenceKind(models.TextChoices):
    PHA_S2 = "pha_s2", "Harassment (Protection from Harassment Act 1997 s.2)"
    PHA_S2A = "pha_s2a", "Stalking (Protection from Harassment Act 1997 s.2A)"
    PHA_S4 = "pha_s4", "Harassment putting people in fear of violence (PHA 1997 s.4)"
    PHA_S4A = "pha_s4a", (
        "Stalking involving fear of violence or serious alarm or distress (PHA 1997 s.4A)"
    )
    PHA_S5_5 = "pha_s5_5", "Breach of a restraining order (PHA 1997 s.5(5))"
    FLA_S42A = "fla_s42a", "Breach of a non-molestation order (Family Law Act 1996 s.42A)"
    SPA_S8 = "spa_s8", "Breach of a stalking protection order (Stalking Protection Act 2019 s.8)"
    SPA_NOTIFICATION = "spa_notification", "Failing to notify under a stalking protection order"
    MALICIOUS_COMMUNICATIONS = "malicious_communications", "Malicious communications (MCA 1988 s.1)"
    IMPROPER_COMMUNICATIONS = "improper_communications", (
        "Improper use of a communications network (CA 2003 s.127)"
    )
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage (CDA 1971 s.1)"
    COERCIVE_CONTROL = "coercive_control", "Controlling or coercive behaviour (SCA 2015 s.76)"
    THREATS_TO_KILL = "threats_to_kill", "Threats to kill (OAPA 1861 s.16)"
    OTHER = "other", "Other offence"


# The offence a breach of each kind of order is; bail and licence conditions are none (a bail
# breach is a power of arrest, a licence breach a recall).
BREACH_OFFENCE = {
    ProtectiveOrder.Kind.RESTRAINING_ORDER: OffenceKind.PHA_S5_5,
    ProtectiveOrder.Kind.NON_MOLESTATION_ORDER: OffenceKind.FLA_S42A,
    ProtectiveOrder.Kind.STALKING_PROTECTION_ORDER: OffenceKind.SPA_S8,
    ProtectiveOrder.Kind.INTERIM_SPO: OffenceKind.SPA_S8,
}


class Offence(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Under investigation"
        CHARGED = "charged", "Charged"
        CONVICTED = "convicted", "Convicted"
        ACQUITTED = "acquitted", "Acquitted"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        OUT_OF_COURT = "out_of_court", "Out-of-court disposal"
        DISCONTINUED = "discontinued", "Discontinued"

    class Disposal(models.TextChoices):
        IMMEDIATE_CUSTODY = "immediate_custody", "Immediate custody"
        SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence"
        COMMUNITY_ORDER = "community_order", "Community order"
        FINE = "fine", "Fine"
        CONDITIONAL_DISCHARGE = "conditional_discharge", "Conditional discharge"
        ABSOLUTE_DISCHARGE = "absolute_discharge", "Absolute discharge"
        HOSPITAL_ORDER = "hospital_order", "Hospital order"
        OTHER = "other", "Other sentence"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offences")
    kind = models.CharField(max_length=30, choices=OffenceKind.choices)
    label = models.CharField(max_length=200, blank=True)
    crime_reference = models.CharField(max_length=40, blank=True, db_index=True)
    domestic_abuse = models.BooleanField(null=True, blank=True)
    committed_from = models.DateField(null=True, blank=True)
    committed_to = models.DateField(null=True, blank=True)
    breach_of_order = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT,
        related_name="breach_offences",
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="offences"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    # Current state, kept by justice.services.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    police_outcome = models.CharField(max_length=40, blank=True)
    cps_decision = models.CharField(max_length=30, blank=True)
    disposal = models.CharField(max_length=30, choices=Disposal.choices, blank=True)
    custody_days = models.PositiveIntegerField(null=True, blank=True)
    fine_pence = models.PositiveIntegerField(null=True, blank=True)
    treatment_required = models.BooleanField(default=False)
    charged_on = models.DateField(null=True, blank=True)
    convicted_on = models.DateField(null=True, blank=True)
    sentenced_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fine_pence__isnull=True) | models.Q(disposal="fine"),
                name="offence_fine_only_with_fine",
            ),
            models.CheckConstraint(
                condition=models.Q(custody_days__isnull=True)
                | models.Q(disposal__in=["immediate_custody", "suspended_sentence"]),
                name="offence_custody_days_only_with_custody",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="other") | ~models.Q(label=""),
                name="offence_other_has_label",
            ),
        ]
        indexes = [
            models.Index(fields=["referral", "created_at"], name="offence_referral_idx"),
            models.Index(fields=["status", "disposal"], name="offence_status_idx"),
            models.Index(fields=["kind", "status"], name="offence_kind_idx"),
            models.Index(
                fields=["breach_of_order"], name="offence_breach_idx",
                condition=models.Q(breach_of_order__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on referral {self.referral_id}"

    @property
    def title(self) -> str:
        return self.label or self.get_kind_display()


class WarningSigns(models.Model):
    """The four warning signs of stalking (fixated, obsessive, unwanted, repeated) as one agency
    saw them at referral or triage: yes, no or not known (null). The latest record is shown."""

    class Stage(models.TextChoices):
        REFERRAL = "referral", "At referral"
        TRIAGE = "triage", "At triage"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="warning_signs")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    fixated = models.BooleanField(null=True, blank=True)
    obsessive = models.BooleanField(null=True, blank=True)
    unwanted = models.BooleanField(null=True, blank=True)
    repeated = models.BooleanField(null=True, blank=True)
    offences_considered = models.JSONField(default=list, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["referral", "created_at"], name="warning_signs_idx")]

    def __str__(self) -> str:
        return f"Warning signs {self.get_stage_display().lower()} on referral {self.referral_id}"


class PoliceDecision(models.Model):
    """What the police did with an offence: an action (arrest, interview) or an outcome."""

    class Kind(models.TextChoices):
        ARRESTED = "arrested", "Arrested"
        VOLUNTARY_INTERVIEW = "voluntary_interview", "Interviewed voluntarily"
        BAILED = "bailed", "Released on police bail"
        RELEASED_UNDER_INVESTIGATION = (
            "released_under_investigation", "Released under investigation"
        )
        REFERRED_TO_CPS = "referred_to_cps", "Referred to CPS for a charging decision"
        CHARGED = "charged", "Charged by police"
        SUMMONSED = "summonsed", "Summonsed"
        CAUTIONED = "cautioned", "Cautioned"
        COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
        NO_FURTHER_ACTION = "no_further_action", "No further action"

    class NfaReason(models.TextChoices):
        # Home Office outcome codes 14, 15, 16, 18 and 21 (to confirm).
        EVIDENTIAL_VICTIM_SUPPORTS = (
            "evidential_victim_supports", "Evidential difficulties, the victim supports action"
        )
        EVIDENTIAL_VICTIM_DOES_NOT_SUPPORT = (
            "evidential_victim_does_not_support",
            "Evidential difficulties, the victim does not support action",
        )
        SUSPECT_NOT_IDENTIFIED = "suspect_not_identified", "Suspect not identified"
        PUBLIC_INTEREST = "public_interest", "Not in the public interest"
        OTHER = "other", "Other reason"

    offence = models.ForeignKey(Offence, on_delete=models.CASCADE, related_name="police_decisions")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    nfa_reason = models.CharField(max_length=40, choices=NfaReason.choices, blank=True)
    reason = models.TextField(blank=True)
    bail_conditions = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="no_further_action") | ~models.Q(nfa_reason=""),
                name="police_decision_nfa_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["offence", "decided_on"], name="police_decision_offence_idx"),
            models.Index(fields=["kind", "decided_on"], name="police_decision_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.decided_on}"


# The police decisions that end the police's part (an outcome); the others are steps on the way.
OUTCOME_KINDS = frozenset(PoliceDecision.Kind.values) - {
    PoliceDecision.Kind.ARRESTED, PoliceDecision.Kind.VOLUNTARY_INTERVIEW,
}


class ChargingDecision(models.Model):
    """A CPS charging decision on one offence, or on the case as a whole (`offence` null)."""

    class Decision(models.TextChoices):
        CHARGE = "charge", "Charge"
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        MORE_EVIDENCE = "more_evidence", "More evidence needed"
        OUT_OF_COURT_DISPOSAL = "out_of_court_disposal", "Out-of-court disposal"
        DISCONTINUED = "discontinued", "Discontinued"
        CHARGE_ALTERED = "charge_altered", "Charge altered"

    class Test(models.TextChoices):
        FULL_CODE = "full_code", "Full Code Test"
        THRESHOLD = "threshold", "Threshold Test"

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="charging_decisions"
    )
    offence = models.ForeignKey(
        Offence, null=True, blank=True, on_delete=models.CASCADE,
        related_name="charging_decisions",
    )
    decision = models.CharField(max_length=30, choices=Decision.choices)
    charged_as = models.CharField(max_length=30, choices=OffenceKind.choices, blank=True)
    test = models.CharField(max_length=10, choices=Test.choices, blank=True)
    # The offence in the words of a charging review's free-text `offence` (charging content: it
    # stays in this section, never on the offence row others read).
    offence_named = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    decided_on = models.DateField()
    task = models.ForeignKey(
        "workflows.AgencyTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "id"]
        indexes = [
            models.Index(fields=["decision", "decided_on"], name="charging_decision_idx"),
            models.Index(fields=["referral", "decided_on"], name="charging_referral_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.decided_on}"


class HearingOutcome(models.Model):
    """What a hearing decided, for one offence or the whole case."""

    class Result(models.TextChoices):
        REMANDED_IN_CUSTODY = "remanded_in_custody", "Remanded in custody"
        BAIL_UNCONDITIONAL = "bail_unconditional", "Unconditional bail"
        BAIL_WITH_CONDITIONS = "bail_with_conditions", "Bail with conditions"
        PLEA_GUILTY = "plea_guilty", "Pleaded guilty"
        PLEA_NOT_GUILTY = "plea_not_guilty", "Pleaded not guilty"
        CONVICTED = "convicted", "Convicted"
        ACQUITTED = "acquitted", "Acquitted"
        ADJOURNED = "adjourned", "Adjourned"
        SENTENCED = "sentenced", "Sentenced"
        DISCONTINUED = "discontinued", "Discontinued"
        ORDER_MADE = "order_made", "Order made"
        ORDER_REFUSED = "order_refused", "Order refused"

    hearing = models.ForeignKey(CourtHearing, on_delete=models.CASCADE, related_name="outcomes")
    offence = models.ForeignKey(
        Offence, null=True, blank=True, on_delete=models.CASCADE, related_name="hearing_outcomes"
    )
    result = models.CharField(max_length=30, choices=Result.choices)
    bail_conditions = models.ForeignKey(
        ProtectiveOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["hearing", "result"], name="hearing_outcome_idx")]

    def __str__(self) -> str:
        return self.get_result_display()


class Sentence(models.Model):
    """The sentence passed for an offence (one per offence), with its requirements and the
    orders made on conviction."""

    offence = models.OneToOneField(Offence, on_delete=models.CASCADE, related_name="sentence")
    hearing = models.ForeignKey(
        CourtHearing, null=True, blank=True, on_delete=models.SET_NULL, related_name="sentences"
    )
    sentenced_on = models.DateField()
    disposal = models.CharField(max_length=30, choices=Offence.Disposal.choices)
    custody_days = models.PositiveIntegerField(null=True, blank=True)
    suspended_for_days = models.PositiveIntegerField(null=True, blank=True)
    fine_pence = models.PositiveIntegerField(null=True, blank=True)
    compensation_pence = models.PositiveIntegerField(null=True, blank=True)
    orders = models.ManyToManyField(ProtectiveOrder, blank=True, related_name="sentences")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(disposal="fine") | models.Q(fine_pence__gt=0),
                name="sentence_fine_has_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(disposal__in=["immediate_custody", "suspended_sentence"])
                | models.Q(custody_days__gt=0),
                name="sentence_custody_has_days",
            ),
        ]
        indexes = [models.Index(fields=["disposal", "sentenced_on"], name="sentence_disposal_idx")]

    def __str__(self) -> str:
        return f"{self.get_disposal_display()} on {self.sentenced_on}"


class SentenceRequirement(models.Model):
    """A requirement of a community order or suspended sentence."""

    class Kind(models.TextChoices):
        UNPAID_WORK = "unpaid_work", "Unpaid work"
        REHABILITATION_ACTIVITY = "rehabilitation_activity", "Rehabilitation activity"
        ACCREDITED_PROGRAMME = "accredited_programme", "Accredited programme"
        MENTAL_HEALTH_TREATMENT = "mental_health_treatment", "Mental health treatment"
        DRUG_REHABILITATION = "drug_rehabilitation", "Drug rehabilitation"
        ALCOHOL_TREATMENT = "alcohol_treatment", "Alcohol treatment"
        CURFEW = "curfew", "Curfew"
        EXCLUSION = "exclusion", "Exclusion"
        PROHIBITED_ACTIVITY = "prohibited_activity", "Prohibited activity"
        RESIDENCE = "residence", "Residence"
        ELECTRONIC_MONITORING = "electronic_monitoring", "Electronic monitoring"
        OTHER = "other", "Other requirement"

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    detail = models.TextField(blank=True)
    length_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


# Requirements that are treatment for the offender (an intervention follows each).
TREATMENT_REQUIREMENTS = frozenset({
    SentenceRequirement.Kind.MENTAL_HEALTH_TREATMENT,
    SentenceRequirement.Kind.DRUG_REHABILITATION,
    SentenceRequirement.Kind.ALCOHOL_TREATMENT,
    SentenceRequirement.Kind.ACCREDITED_PROGRAMME,
})
