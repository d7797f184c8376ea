from . import policy
from .selectors import membership_of


def membership(request):
    """The signed-in member's agency and roles, for the application shell."""
    member = membership_of(getattr(request, "user", None))
    return {
        "membership": member,
        "readable_sections": policy.readable_sections(member) if member else frozenset(),
    }
