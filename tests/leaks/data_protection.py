"""The leak hunt's population on the data-protection surfaces, made once every round is built:
what the sharing, retention and subject access pages and API show about the planted cases.

- Sharing: case S of each round shared on purpose by a police supervisor, under the agreement
  (with the psychiatric unit) and outside any (with an agency no agreement covers, whose
  supervisor becomes a reader), the latter with a marker in its reason.
- Retention: the closed cases past their schedule (the sweep run as if a century had passed:
  the declined D of each round), one review deferred by the hub's supervisor with a marker
  reason; legal holds with marker reasons on A (police) and D (the hub, which no longer sees
  it), and one on S placed and lifted, its lifting's reason a marker.
- Subject access: the hub's DPO asks for the records of A's suspect (found in A, B and R),
  redacts the suspect's alias from A's suspect record and discloses the bundle; and for H's
  victim (searched, left open).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from agencies.models import Role
from agencies.services import agency_create, member_create
from privacy.models import RetentionReview, SubjectAccessRequest
from privacy.services import retention_sweep

from .population import Population

# An agency no sharing agreement covers: what is shared with it is outside any agreement.
UNCOVERED = "elsewhere"
UNCOVERED_SUPERVISOR = f"{UNCOVERED}.supervisor.hunt"


def _marker(population: Population, case: str, section: str, name: str) -> str:
    """The marker planted in this field of this case."""
    [marker] = [m for m, grants in population.registry.markers.items()
                if (grants[0].case, grants[0].section, grants[0].field) == (case, section, name)]
    return marker


def build(population: Population) -> None:
    rounds = [f"r{n}" for n in range(population.rounds)]
    _uncovered_agency(population)
    for p in rounds:
        _sharing(population, p)
    _retention(population, rounds)
    _subject_access(population, rounds[0])


def _uncovered_agency(population: Population) -> None:
    agency = agency_create(name="Stalking Advocacy Elsewhere", slug=UNCOVERED, kind="advocacy")
    population.demo[UNCOVERED_SUPERVISOR] = member_create(
        agency=agency, username=UNCOVERED_SUPERVISOR, password="a-long-hunt-password",
        roles=[Role.SUPERVISOR], email=f"{UNCOVERED_SUPERVISOR}@example.org")


def _sharing(population: Population, p: str) -> None:
    r, rid = population.registry, population.ids[f"{p}S"]
    url = f"/api/v1/referrals/{rid}/disclosures/"
    population.post("police.supervisor", url, {"agency": "ftac"})
    reason = r.new(f"{p}S", "sharing", "outside_reason", kind="sharing")
    population.post("police.supervisor", url, {
        "agency": UNCOVERED, "reason": f"Shared as the victim moved there: {reason}"})


def _retention(population: Population, rounds: list[str]) -> None:
    r, today = population.registry, timezone.localdate()
    retention_sweep(today=today + timedelta(days=366 * 101))
    first = RetentionReview.objects.get(referral_id=population.ids[f"{rounds[0]}D"])
    population.post("hub.supervisor", f"/api/v1/retention/reviews/{first.pk}/decision/", {
        "decision": "defer", "deferred_until": (today + timedelta(days=400)).isoformat(),
        "reason": r.new(f"{rounds[0]}D", "retention", "deferral_reason", kind="review")})
    for p in rounds:
        for username, case in (("police.supervisor", f"{p}A"), ("hub.supervisor", f"{p}D")):
            population.post(username, f"/api/v1/referrals/{population.ids[case]}/legal-holds/", {
                "reason": r.new(case, "retention", "hold_reason", kind="hold")})
        hold = population.post(
            "police.supervisor", f"/api/v1/referrals/{population.ids[f'{p}S']}/legal-holds/",
            {"reason": r.new(f"{p}S", "retention", "held_reason", kind="hold")}).json()
        population.post("police.supervisor", f"/api/v1/legal-holds/{hold['id']}/lift/", {
            "reason": r.new(f"{p}S", "retention", "lift_reason", kind="hold")})


def _subject_access(population: Population, p: str) -> None:
    today = timezone.localdate().isoformat()
    name = _marker(population, f"{p}A", "suspect", "name")
    alias = _marker(population, f"{p}A", "suspect", "aliases")
    made = population.post("hub.dpo", "/api/v1/subject-access/", {
        "subject_role": "suspect", "name": f"{name} Example", "received_on": today}).json()
    [own] = [i for i in made["items"] if i["record_kind"] == "suspect"
             and i["referral"] == population.ids[f"{p}A"]]
    population.patch("hub.dpo", f"/api/v1/subject-access/items/{own['id']}/", {
        "decision": "redact", "redact": [alias]})
    population.post("hub.dpo", f"/api/v1/subject-access/{made['id']}/disclose/")
    victim = _marker(population, f"{p}H", "victim", "name")
    population.post("hub.dpo", "/api/v1/subject-access/", {
        "subject_role": "victim", "name": f"{victim} Example", "received_on": today})
    assert SubjectAccessRequest.objects.filter(items__isnull=False).distinct().count() == 2
