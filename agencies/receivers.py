"""A changed password or a deactivated account ends the member's API tokens.

A receiver rather than a call in each place that can do either (the password change and reset
pages, the admin, `manage.py changepassword`, a service): a credential left standing by one
forgotten path is the fault this closes. Browser sessions end by Django's own session auth hash
on a password change, and on their next request when the account is inactive.
"""

from .services import tokens_revoke_all


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
