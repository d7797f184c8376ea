"""Offences as crimes are recorded, and what the justice system did with each.

`Offence` holds its current state (status, police outcome, CPS decision, disposal, amounts and
dates), written only by `justice.services`, so that a report counts outcomes from one table.
"""

from django.conf import settings
from django.db import models

from agencies.models import Agency
from referral.models import Incident, ProtectiveOrder, Referral


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
