"""Admin views. Workflow fields are read-only here: every change of an assignment
goes through tasks.services so its timeline stays complete."""
from django.contrib import admin

from .models import Assignment, AssignmentEvent, Campaign, Task, TaskTarget


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "starts_at", "ends_at", "updated_at"]
    list_filter = [("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "search_name"]
    autocomplete_fields = ["team"]
    raw_id_fields = ["created_by"]
    list_select_related = ["team"]


class TaskTargetInline(admin.TabularInline):
    model = TaskTarget
    extra = 0
    can_delete = False
    readonly_fields = ["team", "created_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "campaign", "kind", "platform", "unit", "status", "due_at", "updated_at"]
    list_filter = ["status", "kind", "platform", ("team", admin.RelatedOnlyFieldListFilter),
                   ("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "search_name"]
    autocomplete_fields = ["team", "campaign"]
    raw_id_fields = ["created_by"]
    list_select_related = ["team", "campaign"]
    date_hierarchy = "created_at"
    inlines = [TaskTargetInline]


class AssignmentEventInline(admin.TabularInline):
    model = AssignmentEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "assignee", "team", "status", "quantity", "completed_at", "reviewed_by",
                    "updated_at"]
    list_filter = ["status", "task__kind", ("team", admin.RelatedOnlyFieldListFilter),
                   ("task__campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["task__title", "assignee__full_name", "assignee__phone"]
    list_select_related = ["task", "assignee", "team", "reviewed_by"]
    readonly_fields = ["task", "assignee", "team", "status", "evidence_url", "evidence_image", "note",
                       "quantity", "decline_reason", "started_at", "completed_at", "reviewed_by", "reviewed_at",
                       "review_note", "created_at", "updated_at"]
    inlines = [AssignmentEventInline]

    def has_add_permission(self, request):
        return False  # assignments are made by assigning a task

    def has_delete_permission(self, request, obj=None):
        return False
