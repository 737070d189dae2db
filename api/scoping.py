"""The scope mixin every viewset starts from."""
from rest_framework.permissions import IsAuthenticated

from api.permissions import HasCapability
from api.access import forget_scope


class ScopedViewSetMixin:
    """`get_queryset()` must start from a selector (rows outside scope are 404).

    The caller's scope is recomputed for every request, so a role granted or
    removed a moment ago takes effect on the next call.
    """

    permission_classes = [IsAuthenticated, HasCapability]
    action_capabilities: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        forget_scope(getattr(request, "user", None))
        super().initial(request, *args, **kwargs)

    def scope_path(self, obj) -> str:
        """The path of the team that decides who may act on `obj`."""
        return obj.team.path
