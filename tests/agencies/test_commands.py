import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency, Membership, Role
from agencies.services import DEMO_AGENCIES, member_set_roles
from audit.models import Event

pytestmark = pytest.mark.django_db


def authenticate(*, username, password) -> bool:
    user = get_user_model().objects.get(username=username)
    return user.check_password(password)


README = Path(__file__).resolve().parents[2] / "README.md"


def test_seed_demo_is_idempotent_and_brings_the_demo_back():
    """The test database starts seeded (tests/seed.py); seeding again adds nothing and puts
    back what a demo account had changed."""
    chair = Membership.objects.get(user__username="hub.chair")
    member_set_roles(membership=chair, roles=[Role.CASEWORKER])
    chair.user.set_password("changed-by-the-member")
    chair.user.save(update_fields=["password"])
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Agency.objects.count() == len(DEMO_AGENCIES) == 7
    assert Membership.objects.count() == 11
    assert {a.slug: a.kind for a in Agency.objects.all()} == {
        "hub": "coordinator",
        "police": "police",
        "cps": "cps",
        "probation": "probation",
        "advocacy": "advocacy",
        "ftac": "psychiatric",
        "oversight": "oversight",
    }
    chair = Membership.objects.get(user__username="hub.chair")
    assert chair.roles == ["chair"] and chair.agency.slug == "hub"
    assert chair.user.groups.filter(pk=chair.agency.group_id).exists()
    assert authenticate(username="hub.chair", password="demo-pass-2026")


def test_seed_demo_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-password")
    call_command("seed_demo", stdout=io.StringIO())
    assert authenticate(username="oversight.auditor", password="another-demo-password")


def test_create_agency_user(monkeypatch):
    call_command("seed_demo", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO("a-sound-password-2026\n"))
    call_command(
        "create_agency_user",
        "pc.jones",
        "--agency",
        "police",
        "--role",
        "caseworker",
        "--role",
        "supervisor",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    member = Membership.objects.get(user__username="pc.jones")
    assert member.agency.slug == "police" and member.roles == ["caseworker", "supervisor"]
    assert authenticate(username="pc.jones", password="a-sound-password-2026")


def test_create_agency_user_refuses_unknown_agency_and_weak_password(monkeypatch):
    call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No agency"):
        monkeypatch.setattr("sys.stdin", io.StringIO("a-sound-password-2026\n"))
        call_command(
            "create_agency_user",
            "x",
            "--agency",
            "nope",
            "--role",
            "caseworker",
            "--password-stdin",
        )
    with pytest.raises(CommandError):
        monkeypatch.setattr("sys.stdin", io.StringIO("12345\n"))
        call_command(
            "create_agency_user", "y", "--agency", "cps", "--role", "caseworker", "--password-stdin"
        )
    assert not Membership.objects.filter(user__username__in=["x", "y"]).exists()


def test_create_agency_user_refuses_a_password_like_the_username_or_email(monkeypatch):
    call_command("seed_demo", stdout=io.StringIO())
    for password in ("constance.harrington", "constance.harrington@police.example"):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        with pytest.raises(CommandError, match="too similar"):
            call_command(
                "create_agency_user",
                "constance.harrington",
                "--agency",
                "police",
                "--role",
                "caseworker",
                "--email",
                "constance.harrington@police.example",
                "--password-stdin",
            )
    assert not Membership.objects.filter(user__username="constance.harrington").exists()


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    police = Membership.objects.get(user__username="police.caseworker")
    police.user.set_password("a-production-password")
    police.user.save(update_fields=["password"])
    agencies, users, events = (
        Agency.objects.count(), get_user_model().objects.count(), Event.objects.count()
    )
    with pytest.raises(CommandError, match="CONCORD_ENV=production"):
        call_command("seed_demo", stdout=io.StringIO())
    assert authenticate(username="police.caseworker", password="a-production-password")
    assert (Agency.objects.count(), get_user_model().objects.count(), Event.objects.count()) == (
        agencies, users, events
    )


def test_readme_access_section_is_the_access_matrix_output():
    out = io.StringIO()
    call_command("access_matrix", stdout=out)
    assert out.getvalue().strip() in README.read_text()
