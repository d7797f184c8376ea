"""What every member's page asks first, for the pages of every app."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from . import policy
from .selectors import membership_of


class MemberRequiredMixin(LoginRequiredMixin):
    """Signed in, a member of an agency, and (if `capability` is set) allowed to do it; the
    view gets the member's `membership`."""

    capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_of(request.user)
        if self.membership is None:
            raise PermissionDenied("Your account is not a member of any agency.")
        if self.capability and not policy.may(self.membership, self.capability):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
