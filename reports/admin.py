"""The admin shows the change history of teams, memberships, tasks and campaigns.

Each model keeps the admin its own app registered (path rules, filters...);
here that class is re-registered with SimpleHistoryAdmin mixed in, so this app
needs no edit in teams/ or tasks/. reports comes after them in INSTALLED_APPS,
so their admin modules are loaded first. The history is read-only: reverting
from it would bypass the services' rules.
"""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import TRACKED_MODELS


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def with_history(model) -> type:
    current = type(admin.site._registry[model]) if admin.site.is_registered(model) else admin.ModelAdmin
    if issubclass(current, SimpleHistoryAdmin):
        return current
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    model_admin = type(f"{current.__name__}WithHistory", (ReadOnlyHistoryAdmin, current), {
        "__module__": __name__,
    })
    admin.site.register(model, model_admin)
    return model_admin


for tracked in TRACKED_MODELS:
    with_history(tracked)
