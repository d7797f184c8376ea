"""Reads about agencies and members."""

from __future__ import annotations

from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from config.exceptions import NotFound

from . import policy
from .models import Agency, ApiToken, Membership, SharingAgreement


def membership_of(user) -> Membership | None:
    """The signed-in user's membership with its agency, loaded once per request object."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_concord_membership", False)
    if cached is not False:
        return cached
    try:
        membership = Membership.objects.select_related("agency").get(user_id=user.pk)
    except Membership.DoesNotExist:
        membership = None
    return remember_membership(user, membership)


def remember_membership(user, membership: Membership | None) -> Membership | None:
    """Keep the membership on the user object: `membership_of` and `user.membership` answer
    from it without another query."""
    user._concord_membership = membership
    if membership is not None:
        user.membership = membership
    return membership


def live_token(token: str, *, digest: str | None = None) -> ApiToken | None:
    """The API token a client sent, if it is one of ours, unexpired and its user active, with
    the user's membership and agency loaded (`membership_of` answers without a query), and
    without the user's password hash. `digest` is the token's, if the caller has it already."""
    if not token or len(token) > 2 * CONSTANTS.DIGEST_LENGTH:
        return None
    digest = digest or hash_token(token)
    candidates = (
        ApiToken.objects.select_related("user__membership__agency")
        .defer("user__password")
        .filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
    )
    for found in candidates:
        if not compare_digest(found.digest, digest):
            continue
        if not token_stands(found):
            return None
        remember_membership(found.user, getattr(found.user, "membership", None))
        return found
    return None


def token_stands(token: ApiToken) -> bool:
    """Whether the token is unexpired and its user active."""
    return token.expiry is not None and token.expiry > timezone.now() and token.user.is_active


def token_is_live(*, token_id: int, user_id: int) -> bool:
    """Whether that API token still stands (not revoked, not expired): a socket opened with a
    ticket it issued lives no longer than it."""
    return ApiToken.objects.filter(
        pk=token_id, user_id=user_id, user__is_active=True, expiry__gt=timezone.now()
    ).exists()


def tokens_of(user) -> QuerySet[ApiToken]:
    """A member's live API tokens, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created", "-id")


def agencies_by_slug(slugs) -> dict[str, Agency]:
    return {a.slug: a for a in Agency.objects.filter(slug__in=list(slugs), is_active=True)}


def person_name(user) -> str:
    """A person as pages show them: their full name (the username only for an account with
    none); "" for no one."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _full_name(first: str, last: str, username: str) -> str:
    """`person_name` of a row read as values."""
    return f"{first} {last}".strip() or username


def agency_members(*, agency: Agency, role: str | None = None) -> list[Membership]:
    """An agency's members, optionally only those holding a role (agencies are small)."""
    members = list(
        Membership.objects.select_related("user", "agency")
        .filter(agency=agency, user__is_active=True)
    )
    if role is None:
        return members
    return [m for m in members if role in m.roles]


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def people_called(text: str, *, agency_id: int | None = None, limit: int = 10
                  ) -> list[tuple[str, str]]:
    """The people a reader means by `text`, as (username, full name): the one account with that
    username, else every account whose first or last name holds each word typed (any case),
    alphabetically, at most `limit`; only `agency_id`'s members when given. Departed members
    count too: the trail keeps their work."""
    people = get_user_model().objects.all()
    if agency_id is not None:
        people = people.filter(membership__agency_id=agency_id)
    columns = ("username", "first_name", "last_name")
    text = " ".join(text.split())
    rows = list(people.filter(username__iexact=text).values_list(*columns)[:1])
    if not rows:
        for word in text.split():
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        rows = people.order_by("last_name", "first_name", "username").values_list(*columns)[:limit]
    return [(username, _full_name(first, last, username)) for username, first, last in rows]


def names_of_users(user_ids) -> dict[int, str]:
    """Full names (the username where there is none) of these users, by id."""
    wanted = {i for i in user_ids if i}
    if not wanted:
        return {}
    rows = get_user_model().objects.filter(pk__in=wanted).values_list(
        "pk", "first_name", "last_name", "username"
    )
    return {pk: _full_name(first, last, username) for pk, first, last, username in rows}


def names_by_username(usernames) -> dict[str, str]:
    """Full names (the username where there is none) of these accounts, by username."""
    wanted = {u for u in usernames if isinstance(u, str) and u}
    if not wanted:
        return {}
    rows = get_user_model().objects.filter(username__in=wanted).values_list(
        "username", "first_name", "last_name"
    )
    return {username: _full_name(first, last, username) for username, first, last in rows}


# --- Information-sharing agreements -------------------------------------------------------------


def agreements_in_force(on) -> QuerySet[SharingAgreement]:
    """The agreements in force on a day: started, and not ended by it."""
    return SharingAgreement.objects.filter(starts_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def covering_agreements(*, discloser_id: int, recipient_ids, on) -> dict[int, SharingAgreement]:
    """For each recipient, the agreement in force on `on` whose parties include it and the
    discloser (the one started last, where several are), by recipient id. One query."""
    recipients = {pk for pk in recipient_ids if pk != discloser_id}
    if not recipients:
        return {}
    party = SharingAgreement.parties.through
    rows = (
        party.objects.filter(
            agency_id__in=recipients,
            sharingagreement__in=agreements_in_force(on).filter(parties=discloser_id),
        )
        .select_related("sharingagreement")
        .order_by("sharingagreement__starts_on", "sharingagreement_id")
    )
    covering = {}
    for row in rows:
        covering[row.agency_id] = row.sharingagreement  # the latest start wins
    return covering


def covering_agreement(*, discloser: Agency, recipient: Agency, on) -> SharingAgreement | None:
    """The agreement in force on `on` that covers a disclosure from `discloser` to
    `recipient`, or None."""
    return covering_agreements(
        discloser_id=discloser.pk, recipient_ids=[recipient.pk], on=on
    ).get(recipient.pk)


def agreements_for(membership: Membership | None) -> QuerySet[SharingAgreement]:
    """The agreements the member may read: every one for an auditor or oversight, else those
    its agency is party to; newest start first, with their parties."""
    agreements = SharingAgreement.objects.select_related("created_by").prefetch_related(
        "parties"
    ).order_by(
        "-starts_on", "title", "id"
    )
    if policy.reads_all_agreements(membership):
        return agreements
    if membership is None:
        return agreements.none()
    return agreements.filter(parties=membership.agency_id)


def agreement_get(*, membership: Membership | None, agreement_id: int) -> SharingAgreement:
    """One agreement the member may read; `NotFound` for another or none."""
    agreement = agreements_for(membership).filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound("No such sharing agreement.")
    return agreement
