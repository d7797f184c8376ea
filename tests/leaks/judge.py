"""Which markers and references an account may read, and the findings of the hunt."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from agencies import policy

from .population import CASE_LEVEL, MARKER_LENGTH, Grant, Population

# Grant kinds of the data-protection surfaces' own text (population `kind`s): a legal hold's
# reasons, a retention review's reason, a disclosure's reason.
PRIVACY_GRANTS = frozenset({"hold", "review", "sharing"})

MARKER = re.compile(rf"mkr[a-z]{{{MARKER_LENGTH - 3}}}")
REFERENCE = re.compile(r"stk-\d{4}-\d{6}")
TRAIL = "trail"  # a surface of the decision trail (auditors may read its reasons)
# The data-protection surfaces, by URL (a page or the API; a POST's answer as "POST <url>").
RETENTION_URL = re.compile(r"/retention/|/legal-holds/")
SHARING_URL = re.compile(r"/referrals/\d+/(sharing|disclosures)/")
SUBJECT_ACCESS_URL = re.compile(r"/subject-access/")
SUBJECT_ACCESS_REQUEST = re.compile(r"/subject-access/(\d+)/")
SUBJECT_ACCESS_BUNDLE = re.compile(r"/subject-access/(\d+)/bundle\.(json|pdf)")
# The pseudo-section of a DPO's read of a case's records through a subject access request: it
# must be logged as `subject_access.records_read` on that case.
SUBJECT_ACCESS_READ = "subject_access"


@dataclass(frozen=True)
class Reader:
    username: str
    membership: object
    agency: str
    cases: frozenset[int]  # referral ids the agency may see now (the guardian rows)
    conferences: frozenset[int]  # meetings the agency is invited to
    auditor: bool


@dataclass
class Finding:
    username: str
    surface: str
    url: str
    token: str
    what: str
    kind: str  # "leak" or "unlogged"


@dataclass
class Hunt:
    population: Population
    reason_markers: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    responses: Counter = field(default_factory=Counter)  # surface -> responses checked
    marker_checks: int = 0
    found_allowed: Counter = field(default_factory=Counter)  # surface -> allowed hits
    seen: set[str] = field(default_factory=set)  # markers shown to some account allowed them
    cost: Counter = field(default_factory=Counter)  # URL pattern -> seconds spent reading
    ended: dict[str, set[int]] = field(default_factory=dict)  # agency -> cases it left

    # --- the rules --------------------------------------------------------------------------

    def case_id(self, key: str | None) -> int | None:
        return self.population.ids.get(key) if key else None

    def grant_allows(self, reader: Reader, grant: Grant) -> bool:
        m = reader.membership
        if grant.kind in PRIVACY_GRANTS:
            return self.privacy_grant_allows(reader, grant)
        if grant.kind == "conference":
            cid = self.case_id(grant.conference)
            if cid not in reader.conferences:
                return False
            if grant.visible_to is not None and reader.agency not in grant.visible_to:
                return False
            return policy.can_read(m, "notes")
        rid = self.case_id(grant.case)
        if rid is None or rid not in reader.cases:
            return False
        if grant.kind == "note":
            cid = self.case_id(grant.conference)
            if cid not in reader.conferences:
                return False
            if grant.visible_to is not None and reader.agency not in grant.visible_to:
                return False
        if grant.section == CASE_LEVEL:
            return policy.sees_case_content(m)
        if grant.consented_kinds is not None and not policy.sees_consented_content(
                m.agency.kind, grant.consented_kinds, withdrawn=False):
            return False
        return policy.can_read(m, grant.section)

    def allowed_grants(self, reader: Reader, marker: str) -> list[Grant]:
        return [g for g in self.population.registry.markers[marker] if self.grant_allows(reader, g)]

    # --- the rules of the data-protection surfaces (agencies/policy.py) ---------------------

    def case_facts(self, rid: int | None) -> tuple[int | None, str]:
        """(referrer agency id, referrer's region) of a case, as the database says now."""
        from referral.models import Referral

        row = Referral.objects.filter(pk=rid).values_list(
            "referrer_agency_id", "referrer_agency__region").first()
        return row or (None, "")

    def sees(self, reader: Reader, rid: int | None) -> bool:
        """Whether the reader's agency sees the case now and the reader reads case content."""
        return rid in reader.cases and policy.case_group(reader.membership) is not None

    def in_retention_reach(self, reader: Reader, rid: int | None) -> bool:
        """`policy.retention_reach`: every case, the region's, or the agency's own referrals."""
        m, reach = reader.membership, policy.retention_reach(reader.membership)
        referrer, region = self.case_facts(rid)
        if reach is None or referrer is None:
            return False
        if reach == "all":
            return True
        if reach == "region":
            return not m.agency.region or region == m.agency.region
        return referrer == m.agency_id

    def privacy_grant_allows(self, reader: Reader, grant: Grant) -> bool:
        """A legal hold's reasons: members who read retention, of a case in their retention
        reach or one their agency sees; a review's reason: those in reach (reviews are read
        by reach alone); a disclosure's reason: who reads the case's sharing
        (`may_read_case_sharing`) of a case its agency sees, and oversight's auditors."""
        m, rid = reader.membership, self.case_id(grant.case)
        if grant.kind in ("hold", "review"):
            if not policy.may_read_retention(m):
                return False
            return self.in_retention_reach(reader, rid) or (
                grant.kind == "hold" and self.sees(reader, rid))
        referrer, _ = self.case_facts(rid)
        if not policy.may_read_case_sharing(m, referrer_agency_id=referrer):
            return False
        return policy.may(m, "read_audit_trail") or self.sees(reader, rid)

    def subject_access_cases(self, reader: Reader, url: str, grants: list[Grant]) -> set[int]:
        """The cases a DPO may be shown this marker of on a subject access surface: only a
        DPO (`may_handle_subject_access`), of cases within its `subject_access_region` that a
        request of its agency found; on one request's surfaces, that request's (of its
        agency); in a bundle, only what the bundle discloses (`bundle_markers`)."""
        from privacy.models import SubjectAccessItem

        m = reader.membership
        if not SUBJECT_ACCESS_URL.search(url) or not policy.may_handle_subject_access(m):
            return set()
        region = policy.subject_access_region(m)
        items = SubjectAccessItem.objects.filter(request__agency_id=m.agency_id)
        one = SUBJECT_ACCESS_REQUEST.search(url)
        if one:
            items = items.filter(request_id=int(one[1]))
        found = set(items.values_list("referral_id", flat=True))
        cases = {self.case_id(g.case) for g in grants if g.case} & found
        return {c for c in cases if not region or self.case_facts(c)[1] == region}

    def bundle_markers(self, request_id: int) -> set[str]:
        """The markers a request's bundle may hold: those in the text of the records disclosed
        whole or redacted, less those in a redacted phrase."""
        from privacy.models import ItemDecision, SubjectAccessItem

        shown: set[str] = set()
        items = SubjectAccessItem.objects.filter(
            request_id=request_id, request__disclosure__isnull=False
        ).exclude(decision=ItemDecision.EXEMPT)
        for item in items:
            redacted = set(MARKER.findall(" ".join(item.redactions).lower()))
            shown |= set(MARKER.findall(item.text.lower())) - redacted
        return shown

    def privacy_reference_allowed(self, reader: Reader, url: str, rid: int) -> bool:
        """A case's reference on a retention surface (a retention reader, in reach or a case
        its agency sees), on a case's sharing (who reads it: `may_read_case_sharing`) or on a
        subject access one (a DPO, a case its agency's requests found)."""
        m = reader.membership
        if RETENTION_URL.search(url) and policy.may_read_retention(m):
            return self.in_retention_reach(reader, rid) or self.sees(reader, rid)
        if SHARING_URL.search(url):
            return self.privacy_grant_allows(reader, Grant("sharing", self.key_of(rid), ""))
        key = self.key_of(rid)
        return bool(key) and bool(
            self.subject_access_cases(reader, url, [Grant("case", key, CASE_LEVEL)]))

    def key_of(self, rid: int) -> str | None:
        return next((k for k, v in self.population.ids.items() if v == rid), None)

    # --- checking a body --------------------------------------------------------------------

    def check(self, reader: Reader, surface: str, url: str, body: str, *,
              trail_reasons: str | None = None, count: bool = True) -> list[frozenset]:
        """Every marker and reference in `body` against the rules; returns the sensitive
        reads the account legitimately made here, each a set of alternative (referral id,
        section) pairs (a linked person's marker belongs to several cases): one must be logged.

        `trail_reasons`: for trail surfaces parsed into fields, the text of the reasons alone
        (auditors may read reasons; other trail fields carrying case content are findings).
        For trail pages not parsed, `surface` is TRAIL and any marker that is some event's
        reason is taken to be shown as a reason.
        """
        if count:
            self.responses[surface] += 1
            self.marker_checks += len(self.population.registry.markers)
        text = body.lower()
        markers = set(MARKER.findall(text))
        sensitive: list[frozenset] = []
        reasons = set(MARKER.findall(trail_reasons.lower())) if trail_reasons else set()
        for token in markers:
            grants = self.population.registry.markers.get(token)
            if grants is None:
                continue
            allowed = self.allowed_grants(reader, token)
            if allowed:
                self.found_allowed[surface] += 1
                self.seen.add(token)
                reads = frozenset((self.case_id(g.case), g.section) for g in allowed
                                  if g.section in policy.SENSITIVE_SECTIONS and g.case)
                if reads and len(reads) == len(allowed):
                    sensitive.append(reads)
                continue
            shown_to_dpo = self.subject_access_cases(reader, url, grants)
            bundle = SUBJECT_ACCESS_BUNDLE.search(url)
            if shown_to_dpo and (not bundle or token in self.bundle_markers(int(bundle[1]))):
                self.found_allowed[surface] += 1
                self.seen.add(token)
                if not bundle and SUBJECT_ACCESS_REQUEST.search(url):
                    sensitive.append(frozenset((c, SUBJECT_ACCESS_READ) for c in shown_to_dpo))
                continue
            if reader.auditor and (token in reasons or (
                    surface.startswith(TRAIL) and trail_reasons is None
                    and token in self.reason_markers)):
                self.found_allowed[surface] += 1
                continue
            what = " | ".join(g.describe(self.population.ids) for g in grants)
            if any(self.case_id(g.case) in self.ended.get(reader.agency, ()) for g in grants):
                what += " [its agency's involvement in the case has ended]"
            if reader.auditor and surface.startswith(TRAIL):
                what += " (on the trail, not as a reason)"
            self.findings.append(Finding(reader.username, surface, url, token, what, "leak"))
        for ref in set(REFERENCE.findall(text)):
            rid = self.population.references.get(ref.upper())
            if rid is None:
                continue
            if rid in reader.cases and policy.sees_case_content(reader.membership):
                continue
            if reader.auditor and surface.startswith(TRAIL):
                continue
            if self.privacy_reference_allowed(reader, url, rid):
                continue
            ended = (" [its agency's involvement in the case has ended]"
                     if rid in self.ended.get(reader.agency, ()) else "")
            self.findings.append(Finding(reader.username, surface, url, ref.upper(),
                                         f"reference of case #{rid} (not visible){ended}",
                                         "leak"))
        return sensitive

    def unlogged(self, reader: Reader, surface: str, url: str, reads: frozenset) -> None:
        case, section = sorted(reads)[0]
        self.findings.append(Finding(reader.username, surface, url, section,
                                     f"read of {section} of case #{case} with no access event",
                                     "unlogged"))

    # --- the report -------------------------------------------------------------------------

    @staticmethod
    def pattern(url: str) -> str:
        return re.sub(r"(?<=[/=#])\d+", "{id}", url)

    def section_of(self, f: Finding) -> str:
        grants = self.population.registry.markers.get(f.token)
        if grants is None:
            return "reference" if f.kind == "leak" else f.token
        return ",".join(sorted({g.section for g in grants}))

    def kinds(self) -> dict[tuple[str, str, str, str], list[Finding]]:
        grouped: dict[tuple[str, str, str, str], list[Finding]] = defaultdict(list)
        for f in self.findings:
            grouped[(f.kind, f.surface, self.section_of(f), self.pattern(f.url))].append(f)
        return grouped

    def report(self, limit: int = 40) -> str:
        lines = []
        grouped = self.kinds()
        lines.append(f"{len(self.findings)} findings in {len(grouped)} kinds "
                     "(kind, surface, section, URL pattern: count, accounts, example):")
        for (kind, surface, section, pattern), found in sorted(grouped.items()):
            accounts = sorted({f.username for f in found})
            lines.append(f"  {kind:8} {surface:12} {section:28} {pattern}: {len(found)}; "
                         f"{', '.join(accounts)}; e.g. {found[0].url} {found[0].token} "
                         f"({found[0].what})")
        lines.append(f"First {min(limit, len(self.findings))}:")
        for f in self.findings[:limit]:
            lines.append(f"  {f.kind} {f.username} {f.surface} {f.url}: {f.token} = {f.what}")
        return "\n".join(lines)
