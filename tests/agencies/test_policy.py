"""The whole access matrix, against a table written out here by hand (not read from the policy)."""

import itertools

import pytest

from agencies import policy
from agencies.models import Agency, AgencyKind, Membership, Role

KINDS = ["police", "cps", "probation", "advocacy", "psychiatric", "coordinator", "oversight"]

# What a caseworker, supervisor or chair of each agency kind may do with each section.
EXPECTED_SECTIONS = """
section            police  cps  probation  advocacy  psychiatric  coordinator  oversight
victim             rw      r    r          rw        r            rw           -
victim_contact     rw      -    -          rw        -            r            -
suspect            rw      r    rw         r         r            rw           -
incidents          rw      r    r          rw        r            rw           -
orders             rw      r    r          r         r            r            -
research           rw      r    rw         rw        r            r            -
threat_assessment  -       -    -          -         rw           r*           -
charging           r       rw   r          r         -            r            -
notes              rw      rw   rw         rw        rw           rw           -
offences           rw      r    r          r         r            r            -
court              rw      rw   r          r         r            r            -
assessments        rw      rw   rw         rw        rw           r            -
threat_recommendations r   r    r          -         rw           r            -
interventions      rw      r    rw         r         rw           r            -
victim_voice       rw      rw   -          rw        -            r            -
safeguarding       rw      r    r          rw        r            rw           -
"""
# r*: only the coordinator's chairs and supervisors; its caseworkers see nothing.


def _expected_table():
    rows = [line.split() for line in EXPECTED_SECTIONS.strip().splitlines()]
    header, body = rows[0][1:], rows[1:]
    return {row[0]: dict(zip(header, row[1:], strict=True)) for row in body}


TABLE = _expected_table()


def expected(kind: str, role: str, section: str, mode: str) -> bool:
    if role in ("auditor", "admin", "dpo"):  # a DPO reads cases only through subject access
        return False
    grant = TABLE[section][kind]
    if grant == "r*":
        return mode == "r" and role in ("chair", "supervisor")
    return mode in grant.replace("-", "")


def _membership(kind: str, role: str) -> Membership:
    # Unsaved objects: the section rules need no database.
    return Membership(agency=Agency(kind=kind, slug=kind, name=kind), roles=[role])


@pytest.mark.parametrize(
    "kind,role,section,mode",
    list(itertools.product(KINDS, list(Role.values), list(TABLE), ["r", "w"])),
)
def test_section_matrix(kind, role, section, mode):
    member = _membership(kind, role)
    allowed = policy.can_read(member, section) if mode == "r" else policy.can_write(member, section)
    assert allowed is expected(kind, role, section, mode)


def test_matrix_covers_every_kind_role_and_section():
    assert set(KINDS) == set(AgencyKind.values)
    assert set(TABLE) == set(policy.SECTIONS)


EXPECTED_CAPABILITIES = {
    # capability: {(kind, role), ...} that hold it; "*" for any case agency kind
    "refer_case": {
        (k, r) for k in KINDS if k != "oversight" for r in ("caseworker", "supervisor", "chair")
    },
    "claim_task": {
        (k, r) for k in KINDS if k != "oversight"
        for r in ("caseworker", "supervisor", "chair", "dpo")
    },
    "complete_task": {
        (k, r) for k in KINDS if k != "oversight" for r in ("caseworker", "supervisor", "chair")
    },
    "reassign_task": {(k, "supervisor") for k in KINDS if k != "oversight"},
    "approve_decline": {("coordinator", "supervisor")},
    "approve_closure": {("coordinator", "supervisor")},
    "chair_meeting": {("coordinator", "chair")},
    "read_audit_trail": {("oversight", "auditor")},
    "read_agency_trail": {
        (k, r) for k in KINDS for r in ("caseworker", "supervisor", "chair", "auditor")
    },
    "manage_members": {(k, "admin") for k in KINDS},
    "set_local_policy": {("coordinator", "supervisor")},
    "read_reports": {(k, r) for k in KINDS for r in ("supervisor", "chair", "auditor")},
    "handle_subject_access": {(k, "dpo") for k in KINDS if k != "oversight"},
    "retention": {(k, "supervisor") for k in KINDS if k != "oversight"},
    "read_retention": {(k, r) for k in KINDS for r in ("supervisor", "auditor")},
    "set_retention": {("coordinator", "admin"), ("oversight", "admin")},
    "manage_sharing_agreements": {
        (k, r) for k in KINDS if k != "oversight" for r in ("supervisor", "admin")
    },
    "read_all_sharing_agreements": {(k, "auditor") for k in KINDS},
    "disclose_case": {(k, "supervisor") for k in KINDS if k != "oversight"},
}


@pytest.mark.parametrize("kind,role", list(itertools.product(KINDS, list(Role.values))))
def test_who_shares_a_case_and_reads_its_sharing(kind, role):
    """A supervisor of the referrer (here police) or of a coordinator shares a case and reads
    its sharing; oversight's auditors read it too; every auditor and oversight member reads
    every agreement."""
    member = _membership(kind, role)
    shares = role == "supervisor" and kind in ("police", "coordinator")
    assert policy.may_share_case(member, referrer_agency_id=member.agency_id if kind == "police"
                                 else -1) is shares
    assert policy.may_read_case_sharing(
        member, referrer_agency_id=member.agency_id if kind == "police" else -1
    ) is (shares or (kind, role) == ("oversight", "auditor"))
    assert policy.reads_all_agreements(member) is (role == "auditor" or kind == "oversight")


@pytest.mark.parametrize(
    "kind,role,capability",
    list(itertools.product(KINDS, list(Role.values), list(EXPECTED_CAPABILITIES))),
)
def test_capability_matrix(kind, role, capability):
    assert policy.may(_membership(kind, role), capability) is (
        (kind, role) in EXPECTED_CAPABILITIES[capability]
    )


def test_roles_combine():
    member = Membership(agency=Agency(kind="coordinator"), roles=["caseworker", "chair"])
    assert policy.can_read(member, "threat_assessment")
    assert policy.may(member, "chair_meeting") and policy.may(member, "claim_task")


def test_inactive_agency_may_do_nothing():
    member = Membership(agency=Agency(kind="police", is_active=False), roles=["supervisor"])
    assert not any(policy.may(member, c) for c in policy.CAPABILITIES)


def test_no_membership_sees_nothing():
    assert policy.readable_sections(None) == frozenset()
    assert not policy.may(None, "claim_task")


@pytest.mark.parametrize("task_role,takers", [
    ("caseworker", {"caseworker", "supervisor", "chair"}),
    ("supervisor", {"supervisor"}),
    ("chair", {"chair"}),
])
def test_who_may_take_a_task_meant_for_a_role(task_role, takers):
    assert set(policy.claim_roles(task_role)) == takers


def test_who_may_take_a_task():
    """One answer for the queue's claim, a supervisor's reassignment and who hears of the task."""
    from types import SimpleNamespace

    hub = Agency(pk=1, kind="coordinator")
    task = SimpleNamespace(agency_id=1, role="caseworker", excluded_user_id=None)

    def member(roles, *, agency=hub, user_id=7):
        return Membership(agency=agency, roles=roles, user_id=user_id)

    assert policy.may_take_task(member(["caseworker"]), task)
    assert policy.may_take_task(member(["supervisor"]), task)
    assert not policy.may_take_task(member(["auditor"]), task)  # no role that fits
    assert not policy.may_take_task(member(["dpo"]), task)
    assert not policy.may_take_task(member(["caseworker"], agency=Agency(pk=2, kind="police")),
                                    task)  # another agency's task
    assert not policy.may_take_task(None, task)
    assert not policy.may_take_task(
        member(["caseworker"], agency=Agency(pk=1, kind="coordinator", is_active=False)), task
    )
    task.excluded_user_id = 7  # the decline's author may not approve it
    assert not policy.may_take_task(member(["caseworker"]), task)
    assert policy.may_take_task(member(["caseworker"], user_id=8), task)


@pytest.mark.parametrize(
    "kind,kind_of_order,allowed",
    [
        ("police", "stalking_protection_order", True),
        ("police", "licence_conditions", True),
        ("advocacy", "non_molestation_order", True),
        ("advocacy", "stalking_protection_order", False),
        ("cps", "restraining_order", True),
        ("cps", "non_molestation_order", False),
        ("probation", "licence_conditions", True),
        ("probation", "bail_conditions", False),
        ("psychiatric", "non_molestation_order", False),
        ("coordinator", "restraining_order", False),
        ("oversight", "restraining_order", False),
    ],
)
def test_order_kinds_each_agency_kind_records(kind, kind_of_order, allowed):
    member = _membership(kind, "caseworker")
    assert policy.can_record_order(member, kind_of_order) is allowed
    assert policy.can_record_order(_membership(kind, "auditor"), kind_of_order) is False


def test_an_agency_kind_with_an_order_kind_of_its_own_may_record_some_order():
    assert policy.can_record_order(_membership("advocacy", "caseworker"))
    assert not policy.can_record_order(_membership("psychiatric", "caseworker"))


@pytest.mark.parametrize("kind", KINDS)
def test_cps_and_the_psychiatric_unit_alone_record_a_psychiatric_assessments_steps(kind):
    assert policy.can_track_psychiatric(_membership(kind, "caseworker")) is (
        kind in ("cps", "psychiatric")
    )
    assert not policy.can_track_psychiatric(_membership(kind, "auditor"))


@pytest.mark.parametrize("kind", KINDS)
def test_what_the_victim_gave_under_consent_reaches_police_advocacy_and_the_kinds_it_covers(kind):
    always = kind in ("police", "advocacy")
    assert policy.sees_consented_content(kind, [], withdrawn=False) is always
    assert policy.sees_consented_content(kind, [kind], withdrawn=False) is True
    assert policy.sees_consented_content(kind, [kind], withdrawn=True) is always


# --- Evidence files: read as their section is read, added where it is written ----------------


@pytest.mark.parametrize(
    "kind,role,section", list(itertools.product(KINDS, list(Role.values), list(TABLE)))
)
def test_evidence_follows_its_section(kind, role, section):
    member = _membership(kind, role)
    assert policy.can_read_evidence(member, section) == expected(kind, role, section, "r")
    assert policy.can_add_evidence(member, section) == expected(kind, role, section, "w")


def test_evidence_of_no_known_section_is_nobodys():
    police = _membership("police", "caseworker")
    assert not policy.can_read_evidence(police, "nowhere")
    assert not policy.can_add_evidence(police, "nowhere")
    assert not policy.can_read_evidence(None, "incidents")


def test_an_evidence_event_belongs_to_the_section_it_names():
    assert policy.event_section("evidence.viewed", {"section": "victim_contact"}) == (
        "victim_contact")
    # Naming none (or an unknown one), it belongs to the most guarded section.
    assert policy.event_section("evidence.viewed", {}) == "threat_assessment"
    assert policy.event_section("evidence.viewed", {"section": "nowhere"}) == "threat_assessment"
    cps = _membership("cps", "caseworker")
    assert policy.sees_event(cps, "evidence.added", {"section": "incidents"})
    assert not policy.sees_event(cps, "evidence.added", {"section": "victim_contact"})


@pytest.mark.parametrize("kind,reach", [
    ("police", "referrer"), ("cps", "referrer"), ("probation", "referrer"),
    ("advocacy", "referrer"), ("psychiatric", "referrer"), ("coordinator", "region"),
    ("oversight", "all"),
])
def test_whose_cases_retention_work_reaches(kind, reach):
    assert policy.retention_reach(_membership(kind, "supervisor")) == reach
    assert policy.retention_reach(None) is None
    inactive = Membership(agency=Agency(kind=kind, is_active=False), roles=["supervisor"])
    assert policy.retention_reach(inactive) is None
