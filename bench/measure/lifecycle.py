"""Workflow throughput: whole lifecycles over HTTP, and the same rows written by plain SQL.

A lifecycle: police refer a case (three incidents in a year, one in the last month, so the
conference criteria's escalation route puts it on an agenda), the hub triages it, police,
probation and advocacy each claim and complete their research, the join puts it on the next
scheduled conference. Eight clients, each in its own region, run lifecycles back to back. The
client looks task ids up in the database (the API has no "task of this case" look-up; a person
would find it in their queue).

The floor copies the rows one HTTP lifecycle left in every table (referral, people, screening,
incidents, processes, tasks, their links, involvement, permissions, agenda item, notifications,
audit events) with fresh ids, one transaction per copy, by the same eight clients.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, models, transaction
from django.utils import timezone
from psycopg2.extras import execute_values
from viewflow.workflow.models import Process, Task

from agencies.models import Membership
from audit.models import Event
from conferences.models import AgendaItem
from referral.models import (
    Disclosure,
    Incident,
    Involvement,
    Person,
    PersonName,
    Referral,
    ReferralAgencyPermission,
    Screening,
    VictimContact,
)
from workflows.models import AgencyTask, CaseProcess, Notification

from .http import Client, Load, concurrently

RESEARCH_KINDS = ("police", "probation", "advocacy")


@dataclass
class Crew:
    """The people of one region who move one case along."""

    referrer: str
    hub: str
    research: dict[str, str]  # agency kind -> token


def crews(token_of) -> list[Crew]:
    """One crew per region (ten regions; the first eight are used)."""
    by_agency: dict[int, Membership] = {}
    for member in Membership.objects.select_related("agency", "user").order_by("user_id"):
        if member.roles == ["caseworker"] and not member.user.username.startswith("bench."):
            by_agency.setdefault(member.agency_id, member)
    teams = []
    regions = sorted({m.agency.region for m in by_agency.values() if m.agency.region})
    for region in regions:
        def first(kind: str, region=region) -> Membership:
            return min((m for m in by_agency.values()
                        if m.agency.region == region and m.agency.kind == kind),
                       key=lambda m: m.agency_id)
        teams.append(Crew(
            referrer=token_of(first("police")), hub=token_of(first("coordinator")),
            research={k: token_of(first(k)) for k in RESEARCH_KINDS},
        ))
    return teams


def _name() -> str:
    """A name of letters only: linking ignores digits, and a shared name would link the cases."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:14]).title()


def _payload(n: str) -> dict:
    now = timezone.now()
    return {
        "victim": {"name": f"Victim {n}", "date_of_birth": "1985-03-02"},
        "suspect": {"name": f"Suspect {n}", "date_of_birth": "1979-11-20"},
        "relationship": ["former_partner"],
        "behaviours": ["texts", "phone_calls"],
        "consent": True,
        "screening": {"instrument": "stalking-screen-v1",
                      "answers": dict.fromkeys(QUESTIONS, False)},
        "incidents": [
            {"occurred_at": (now - timedelta(days=d)).isoformat(), "behaviours": ["texts"],
             "description": "Forty texts in one evening."} for d in (10, 150, 250)
        ],
    }


QUESTIONS = ("very_frightened", "previous_harassment", "property_damage", "visits_3_per_week",
             "loitering", "threats_of_violence", "third_parties_harassed",
             "violence_in_incidents", "others_recruited", "substance_abuse",
             "history_of_violence")


def _task_id(referral_id: int, task_type: str, kind: str | None = None) -> int:
    tasks = AgencyTask.objects.filter(referral_id=referral_id, task_type=task_type, is_open=True)
    if kind:
        tasks = tasks.filter(agency__kind=kind)
    return tasks.values_list("pk", flat=True).get()


def _check(status: int, body: dict, what: str) -> dict:
    if status not in (200, 201):
        raise RuntimeError(f"{what}: {status} {str(body)[:300]}")
    return body


class Lifecycles:
    """Run lifecycles over HTTP; remember one finished case as the floor's template."""

    def __init__(self, host: tuple[str, int], teams: list[Crew]) -> None:
        self.host, self.teams = host, teams
        self.finished: list[int] = []
        self.lock = threading.Lock()

    def unit(self, index: int):
        crew = self.teams[index % len(self.teams)]
        referrer, hub = Client(self.host, crew.referrer), Client(self.host, crew.hub)
        research = {k: Client(self.host, t) for k, t in crew.research.items()}

        def lifecycle() -> None:
            body = _check(*referrer.post("/api/v1/referrals/", _payload(_name())), "refer")
            referral = body["id"]
            task = _task_id(referral, "triage")
            _check(*hub.post(f"/api/v1/tasks/{task}/claim/"), "claim triage")
            _check(*hub.post(f"/api/v1/tasks/{task}/complete/",
                             {"decision": "accept", "risk_level": body["risk_level"]}),
                   "triage")
            for kind, client in research.items():
                task = _task_id(referral, "research", kind)
                result = {"summary": "Two previous convictions for harassment.", "withheld": False}
                if kind == "police":
                    result["request_charging_advice"] = False
                _check(*client.post(f"/api/v1/tasks/{task}/claim/"), f"claim {kind}")
                _check(*client.post(f"/api/v1/tasks/{task}/complete/", result), kind)
            status = Referral.objects.filter(pk=referral).values_list("status", flat=True).get()
            if status != "conference":
                raise RuntimeError(f"lifecycle ended in {status!r}, not on an agenda")
            with self.lock:
                self.finished.append(referral)
            connection.close()

        return lifecycle

    def run(self, *, clients: int, seconds: float) -> tuple[Load, int]:
        """The load, and how many viewflow task rows (transitions) it wrote."""
        before = Task.objects.count()
        load = concurrently(self.unit, clients=clients, seconds=seconds)
        return load, Task.objects.count() - before


# --- The floor: the same rows, copied by plain SQL ------------------------------------------

# Tables in the order they are written, each with how to find one lifecycle's rows in it.
def _rows_of(referral_id: int) -> list[tuple[type[models.Model], models.QuerySet]]:
    referral = Referral.objects.get(pk=referral_id)
    processes = CaseProcess.objects.filter(referral_id=referral_id).values("pk")
    tasks = AgencyTask.objects.filter(process__in=processes).values("pk")
    return [
        (Person, Person.objects.filter(pk__in=[referral.victim_id, referral.suspect_id])),
        (Referral, Referral.objects.filter(pk=referral_id)),
        (PersonName, PersonName.objects.filter(referral_id=referral_id)),
        (VictimContact, VictimContact.objects.filter(referral_id=referral_id)),
        (Screening, Screening.objects.filter(referral_id=referral_id)),
        (Incident, Incident.objects.filter(referral_id=referral_id)),
        (Process, Process.objects.filter(pk__in=processes)),
        (CaseProcess, CaseProcess.objects.filter(pk__in=processes)),
        (Task, Task.objects.filter(pk__in=tasks)),
        (AgencyTask, AgencyTask.objects.filter(pk__in=tasks)),
        (Task.previous.through, Task.previous.through.objects.filter(from_task_id__in=tasks)),
        (Involvement, Involvement.objects.filter(referral_id=referral_id)),
        (Disclosure, Disclosure.objects.filter(referral_id=referral_id)),
        (ReferralAgencyPermission,
         ReferralAgencyPermission.objects.filter(content_object_id=referral_id)),
        (AgendaItem, AgendaItem.objects.filter(referral_id=referral_id)),
        (Notification, Notification.objects.filter(task_id__in=tasks)),
        (Event, Event.objects.filter(referral_id=referral_id)),
    ]


@dataclass
class Table:
    model: type[models.Model]
    fields: list[models.Field]
    rows: list[tuple]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


class PlainCopies:
    """Copies of one lifecycle's rows with fresh ids, foreign keys among them re-pointed."""

    def __init__(self, referral_id: int) -> None:
        self.tables = []
        for model, queryset in _rows_of(referral_id):
            fields = list(model._meta.local_concrete_fields)
            rows = list(queryset.order_by("pk").values_list(*[f.attname for f in fields]))
            self.tables.append(Table(model, fields, rows))
        self.lock = threading.Lock()
        self.next_id: dict[str, itertools.count] = {}
        with connection.cursor() as cursor:
            for t in self.tables:
                if t.model._meta.pk in t.fields and t.model._meta.pk.get_internal_type() in (
                        "AutoField", "BigAutoField"):
                    # Reserve a block of ids well past anything the application will write.
                    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                                   "nextval(pg_get_serial_sequence(%s, 'id')) + 50000000)",
                                   [t.table, t.table])
                    self.next_id[t.table] = itertools.count(cursor.fetchone()[0] - 49_999_999)

    @property
    def rows_per_copy(self) -> int:
        return sum(len(t.rows) for t in self.tables)

    def write_one(self) -> None:
        with self.lock:
            ids: dict[str, dict] = {}
            for t in self.tables:
                if t.table in self.next_id:
                    pk = t.model._meta.pk.attname
                    index = [f.attname for f in t.fields].index(pk)
                    ids[t.table] = {row[index]: next(self.next_id[t.table]) for row in t.rows}
        with transaction.atomic(), connection.cursor() as cursor:
            for t in self.tables:
                values = [self._copy(t, row, ids) for row in t.rows]
                if values:
                    columns = ", ".join(f.column for f in t.fields)
                    execute_values(cursor.cursor,
                                   f"INSERT INTO {t.table} ({columns}) VALUES %s",  # noqa: S608
                                   values)

    def _copy(self, t: Table, row: tuple, ids: dict[str, dict]) -> tuple:
        out = []
        for field, value in zip(t.fields, row, strict=True):
            if field.primary_key and t.table in ids:
                value = ids[t.table][value]
            elif field.is_relation and field.remote_field:
                target = field.remote_field.model._meta
                root = target.get_parent_list()[-1]._meta if target.get_parent_list() else target
                mapped = ids.get(target.db_table) or ids.get(root.db_table) or {}
                value = mapped.get(value, value)
            elif t.model is Event and field.attname == "referral_id":
                value = ids[Referral._meta.db_table].get(value, value)
            elif t.model is Referral and field.attname == "reference":
                value = f"P-{uuid.uuid4().hex[:16]}"
            elif t.model is Referral and field.attname == "timeline_id":
                value = ids[Referral._meta.db_table].get(value, value)
            out.append(field.get_db_prep_save(value, connection))
        return tuple(out)

    def unit(self, index: int):
        def copy() -> None:
            self.write_one()

        return copy
