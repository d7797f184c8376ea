"""Police applications for a stalking protection order, as `workflows.services.orders` and
`orders.services` record them.

For a share of the cases police research (`study.SPO_APPLICATION_SHARE`), police apply once
their research is done (`order_application_log` with the hearing it is listed for: an `order`
hearing and its assessment tasks, `Hearings._record`). The court may make an interim order
within days (`study.INTERIM_SPO_SHARE`); at the listed hearing it makes the full order
(`study.SPO_MADE_SHARE`, replacing an interim order) or refuses it (discharging one)
(`order_application_decide`). A full order made is served within days (`order_serve_log`):
the suspect's notification duty (SPA 2019 s.9) and the police's `notification_check` task,
due at the close of the third day after service. The check's result says whether the suspect
notified (`study.SPO_NOTIFICATION`); a late notice or none is a failure (`notification_log`):
an `spa_notification` offence and its enforcement task. Nothing is recorded after the case
closed or after the generator's "now"; the interim order is not served here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.utils import timezone

from audit.events import MASK
from justice.models import Offence, OffenceKind
from orders.models import Enforcement, NotificationDuty, OrderApplication, OrderChange
from orders.services import notification_due_on, spo_earliest_expiry
from referral.models import CourtHearing, ProtectiveOrder, Referral
from workflows import calendar
from workflows.services.orders import enforcement_deadline

from . import study
from .hearings import Hearings
from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Done, Tasks
from .trail import Trail

SPO = ProtectiveOrder.Kind.STALKING_PROTECTION_ORDER
INTERIM = ProtectiveOrder.Kind.INTERIM_SPO
CONDITIONS = ("Not to contact the victim by any means, directly or through others; not to go "
              "within 500 metres of her home or work; not to post about her online.")
REQUIREMENTS = "To attend an assessment for a stalking intervention."
REASON = "The stalking goes on after police warnings; the victim fears violence."
REFUSED = "The court was not satisfied the order was necessary on the evidence given."


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


class Applications:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, tasks: Tasks,
                 hearings: Hearings, directory: Directory, anchor: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.tasks = rng, ids, rows, trail, tasks
        self.hearings, self.directory, self.anchor = hearings, directory, anchor

    def apply(self, referral: Referral, region: Region, access: Access, research: Done,
              until: datetime, enforced: Callable[..., None]) -> ProtectiveOrder | None:
        """Police's application after their research (`research`), with what the court made
        of it, until `until` (the case's end or "now"). Returns the full order if one was made.
        `enforced(enforcement, offence, arrested, done)` is the enforcement task's completion
        for a failure to notify, as for a breach's."""
        rng = self.rng
        officer = research.actor
        at = research.at + timedelta(days=rng.uniform(1, 21))
        if at > until:
            return None
        court = f"{region.name} Magistrates' Court"
        application = self.rows.add(OrderApplication(
            id=self.ids.take(OrderApplication), referral_id=referral.pk,
            applied_on=timezone.localdate(at), court=court, reason=REASON, status="pending",
            agency_id=officer.agency.pk, recorded_by_id=officer.id, created_at=at,
        ))
        self._event(application, "made", officer, at)
        on = self.hearings._court_day(application.applied_on + timedelta(days=rng.randint(7, 28)))
        # The application's hearing, recorded with it and named on it.
        listed: list[CourtHearing] = []
        self.hearings._record(referral, region, access, CourtHearing.Kind.ORDER, on, officer, at,
                              into=listed)
        application.hearing_id = listed[0].pk if listed else None
        interim = None
        if rng.random() < study.INTERIM_SPO_SHARE:
            day = self.hearings._court_day(application.applied_on + timedelta(
                days=rng.randint(0, 3)))
            decided = max(self.hearings._office_hours(day, start=14), at + timedelta(hours=1))
            if day >= on or decided > until:
                return None
            interim = self._order(referral, INTERIM, day, None, court, officer, decided)
            application.interim_order_id = interim.pk
            self._decided(application, "interim_made", officer, decided)
        decided = self.hearings._office_hours(on, start=14)
        if decided > until:
            return None
        if rng.random() >= study.SPO_MADE_SHARE:
            application.reason = REFUSED
            if interim is not None:
                self._end(interim, "discharged", on, officer, decided, reason=REFUSED)
            self._decided(application, "refused", officer, decided)
            return None
        expires = None if rng.random() < 0.5 else spo_earliest_expiry(on)
        order = self._order(referral, SPO, on, expires, court, officer, decided,
                            requirements=REQUIREMENTS if rng.random() < 0.3 else "")
        if interim is not None:
            self._end(interim, "replaced", on, officer, decided)
        application.order_id = order.pk
        self._decided(application, "granted", officer, decided)
        self._serve(referral, region, access, order, decided, until, enforced)
        return order

    def _event(self, application: OrderApplication, verb: str, actor: Member,
               at: datetime) -> None:
        """`orders.events.order_application_event`."""
        self.trail.record(
            verb=f"order_application.{verb}", at=at, actor=actor, obj=application,
            referral_id=application.referral_id, reason=application.reason,
            changes={"kind": application.kind, "applied_on": _iso(application.applied_on),
                     "status": application.status, "court": MASK if application.court else "",
                     "interim_order": application.interim_order_id,
                     "order": application.order_id},
        )

    def _decided(self, application: OrderApplication, verb: str, actor: Member,
                 at: datetime) -> None:
        application.status = {"interim_made": "interim_made", "granted": "made",
                              "refused": "refused"}[verb]
        application.decided_at = at
        self._event(application, verb, actor, at)

    def _order(self, referral: Referral, kind: str, starts: date, expires: date | None,
               court: str, actor: Member, at: datetime, requirements: str = ""
               ) -> ProtectiveOrder:
        """`referral.services.order_create`, as the court made it on the application."""
        order = self.rows.add(ProtectiveOrder(
            id=self.ids.take(ProtectiveOrder), referral_id=referral.pk, kind=kind,
            conditions=CONDITIONS, starts=starts, expires=expires,
            made_by=ProtectiveOrder.MadeBy.COURT_ON_APPLICATION, court=court,
            requirements=requirements, agency=actor.agency, recorded_by_id=actor.id,
            created_at=at,
        ))
        self.trail.record(
            verb="order.recorded", at=at, actor=actor, obj=order, referral_id=referral.pk,
            changes={"kind": kind, "starts": starts.isoformat(), "expires": _iso(expires),
                     "conditions": MASK},
        )
        return order

    def _end(self, order: ProtectiveOrder, status: str, on: date, actor: Member, at: datetime,
             reason: str = "") -> None:
        """`orders.services._end_order`: the interim order replaced or discharged (its event
        is the application's)."""
        order.status, order.ended_on, order.updated_at = status, on, at
        self.rows.add(OrderChange(
            id=self.ids.take(OrderChange), order_id=order.pk, referral_id=order.referral_id,
            kind=status, on=on, expires_before=order.expires, expires_after=order.expires,
            reason=reason, agency=actor.agency, recorded_by_id=actor.id, created_at=at,
        ))

    def _serve(self, referral: Referral, region: Region, access: Access, order: ProtectiveOrder,
               made: datetime, until: datetime, enforced: Callable[..., None]) -> None:
        """`order_serve_log`: served, the notification duty and the police's check of it."""
        rng = self.rng
        at = made + timedelta(days=rng.uniform(0.2, 10))
        if at > until:
            return
        police = region.first("police")
        officer = self.directory.staff[police.pk].pick(rng)
        order.served_on, order.updated_at = timezone.localdate(at), at
        duty = self.rows.add(NotificationDuty(
            id=self.ids.take(NotificationDuty), order_id=order.pk, referral_id=referral.pk,
            served_on=order.served_on, due_on=notification_due_on(order.served_on),
            created_at=at,
        ))
        self.trail.record(
            verb="order.served", at=at, actor=officer, obj=order, referral_id=referral.pk,
            changes={"kind": order.kind, "served_on": _iso(order.served_on),
                     "notification_due_on": _iso(duty.due_on)},
        )
        notified = study.weighted(rng, study.SPO_NOTIFICATION)
        if notified == "on_time":
            result = {"complied": True, "notified_on": ""}  # the day is set when it is checked
        else:
            result = {"complied": False, "note": "Notified after the three days." if notified
                      == "late" else "Has not notified; not at the address given."}
        done = self.tasks.single(
            task_type="notification_check", agency=police, referral_id=referral.pk, at=at,
            due=calendar.end_of_day(duty.due_on), access=access, result=result,
            context={"order": order.pk, "served_on": duty.served_on.isoformat(),
                     "due_on": duty.due_on.isoformat()},
            applied=lambda done: self._checked(referral, region, access, order, duty, result,
                                               done, enforced),
        )
        duty.task_id = done.task.pk

    def _checked(self, referral: Referral, region: Region, access: Access,
                 order: ProtectiveOrder, duty: NotificationDuty, result: dict, done: Done,
                 enforced: Callable[..., None]) -> None:
        """`notification_log(by_task=True)`: complied (on a day between service and the check,
        within the three days) or failed, which opens an `spa_notification` offence and its
        enforcement (`_notification_failed`)."""
        day = timezone.localdate(done.at)
        if result["complied"]:
            notified = duty.served_on + timedelta(days=self.rng.randint(0, 3))
            duty.notified_on = max(duty.served_on, min(notified, duty.due_on, day))
            result["notified_on"] = duty.notified_on.isoformat()
        duty.status = "complied" if result["complied"] else "failed"
        duty.decided_at = done.at
        self.trail.record(
            verb=f"notification_check.{duty.status}", at=done.at, actor=done.actor, obj=order,
            referral_id=referral.pk, reason=result.get("note", ""),
            changes={"order": order.pk, "due_on": _iso(duty.due_on),
                     "notified_on": _iso(duty.notified_on), "complied": result["complied"]},
        )
        if result["complied"]:
            return
        offence = self.rows.add(Offence(
            id=self.ids.take(Offence), referral_id=referral.pk,
            kind=OffenceKind.SPA_NOTIFICATION, committed_from=duty.due_on,
            breach_of_order_id=order.pk, agency_id=done.task.agency_id,
            recorded_by_id=done.actor.id, created_at=done.at,
        ))
        self.trail.record(
            verb="offence.recorded", at=done.at, actor=done.actor, obj=offence,
            referral_id=referral.pk,
            changes={"kind": offence.kind, "label": "", "crime_reference": "",
                     "domestic_abuse": None, "breach_of_order": order.pk, "incident": None},
        )
        police = region.first("police")
        deadline = enforcement_deadline(region=police.region, order_kind=order.kind, at=done.at)
        enforcement = Enforcement(
            id=self.ids.take(Enforcement), referral_id=referral.pk, order_id=order.pk,
            notification_id=duty.pk, offence_id=offence.pk, agency_id=police.pk,
            due=deadline.due, policy=deadline.policy, created_at=done.at,
        )
        arrested = self.rng.random() < 0.3
        task = self.tasks.single(
            task_type="enforcement", agency=police, referral_id=referral.pk, at=done.at,
            due=deadline.due, access=access,
            context={"incident": None, "order": order.pk, "offence": offence.pk,
                     "policy_version": deadline.policy.version if deadline.policy else None,
                     "deadline": f"within {deadline.words} (local policy)"},
            result={"action_taken": "Suspect visited and told to notify.", "arrested": arrested},
            applied=lambda acted: enforced(enforcement, offence, arrested, acted),
        )
        enforcement.task_id = task.task.pk
        self.rows.add(enforcement)
