"""Object checks that must come before the body is read (role checks before validation).

The services enforce the same rules again; these only make the refusal a 403
whatever the body holds.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .accounts import member_can_unlock
from .selectors import member_within_reach


class CanChangeMember(BasePermission):
    """Writes to a member need the member inside the caller's reach (selectors.member_within_reach)."""

    message = _("You cannot change this member.")

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "unlock":
            return member_can_unlock(request.user, obj)  # any of their teams is enough here
        return member_within_reach(request.user, obj)


class NotOwnRoles(BasePermission):
    """Nobody but a superuser changes or removes their own memberships."""

    message = _("You cannot change your own roles.")

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return request.user.is_superuser or obj.member_id != request.user.pk
