"""The leak hunt's population: cases at every stage, every field a marker, driven through the API.

Each free-text field of each case carries its own marker (`mkr` + 13 lowercase letters, so it
survives name normalising, HTML escaping and e-mail validation unchanged); `Registry` says which
case(s) and which policy section each marker belongs to, so a reader can tell whether an account
may see it. Case references are tracked too: a reference is the case's own existence.
"""

from __future__ import annotations

import contextlib
import random
import string
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tests.referral.factories import answers
from tests.tokens import token_for

LETTERS = string.ascii_lowercase
MARKER_LENGTH = 16  # "mkr" + 13 letters
CASE_LEVEL = "case"  # not a policy section: what any involved content reader sees (summary...)


@dataclass(frozen=True)
class Grant:
    """Where a marker may be read.

    kind "case": readable by an account whose agency may see case `case` and read `section`
    (`CASE_LEVEL`: any content role). kind "note": a conference note, additionally only for the
    meeting's invited agencies and, when restricted, only those in `visible_to`.
    kind "conference": conference-level material (general notes, the minutes task).
    `consented_kinds`: what the victim gave under consent, which an agency kind reading the
    section is shown only when the consent covers it (`policy.sees_consented_content`).
    """

    kind: str
    case: str | None
    section: str
    conference: str | None = None
    visible_to: tuple[str, ...] | None = None
    field: str = ""
    consented_kinds: tuple[str, ...] | None = None

    def describe(self, ids: dict[str, int]) -> str:
        where = f"case {self.case}#{ids.get(self.case, '?')}" if self.case else ""
        if self.conference:
            where += f" conference {self.conference}#{ids.get(self.conference, '?')}"
        restricted = f" visible_to={list(self.visible_to)}" if self.visible_to is not None else ""
        return f"{self.section}.{self.field} of {where.strip()}{restricted}"


@dataclass
class Registry:
    markers: dict[str, list[Grant]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random())  # noqa: S311

    consented: set[str] = field(default_factory=set)  # markers narrowed by the consent

    def new(self, case: str | None, section: str, name: str, *, kind: str = "case",
            conference: str | None = None, visible_to=None, consented_kinds=None) -> str:
        marker = "mkr" + "".join(self.rng.choice(LETTERS) for _ in range(MARKER_LENGTH - 3))
        self.markers[marker] = [Grant(kind, case, section, conference,
                                      tuple(visible_to) if visible_to is not None else None, name,
                                      tuple(consented_kinds) if consented_kinds is not None
                                      else None)]
        if consented_kinds is not None:
            self.consented.add(marker)
        return marker

    def share(self, marker: str, case: str, section: str, name: str) -> None:
        """The same value (a linked person's name) also belongs to another case."""
        self.markers[marker].append(Grant("case", case, section, field=name))


@dataclass
class Person:
    name: str
    date_of_birth: str
    address: str
    aliases: list[str]
    markers: dict[str, tuple[str, str]]  # marker -> (section, field)


class Population:
    """Builds the cases through the API as the demo accounts would, remembering every id."""

    def __init__(self, demo, *, rounds: int = 1):
        self.demo = demo
        self.rounds = rounds
        self.registry = Registry()
        self.ids: dict[str, int] = {}  # case or conference key -> id
        self.references: dict[str, int] = {}  # reference -> referral id
        self.responses: list[tuple[str, str, int, str]] = []  # (username, url, status, body)
        self.clients: dict[str, APIClient] = {}
        self._dob = 0
        self.on_response = None  # (username, url, status, body) -> None: checked as answered

    # --- plumbing --------------------------------------------------------------------------

    def client(self, username: str) -> APIClient:
        if username not in self.clients:
            c = APIClient()
            c.credentials(HTTP_AUTHORIZATION=f"Token {token_for(self.demo[username].user)}")
            self.clients[username] = c
        return self.clients[username]

    def post(self, username: str, url: str, body=None, *, expect=(200, 201), check=True,
             method: str = "post"):
        response = getattr(self.client(username), method)(url, body or {}, format="json")
        self.responses.append((username, url, response.status_code, response.content.decode()))
        if check and self.on_response is not None:
            self.on_response(*self.responses[-1])
        if expect and response.status_code not in expect:
            raise AssertionError(f"{username} {method.upper()} {url}: {response.status_code} "
                                 f"{response.content[:500]!r}")
        return response

    def patch(self, username: str, url: str, body=None):
        return self.post(username, url, body, method="patch")

    def work(self, username: str, task_type: str, case: str | None, data: dict,
             *, referral_id: int | None = None) -> dict:
        """Claim and complete the open task of this type on this case for the user's agency."""
        from workflows.models import AgencyTask

        rid = referral_id if referral_id is not None else (self.ids[case] if case else None)
        agency = self.demo[username].agency
        task = (AgencyTask.objects.filter(task_type=task_type, referral_id=rid, agency=agency,
                                          is_open=True).order_by("pk").first())
        assert task is not None, (username, task_type, case, list(
            AgencyTask.objects.filter(referral_id=rid, is_open=True)
            .values_list("task_type", "agency__slug")))
        self.post(username, f"/api/v1/tasks/{task.pk}/claim/")
        return self.post(username, f"/api/v1/tasks/{task.pk}/complete/", data).json()

    def _next_dob(self) -> str:
        self._dob += 1
        born = timezone.localdate().replace(year=1970) + timedelta(days=37 * self._dob)
        return born.isoformat()

    def person(self, key: str, role: str) -> Person:
        """A person with marker name, address and alias (victim or suspect section)."""
        section = "victim" if role == "victim" else "suspect"
        r = self.registry
        name = r.new(key, section, "name")
        alias = r.new(key, section, "aliases")
        # The victim's address is contact detail whichever key it is sent under.
        address = r.new(key, "victim_contact" if role == "victim" else "suspect", "address")
        markers = {name: (section, "name"), alias: (section, "aliases"),
                   address: ("victim_contact" if role == "victim" else section, "address")}
        return Person(name=f"{name} Example", date_of_birth=self._next_dob(), address=address,
                      aliases=[alias], markers=markers)

    def reuse(self, person: Person, case: str) -> Person:
        for marker, (section, name) in person.markers.items():
            self.registry.share(marker, case, section, name)
        return person

    def refer(self, case: str, username: str, victim: Person, suspect: Person, *, yes: int,
              incidents: bool = False, orders: bool = False, expect=(201,),
              **extra) -> dict | None:
        r = self.registry
        body = {
            "victim": {"name": victim.name, "date_of_birth": victim.date_of_birth,
                       "aliases": victim.aliases, "enhanced_rights": False},
            "suspect": {"name": suspect.name, "date_of_birth": suspect.date_of_birth,
                        "address": suspect.address, "aliases": suspect.aliases},
            "relationship": ["former_partner"],
            "behaviours": ["phone_calls", "following"],
            "stalking_since": "2024-09-01",
            "consent": True,
            "screening": {"instrument": "stalking-screen-v1", "answers": answers(yes)},
            "summary": f"Summary {r.new(case, CASE_LEVEL, 'summary')}.",
            **extra,
        }
        if self.demo[username].agency.kind in ("police", "advocacy"):  # who may write it
            body["victim_contact"] = {
                # A phone number must be one (no marker fits it); the section's other fields
                # carry its markers.
                "phone": "07700 900123",
                "email": f"{r.new(case, 'victim_contact', 'email')}@example.org",
                "address": victim.address,
                "safe_contact_method": r.new(case, "victim_contact", "safe_contact_method"),
            }
        if incidents:
            body["incidents"] = [{
                "occurred_at": (timezone.now() - timedelta(days=3)).isoformat(),
                "behaviours": ["texts"],
                "description": f"Incident {r.new(case, 'incidents', 'description')}",
            }]
        if orders:
            body["orders"] = [{
                "kind": "restraining_order",
                "conditions": f"Conditions {r.new(case, 'orders', 'conditions')}",
                "starts": (timezone.localdate() - timedelta(days=30)).isoformat(),
                "expires": (timezone.localdate() + timedelta(days=300)).isoformat(),
            }]
        # The victim's address sent in the victim section is refused, and nothing is stored.
        misplaced = {**body, "victim": {**body["victim"], "address": victim.address}}
        self.post(username, "/api/v1/referrals/", misplaced, expect=(400,))
        response = self.post(username, "/api/v1/referrals/", body, expect=expect, check=False)
        data = response.json() if response.status_code == 201 else None
        if data is not None:
            self.ids[case] = data["id"]
            self.references[data["reference"]] = data["id"]
        if self.on_response is not None:  # once the new case's id is known
            self.on_response(*self.responses[-1])
        return data

    # --- the stages -------------------------------------------------------------------------

    def research(self, case: str, *, charging: bool, threat: bool) -> None:
        r = self.registry
        for username in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
            data = {
                "summary": r.new(case, "research", f"summary_{username.split('.')[0]}"),
                "facts": r.new(case, "research", f"facts_{username.split('.')[0]}"),
                "opinions": r.new(case, "research", f"opinions_{username.split('.')[0]}"),
                "withheld": True,
                "withheld_reason": r.new(case, "research", f"withheld_{username.split('.')[0]}"),
            }
            if username.startswith("police"):
                data["request_charging_advice"] = charging
            self.work(username, "research", case, data)
        if threat:
            # The unit shares the recommendations, never the formulation: the recommendations
            # and the basis for sharing are the task's work (threat assessment) and the shared
            # record (threat recommendations) both.
            recommendations = r.new(case, "threat_assessment", "recommendations")
            basis = r.new(case, "threat_assessment", "sharing_basis")
            for marker, name in ((recommendations, "recommendations"), (basis, "sharing_basis")):
                r.share(marker, case, "threat_recommendations", name)
            self.work("ftac.caseworker", "threat_assessment", case, {
                "summary": r.new(case, "threat_assessment", "summary"),
                "risk_formulation": r.new(case, "threat_assessment", "risk_formulation"),
                "recommendations": recommendations,
                "share_recommendations": True,
                "sharing_basis": basis,
            })
        if charging:
            self.work("cps.caseworker", "charging_review", case, {
                "decision": "charge",
                "offence": r.new(case, "charging", "offence"),
                "reason": r.new(case, "charging", "reason"),
            })
            self.work("police.caseworker", "victim_update", case, {
                "contacted": True, "method": r.new(case, "victim_contact", "update_method"),
                "note": r.new(case, "victim_contact", "update_note")})

    def triage(self, case: str, decision: str = "accept", risk: str = "high") -> None:
        data = {"decision": decision, "risk_level": risk}
        if decision != "accept":
            data["reason"] = self.registry.new(case, CASE_LEVEL, "triage_reason")
        self.work("hub.caseworker", "triage", case, data)

    def court_and_breach(self, case: str) -> None:
        """An order, a breach of it (enforcement), a hearing (its three tasks)."""
        r, rid = self.registry, self.ids[case]
        order = self.post("police.caseworker", f"/api/v1/referrals/{rid}/orders/", {
            "kind": "stalking_protection_order",
            "conditions": f"Keep away {r.new(case, 'orders', 'conditions2')}",
            "starts": (timezone.localdate() - timedelta(days=10)).isoformat(),
            "expires": (timezone.localdate() + timedelta(days=200)).isoformat(),
        }).json()
        self.post("police.caseworker", f"/api/v1/referrals/{rid}/incidents/", {
            "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "behaviours": ["loitering"],
            "description": f"Breach {r.new(case, 'incidents', 'breach_description')}",
            "breach_of_order": order["id"],
        })
        self.work("police.caseworker", "enforcement", case, {
            "action_taken": r.new(case, CASE_LEVEL, "enforcement_action"), "arrested": True})
        self.work("police.caseworker", "victim_update", case, {
            "contacted": True, "method": r.new(case, "victim_contact", "arrest_update_method"),
            "note": r.new(case, "victim_contact", "arrest_update_note")})
        self.post("police.caseworker", f"/api/v1/referrals/{rid}/hearings/", {
            "kind": "bail", "date": (timezone.localdate() + timedelta(days=20)).isoformat(),
            "court": r.new(case, CASE_LEVEL, "court")})
        for username in ("advocacy.caseworker", "police.caseworker"):
            who = username.split(".")[0]
            answers = {
                "risk_level": "high",
                "summary": r.new(case, "assessments", f"prehearing_{who}"),
                "victim_views": r.new(case, "assessments", f"victim_views_{who}"),
                "recommendation": r.new(case, "assessments", f"recommendation_{who}"),
            }
            if who == "police":  # police alone ask the victim which bail conditions they want
                answers["bail_conditions_sought"] = r.new(case, "assessments", "bail_sought")
            self.work(username, "pre_hearing_risk_assessment", case, answers)
        self.work("cps.caseworker", "psychiatric_assessment_request", case, {
            "request": True, "reason": r.new(case, "assessments", "psychiatric_request_reason")})

    def offences_and_court(self, case: str) -> None:
        """Offences (one charged, convicted and sentenced at a trial held today; one ended by
        the police with no further action), and the victim's right to review that decision."""
        r, rid = self.registry, self.ids[case]
        today = timezone.localdate().isoformat()
        offences = f"/api/v1/referrals/{rid}/offences/"
        charged = self.post("police.caseworker", offences, {
            "kind": "other", "label": r.new(case, "offences", "offence_label"),
            "crime_reference": "13/1/26", "domestic_abuse": True}).json()["id"]
        self.post("police.caseworker", f"{offences}{charged}/police-decisions/", {
            "kind": "arrested", "decided_on": today,
            "reason": r.new(case, "offences", "arrest_reason")})
        self.post("cps.caseworker", f"{offences}{charged}/charging-decisions/", {
            "decision": "charge", "decided_on": today, "test": "full_code",
            "reason": r.new(case, "charging", "charging_decision_reason")})
        hearing = self.post("police.caseworker", f"/api/v1/referrals/{rid}/hearings/", {
            "kind": "trial", "date": today, "court": r.new(case, CASE_LEVEL, "trial_court")})
        self.work("advocacy.caseworker", "pre_hearing_risk_assessment", case, {
            "risk_level": "high", "summary": r.new(case, "assessments", "trial_summary"),
            "victim_views": r.new(case, "assessments", "trial_victim_views")})
        self.post("cps.caseworker",
                  f"/api/v1/referrals/{rid}/hearings/{hearing.json()['id']}/outcomes/", {
                      "result": "convicted", "offence": charged,
                      "note": r.new(case, "court", "outcome_note")})
        self.post("cps.caseworker", f"{offences}{charged}/sentence/", {
            "disposal": "community_order", "sentenced_on": today,
            "hearing": hearing.json()["id"],
            "requirements": [
                {"kind": "mental_health_treatment",
                 "detail": r.new(case, "court", "requirement_detail")},
                {"kind": "other", "detail": r.new(case, "court", "requirement_other")}],
            "orders": [{"kind": "restraining_order", "starts": today,
                        "conditions": r.new(case, "orders", "conviction_order_conditions")}]})
        ended = self.post("police.caseworker", offences, {
            "kind": "other", "label": r.new(case, "offences", "nfa_offence_label")}).json()["id"]
        self.post("police.caseworker", f"{offences}{ended}/police-decisions/", {
            "kind": "no_further_action", "decided_on": today, "nfa_reason": "other",
            "reason": r.new(case, "offences", "nfa_reason")})
        voice = self.client("police.caseworker").get(
            f"/api/v1/referrals/{rid}/victim-voice/").json()
        [review] = [v["id"] for v in voice.get("reviews", []) if v["decided_by_kind"] == "police"]
        self.post("police.caseworker", f"/api/v1/referrals/{rid}/victim-voice/right-to-review/",
                  {"review": review, "requested_on": today})
        # The decider may not review their own decision: their supervisor does.
        self.work("police.supervisor", "right_to_review", case, {
            "outcome": "upheld", "reason": r.new(case, "victim_voice", "review_reason")})

    def orders_life(self, case: str) -> None:
        """A stalking protection order applied for and made; then its conditions varied (its
        requirements stay as made, shown)."""
        r, rid = self.registry, self.ids[case]
        today = timezone.localdate()
        base = f"/api/v1/referrals/{rid}"
        application = self.post("police.caseworker", f"{base}/order-applications/", {
            "applied_on": (today - timedelta(days=5)).isoformat(),
            "court": r.new(case, "orders", "application_court"),
            "reason": r.new(case, "orders", "application_reason")}).json()
        decided = self.post(
            "police.caseworker", f"{base}/order-applications/{application['id']}/decision/", {
                "decision": "made", "on": (today - timedelta(days=2)).isoformat(),
                "conditions": r.new(case, "orders", "spo_conditions"),
                "requirements": r.new(case, "orders", "spo_requirements"),
                "reason": r.new(case, "orders", "decision_reason")}).json()
        self.post("police.caseworker", f"{base}/orders/{decided['order']}/changes/", {
            "kind": "varied", "on": today.isoformat(),
            "conditions": r.new(case, "orders", "varied_conditions"),
            "reason": r.new(case, "orders", "change_reason")})

    def assessments_and_interventions(self, case: str) -> None:
        """The psychiatric assessment CPS sought, followed by the unit; the perpetrator's
        intervention plan: an assessment and a programme."""
        r, rid = self.registry, self.ids[case]
        base = f"/api/v1/referrals/{rid}"
        sought = self.client("police.caseworker").get(f"{base}/assessments/").json()
        [assessment] = [a["id"] for a in sought["psychiatric"] if a["status"] == "sought"]
        self.post("ftac.caseworker", f"{base}/psychiatric-assessments/{assessment}/", {
            "status": "requested", "provider": r.new(case, "assessments", "psychiatric_provider")})
        self.post("ftac.caseworker", f"{base}/psychiatric-assessments/{assessment}/", {
            "status": "not_ordered", "reason": r.new(case, "assessments", "psychiatric_reason")})
        self.post("probation.caseworker", f"{base}/perpetrator-assessments/", {
            "instrument": "srp", "assessor_trained": True, "persistence": "high",
            "recurrence": "moderate", "violence": "low",
            "assessor": r.new(case, "interventions", "assessor"),
            "summary": r.new(case, "interventions", "perpetrator_summary")})
        offered = self.post("probation.caseworker", f"{base}/interventions/", {
            "kind": "domestic_abuse_programme", "vehicle": "voluntary",
            "fit_reason": r.new(case, "interventions", "fit_reason"),
            "provider": r.new(case, "interventions", "provider")}).json()
        [programme] = [i["id"] for i in offered["interventions"]
                       if i["kind"] == "domestic_abuse_programme"]
        self.post("probation.caseworker", f"{base}/interventions/{programme}/status/", {
            "status": "declined", "reason": r.new(case, "interventions", "declined_reason")})

    def victims_voice(self, case: str, consent=("police", "cps", "advocacy", "coordinator")
                      ) -> None:
        """The victim's wishes (given under consent: shown to the kinds reading the victim's
        voice that `consent` covers, and to police and advocacy always), consent, entitlement,
        safety plan, statement; a contact; a child at risk and the safeguarding referral."""
        r, rid = self.registry, self.ids[case]
        today = timezone.localdate().isoformat()
        voice = f"/api/v1/referrals/{rid}/victim-voice"
        self.post("advocacy.caseworker", f"{voice}/consent/", {
            "agency_kinds": list(consent),
            "covers": r.new(case, "victim_voice", "consent_covers"), "given_on": today})
        shown_to = sorted({*consent, "police", "advocacy"})
        for part, body in (
            ("wishes", {"supports_prosecution": True,
                        "wishes": r.new(case, "victim_voice", "wishes",
                                        consented_kinds=shown_to),
                        "contact_preferences": r.new(case, "victim_voice", "contact_preferences",
                                                     consented_kinds=shown_to),
                        "given_under_consent": True}),
            ("entitlement", {"enhanced": False,
                             "opt_out_reason": r.new(case, "victim_voice", "opt_out_reason")}),
            ("safety-plan", {"agreed_on": today, "review_on": today,
                             "summary": r.new(case, "victim_voice", "safety_plan")}),
            ("statement", {"offered_on": today, "made": False,
                           "declined_reason": r.new(case, "victim_voice", "statement_declined")}),
        ):
            self.post("advocacy.caseworker", f"{voice}/{part}/", body)
        self.post("advocacy.caseworker", f"/api/v1/referrals/{rid}/contacts/", {
            "method": "phone", "reached": True,
            "note": r.new(case, "victim_contact", "contact_note")})
        others = f"/api/v1/referrals/{rid}/others-at-risk/"
        person = self.post("police.caseworker", others, {
            "relation": "child", "name": r.new(case, "safeguarding", "person_at_risk_name"),
            "notes": r.new(case, "safeguarding", "person_at_risk_notes")}).json()
        self.post("police.caseworker", f"{others}{person['id']}/safeguarding/", {
            "referred_on": today, "to": r.new(case, "safeguarding", "safeguarding_to"),
            "outcome": r.new(case, "safeguarding", "safeguarding_outcome")})

    def evidence(self, case: str) -> None:
        """Files on the case, each with markers in its name, description and content (plain
        text, so a download shows them): incidents and the victim's contact details (police),
        a threat assessment (the psychiatric unit)."""
        r, rid = self.registry, self.ids[case]
        for username, section in (("police.caseworker", "incidents"),
                                  ("police.caseworker", "victim_contact"),
                                  ("ftac.caseworker", "threat_assessment")):
            name = f"{r.new(case, section, 'evidence_name')}.txt"
            content = f"Messages {r.new(case, section, 'evidence_content')}\n".encode()
            url = f"/api/v1/referrals/{rid}/evidence/"
            response = self.client(username).post(url, {
                "file": SimpleUploadedFile(name, content, content_type="text/plain"),
                "section": section,
                "description": r.new(case, section, "evidence_description"),
            }, format="multipart")
            self.responses.append((username, url, response.status_code,
                                   response.content.decode()))
            if self.on_response is not None:
                self.on_response(*self.responses[-1])
            if response.status_code != 201:
                raise AssertionError(f"{username} POST {url}: {response.status_code} "
                                     f"{response.content[:500]!r}")

    def conference(self, key: str, invited: list[str]) -> int:
        response = self.post("hub.chair", "/api/v1/conferences/", {
            "title": f"Leak hunt meeting {key}",
            "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "invited_agencies": invited,
        })
        self.ids[key] = response.json()["id"]
        return self.ids[key]

    def meeting(self, key: str, invited: list[str], cases: list[str]) -> None:
        """Everyone acknowledges; notes (open, restricted, general), decisions, actions; the
        items heard, the meeting closed, its minutes signed and sent."""
        from agencies.models import Membership
        from conferences.models import AgendaItem, Conference
        from conferences.services import conference_acknowledge

        r, cid = self.registry, self.ids[key]
        conference = Conference.objects.get(pk=cid)
        for membership in Membership.objects.filter(agency__slug__in=[*invited, "hub"]):
            with contextlib.suppress(Exception):  # auditors and admins may not attend
                conference_acknowledge(actor=membership.user, conference=conference)
        self.post("hub.chair", f"/api/v1/conferences/{cid}/start/")
        items = {item.referral_id: item.pk for item in AgendaItem.objects.filter(conference=cid)}
        base = f"/api/v1/conferences/{cid}"
        restrictions = [None, ["police", "advocacy"], ["cps"], ["ftac"]]
        for case in cases:
            item = items[self.ids[case]]
            for n, visible in enumerate(restrictions):
                author = "hub.chair" if visible is None else f"{visible[0]}.caseworker"
                text = r.new(case, "notes", f"note{n}", kind="note", conference=key,
                             visible_to=visible)
                self.post(author, f"{base}/notes/", {
                    "client_id": str(uuid.uuid4()), "agenda_item": item,
                    "text": f"Note {text}", "visible_to": visible})
            self.post("hub.chair", f"{base}/agenda/{item}/decisions/", {
                "text": r.new(case, "notes", "decision_text"),
                "reason": r.new(case, "notes", "decision_reason")})
            for agency in ("police", "cps"):
                self.post("hub.chair", f"{base}/agenda/{item}/actions/", {
                    "agency": agency, "description": r.new(case, "notes", f"action_{agency}"),
                    "due": (timezone.localdate() + timedelta(days=14)).isoformat()})
        general = r.new(None, "notes", "general_note", kind="conference", conference=key)
        self.post("hub.chair", f"{base}/notes/", {"client_id": str(uuid.uuid4()),
                                                  "text": f"General {general}"})
        restricted = r.new(None, "notes", "general_restricted", kind="conference", conference=key,
                           visible_to=["advocacy"])
        self.post("advocacy.caseworker", f"{base}/notes/", {
            "client_id": str(uuid.uuid4()), "text": f"General {restricted}",
            "visible_to": ["advocacy"]})
        for case in cases:
            self.post("hub.chair", f"{base}/agenda/{items[self.ids[case]]}/close/")
        self.post("hub.chair", f"{base}/close/")
        self.post("hub.chair", f"{base}/sign/")
        for case in cases:
            for agency in ("police", "cps"):
                self.work(f"{agency}.caseworker", "action", case, {
                    "outcome": "done", "note": r.new(case, "notes", f"action_note_{agency}")})
        from workflows.models import AgencyTask

        task = AgencyTask.objects.filter(task_type="minutes_distribution", is_open=True).first()
        if task is not None:
            note = r.new(None, "notes", "minutes_note", kind="conference", conference=key)
            self.post("hub.chair", f"/api/v1/tasks/{task.pk}/claim/")
            self.post("hub.chair", f"/api/v1/tasks/{task.pk}/complete/",
                      {"sent": True, "note": note})

    def close_case(self, case: str) -> None:
        r = self.registry
        self.work("hub.caseworker", "review", case, {
            "decision": "close", "note": r.new(case, CASE_LEVEL, "review_note")})
        self.work("hub.caseworker", "closure", case, {
            "charged": False, "not_charged_reason": r.new(case, "charging", "not_charged_reason"),
            "convicted": None, "protective_order": True, "victim_informed": True,
            "sentence": r.new(case, CASE_LEVEL, "sentence"),
            "perpetrator_treatment": r.new(case, CASE_LEVEL, "treatment"),
            "summary": r.new(case, CASE_LEVEL, "closure_summary")})
        self.work("hub.supervisor", "approve_closure", case, {
            "approved": True, "reason": r.new(case, CASE_LEVEL, "approve_closure_reason")})

    # --- the whole population ---------------------------------------------------------------

    def build(self) -> None:
        for n in range(self.rounds):
            self.build_round(f"r{n}")

    def build_round(self, p: str) -> None:
        """One set of cases (keys prefixed `p`):

        A  police; high; research by all, threat assessment (recommendations shared),
           charging; an order, a breach, a hearing; offences (police decisions, CPS decisions,
           a trial held today, an outcome, a sentence; an NFA reviewed at the victim's
           request); a stalking protection order applied for, made and varied; the
           psychiatric assessment CPS sought; an intervention plan; the victim's voice and
           others at risk; no meeting scheduled yet, so a chair schedules it; heard, closed.
        B  advocacy; the same suspect as A, another victim; sent back for more information.
        H  probation; high; research; the victim's voice (their consent covering police and
           advocacy only) and others at risk; put on the meeting's agenda by itself; heard,
           left open.
        R  police; A's victim and suspect again after A closed: a repeat (linked).
        C1 police, C2 probation (not involved in C1): the same victim and suspect; C3 police
           again: a duplicate (409) of C1.
        D  CPS; declined with a reason, the decline approved.
        S  police; standard risk: research, then single-agency plans.
        C1, C2 are then linked by the hub (a `link_referrals` task).
        G  police; a high screen judged standard: the lower level proposed, then refused.
        """
        r = self.registry
        k = lambda name: f"{p}{name}"  # noqa: E731
        va, sa = self.person(k("A"), "victim"), self.person(k("A"), "suspect")
        self.refer(k("A"), "police.caseworker", va, sa, yes=7, incidents=True, orders=True)
        vb = self.person(k("B"), "victim")
        self.refer(k("B"), "advocacy.caseworker", vb, self.reuse(sa, k("B")), yes=3,
                   incidents=True)
        vh, sh = self.person(k("H"), "victim"), self.person(k("H"), "suspect")
        self.refer(k("H"), "probation.caseworker", vh, sh, yes=7)
        vc, sc = self.person(k("C1"), "victim"), self.person(k("C1"), "suspect")
        self.refer(k("C1"), "police.caseworker", vc, sc, yes=2, incidents=True)
        # The contract: an agency not involved in C1 learns nothing of it and gets a 201. Where
        # it is refused (409) instead, the refusal is checked like every response, and the
        # referral is resubmitted as confirmed so that the population has the same shape.
        if self.refer(k("C2"), "probation.caseworker", self.reuse(vc, k("C2")),
                      self.reuse(sc, k("C2")), yes=2, expect=(201, 409)) is None:
            self.refer(k("C2"), "probation.caseworker", vc, sc, yes=2, confirm_new=True,
                       confirm_reason=r.new(k("C2"), CASE_LEVEL, "confirm_reason"))
        self.reuse(vc, k("C3"))
        self.reuse(sc, k("C3"))
        self.refer(k("C3"), "police.caseworker", vc, sc, yes=2, expect=(409,))
        vd, sd = self.person(k("D"), "victim"), self.person(k("D"), "suspect")
        self.refer(k("D"), "cps.caseworker", vd, sd, yes=1)
        vs, ss = self.person(k("S"), "victim"), self.person(k("S"), "suspect")
        self.refer(k("S"), "police.caseworker", vs, ss, yes=0, incidents=True)

        # A: through research with no meeting scheduled: a chair is asked to schedule one.
        self.triage(k("A"))
        self.research(k("A"), charging=True, threat=True)
        self.court_and_breach(k("A"))
        self.offences_and_court(k("A"))
        self.orders_life(k("A"))
        self.assessments_and_interventions(k("A"))
        self.victims_voice(k("A"))
        self.evidence(k("A"))
        invited = ["police", "cps", "advocacy", "ftac"]  # not probation
        cid = self.conference(k("K"), invited)
        self.work("hub.chair", "schedule_conference", k("A"), {"conference": cid})
        # H: placed on the scheduled meeting when its research is done.
        self.triage(k("H"))
        self.research(k("H"), charging=False, threat=True)
        # CPS reads the victim's voice but is not involved in H; the hub reads it, but the
        # victim's consent does not cover coordinators: their wishes are withheld from it.
        self.victims_voice(k("H"), consent=("police", "advocacy"))
        # B: more information asked of the referrer.
        self.triage(k("B"), decision="request_info", risk="medium")
        self.work("advocacy.caseworker", "provide_info", k("B"), {
            "information": r.new(k("B"), CASE_LEVEL, "information")})
        # D: declined, approved.
        self.triage(k("D"), decision="decline", risk="standard")
        self.work("hub.supervisor", "approve_decline", k("D"), {
            "approved": True, "reason": r.new(k("D"), CASE_LEVEL, "approve_decline_reason")})
        # S: standard risk: research then single-agency plans.
        self.triage(k("S"), risk="standard")
        self.research(k("S"), charging=False, threat=False)
        self._plans(k("S"))
        # C1 and C2: the hub links them (probation sees C2 only, police C1 only).
        reason = r.new(k("C2"), CASE_LEVEL, "link_reason")
        self.registry.share(reason, k("C1"), CASE_LEVEL, "link_reason")
        self.work("hub.caseworker", "link_referrals", k("C2"), {
            "decision": "link", "reason": reason})
        # G: police judge a high screen standard; a supervisor refuses the lower level.
        vg, sg = self.person(k("G"), "victim"), self.person(k("G"), "suspect")
        self.refer(k("G"), "police.caseworker", vg, sg, yes=7, risk_level="standard",
                   risk_reason=r.new(k("G"), CASE_LEVEL, "downgrade_reason"))
        self.work("police.supervisor", "approve_downgrade", k("G"), {
            "approved": False, "reason": r.new(k("G"), CASE_LEVEL, "downgrade_refusal")})
        self.meeting(k("K"), invited, [k("A"), k("H")])
        self.close_case(k("A"))
        self.refer(k("R"), "police.caseworker", self.reuse(va, k("R")), self.reuse(sa, k("R")),
                   yes=7, incidents=True)

    def _plans(self, case: str) -> None:
        from workflows.models import AgencyTask

        for task in AgencyTask.objects.filter(referral_id=self.ids[case], task_type="plan",
                                              is_open=True).select_related("agency"):
            username = {"coordinator": "hub.caseworker"}.get(
                task.agency.kind, f"{task.agency.slug}.caseworker")
            self.work(username, "plan", case, {
                "plan": self.registry.new(case, CASE_LEVEL, f"plan_{task.agency.slug}")})
