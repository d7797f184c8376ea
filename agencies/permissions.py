"""The API's permission classes that ask who the caller is in its agency."""

from rest_framework.permissions import BasePermission

from .selectors import membership_of


class IsMember(BasePermission):
    """Signed in and belonging to an agency."""

    def has_permission(self, request, view) -> bool:
        return membership_of(request.user) is not None
