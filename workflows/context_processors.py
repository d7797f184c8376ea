from agencies.selectors import membership_of

from .selectors import unread_count


def notifications(request):
    """The signed-in member's unread notifications, for the bell in the shell's toolbar."""
    user = getattr(request, "user", None)
    if membership_of(user) is None:
        return {}
    return {"unread_notifications": unread_count(user=user)}
