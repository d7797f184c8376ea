"""Receivers of Django's model signals: what must follow a change however it is made.

A changed password or a deactivated account ends the member's API tokens. A receiver rather than
a call in each place that can do either (the password change and reset pages, the admin,
`manage.py changepassword`, a service): a credential left standing by one forgotten path is the
fault this closes. Browser sessions end by Django's own session auth hash on a password change,
and on their next request when the account is inactive.

A token ended, or a change to its user, membership or agency, forgets the token's cached entry
(`token_cache`), for the same reason: the next request reads the database.
"""

from .services import tokens_revoke_all
from .token_cache import forget, forget_tokens_of_agency, forget_tokens_of_user


def end_tokens_on_password_change_or_deactivation(sender, instance, created, **kwargs) -> None:
    if created:
        return
    # `_password` holds the new raw password from `set_password()` until `save()` has told the
    # password validators (Django's own notion of a password change: a hash upgrade at sign-in
    # is not one).
    if getattr(instance, "_password", None) is not None:
        tokens_revoke_all(user=instance, why="password_changed")
    elif not instance.is_active:
        tokens_revoke_all(user=instance, why="deactivated")


def forget_ended_token(sender, instance, **kwargs) -> None:
    forget([instance.digest])


def forget_changed_token(sender, instance, created, **kwargs) -> None:
    if not created:
        forget([instance.digest])


def forget_tokens_of_saved_user(sender, instance, created, update_fields=None, **kwargs) -> None:
    """A user changed (a sign-in's `last_login` alone changes nothing a token's entry holds)."""
    if not created and set(update_fields or ()) != {"last_login"}:
        forget_tokens_of_user(instance.pk)


def forget_tokens_of_saved_membership(sender, instance, created, **kwargs) -> None:
    if not created:
        forget_tokens_of_user(instance.user_id)


def forget_tokens_of_saved_agency(sender, instance, created, **kwargs) -> None:
    if not created:
        forget_tokens_of_agency(instance.pk)
