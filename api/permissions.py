"""Per-action permission classes that read the role -> capability table.

A viewset declares `action_capabilities = {"create": "manage", ...}` (ScopedViewSetMixin,
which every user of HasCapability starts from, declares none); actions not named need
only an authenticated caller (scope still filters what they see).
- has_permission: the caller holds the capability somewhere (role check before
  the body is validated: a member creating a task gets 403 whatever it sends);
- has_object_permission: the caller holds it at the object's team
  (`view.scope_path(obj)`), so a visible object outside one's reach is 403.
"""
from rest_framework.permissions import BasePermission

from api.access import scope_for


class HasCapability(BasePermission):
    def _capability(self, view):
        # DRF sets `action` on every viewset request (None for a method no action routes).
        return view.action_capabilities.get(view.action)

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        capability = self._capability(view)
        if capability is None:
            return True
        return scope_for(request.user).has_capability(capability)

    def has_object_permission(self, request, view, obj):
        capability = self._capability(view)
        if capability is None:
            return True
        path = view.scope_path(obj)
        if path is None:  # the object spans teams; its service decides
            return True
        return scope_for(request.user).has_capability_at(capability, path)
