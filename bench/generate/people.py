"""The agencies of ten regions and their 2,000-odd members, with one known account per kind."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from agencies.models import Agency, Membership

from . import study
from .rows import Ids, Rows
from .trail import Trail

User = get_user_model()

REGIONS = (
    "Avon and Somerset", "Cumbria", "Devon and Cornwall", "Dorset", "Essex",
    "Gwent", "Kent", "Lancashire", "Merseyside", "Norfolk",
)
PSYCHIATRIC_UNITS = ("North", "Midlands", "South")

# kind -> (members per agency, supervisors, chairs)
STAFFING = {
    "police": (60, 6, 0),
    "cps": (20, 2, 0),
    "probation": (40, 4, 0),
    "advocacy": (25, 3, 0),
    "psychiatric": (20, 2, 0),
    "coordinator": (25, 3, 4),
    "oversight": (5, 0, 0),
}

DEFAULT_BENCH_PASSWORD = "bench-pass-2026"
BENCH_ACCOUNTS = {
    # username -> (agency kind, roles); all in the first region
    "bench.police": ("police", ["caseworker"]),
    "bench.cps": ("cps", ["caseworker"]),
    "bench.probation": ("probation", ["caseworker"]),
    "bench.advocacy": ("advocacy", ["caseworker"]),
    "bench.psychiatric": ("psychiatric", ["caseworker"]),
    "bench.coordinator": ("coordinator", ["caseworker"]),
    "bench.chair": ("coordinator", ["chair", "supervisor"]),
    "bench.oversight": ("oversight", ["auditor"]),
}


def bench_password() -> str:
    return os.environ.get("BENCH_PASSWORD", DEFAULT_BENCH_PASSWORD)


@dataclass
class Member:
    id: int
    username: str
    agency: Agency
    roles: list[str]
    membership: Membership  # the row written, for asking the access policy about this member


@dataclass
class Staff:
    """An agency's members by role, for picking who did what."""

    agency: Agency
    members: list[Member] = field(default_factory=list)

    def with_role(self, role: str) -> list[Member]:
        fitting = [m for m in self.members if role in m.roles]
        if role == "caseworker":
            fitting += [m for m in self.members if "supervisor" in m.roles]
        return fitting or self.members

    def pick(self, rng: random.Random, role: str = "caseworker") -> Member:
        return rng.choice(self.with_role(role))


@dataclass
class Region:
    name: str
    slug: str
    agencies: dict[str, list[Agency]] = field(default_factory=dict)

    def first(self, kind: str) -> Agency:
        return self.agencies[kind][0]


@dataclass
class Directory:
    regions: list[Region]
    staff: dict[int, Staff]
    oversight: Agency

    def region_of(self, agency: Agency) -> Region:
        """The region an agency is in (a psychiatric unit serving all of them: its own)."""
        return next(r for r in self.regions if r.slug == agency.region)

    def agency_of_kind(self, kind: str, region: Region) -> Agency:
        """`workflows.allocation.agency_of_kind`: the region's own, else the first of that kind."""
        own = region.agencies.get(kind)
        if own:
            return own[0]
        everywhere = [a for r in self.regions for a in r.agencies.get(kind, [])]
        return min(everywhere, key=lambda a: a.pk)


def _slug(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-")


def build(*, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, at: datetime) -> Directory:
    """Create the agencies (with their groups), the members, and their `member.created` events."""
    regions = [Region(name=name, slug=_slug(name)) for name in REGIONS]
    staff: dict[int, Staff] = {}

    def agency(name: str, slug: str, kind: str, region: str) -> Agency:
        group = rows.add(Group(id=ids.take(Group), name=f"agency:{slug}"))
        obj = rows.add(Agency(
            id=ids.take(Agency), name=name, slug=slug, kind=kind, group=group, region=region,
            created_at=at,
        ))
        staff[obj.pk] = Staff(agency=obj)
        return obj

    for region in regions:
        name, slug = region.name, region.slug
        region.agencies = {
            "police": [agency(f"{name} Police", f"police-{slug}", "police", slug)],
            "cps": [agency(f"CPS {name}", f"cps-{slug}", "cps", slug)],
            "probation": [
                agency(f"Probation Service {name}", f"probation-{slug}", "probation", slug)
            ],
            "advocacy": [
                agency(f"{name} Stalking Advocacy Service", f"isac-{slug}", "advocacy", slug),
                agency(f"{name} Domestic Abuse Advisers", f"idva-{slug}", "advocacy", slug),
            ],
            "coordinator": [
                agency(f"{name} Stalking Multi-Agency Hub", f"hub-{slug}", "coordinator", slug)
            ],
        }
    for index, unit in enumerate(PSYCHIATRIC_UNITS):
        region = regions[index * 3]
        region.agencies["psychiatric"] = [agency(
            f"Fixated Threat Assessment Unit {unit}", f"ftau-{unit.lower()}", "psychiatric",
            region.slug,
        )]
    oversight = agency("Independent Stalking Oversight", "oversight", "oversight", "")

    password = make_password(bench_password())  # hashed once: the same hash for every account
    taken = {}
    for username, (kind, roles) in BENCH_ACCOUNTS.items():
        target = oversight if kind == "oversight" else regions[0].agencies[kind][0]
        taken.setdefault(target.pk, []).append((username, roles))
    user_group = User.groups.through
    for agency_id, members in staff.items():
        obj = members.agency
        size, supervisors, chairs = STAFFING[obj.kind]
        accounts = list(taken.get(agency_id, []))
        for n in range(size - len(accounts)):
            if obj.kind == "oversight":
                roles = ["auditor"]
            elif n < chairs:
                roles = ["chair"]
            elif n < chairs + supervisors:
                roles = ["supervisor"]
            elif n == size - len(accounts) - 1:
                roles = ["admin"]
            else:
                roles = ["caseworker"]
            accounts.append((f"{obj.slug}.{n + 1:03d}", roles))
        for username, roles in accounts:
            female = rng.random() < 0.6
            first = rng.choice(study.FEMALE_NAMES if female else study.MALE_NAMES)
            last = username.split(".")[-1]
            user = rows.add(User(
                id=ids.take(User), username=username, password=password, first_name=first,
                last_name=last.title(), email=f"{username}@example.org", date_joined=at,
            ))
            rows.add(user_group(id=ids.take(user_group), user_id=user.pk, group_id=obj.group_id))
            membership = rows.add(Membership(
                id=ids.take(Membership), user=user, agency=obj, roles=roles, created_at=at
            ))
            members.members.append(Member(id=user.pk, username=username, agency=obj, roles=roles,
                                          membership=membership))
            trail.record(
                verb="member.created", at=at, agency=obj, obj=membership,
                changes={"username": username, "roles": roles},
            )
    return Directory(regions=regions, staff=staff, oversight=oversight)
