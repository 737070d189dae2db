"""Admin views. Review steps of content are read-only here: approving goes through
publishing.services so four eyes always hold."""
from django.contrib import admin

from .models import (
    Channel, ChannelManager, ChannelPost, ContentItem, Schedule, ScheduleMember, ScheduleRun, ScheduleTeam,
    TaskPublication,
)


class ChannelManagerInline(admin.TabularInline):
    model = ChannelManager
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "platform", "kind", "posts_per_day_target", "is_active", "updated_at"]
    list_filter = ["is_active", "platform", "kind", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "url"]
    autocomplete_fields = ["team"]
    raw_id_fields = ["created_by"]
    list_select_related = ["team"]
    inlines = [ChannelManagerInline]


@admin.register(ChannelPost)
class ChannelPostAdmin(admin.ModelAdmin):
    list_display = ["url", "channel", "published_at", "topic", "content", "assignment", "created_by"]
    list_filter = [("channel", admin.RelatedOnlyFieldListFilter), ("topic", admin.RelatedOnlyFieldListFilter),
                   "channel__platform"]
    search_fields = ["url", "note", "channel__name"]
    raw_id_fields = ["channel", "topic", "content", "assignment", "created_by"]
    list_select_related = ["channel", "topic", "content", "created_by"]
    date_hierarchy = "published_at"


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "topic", "status", "expires_at", "created_by", "reviewed_by", "updated_at"]
    list_filter = ["status", ("team", admin.RelatedOnlyFieldListFilter), ("topic", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "body"]
    autocomplete_fields = ["team"]
    raw_id_fields = ["topic", "created_by", "reviewed_by"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "review_note"]
    list_select_related = ["team", "topic", "created_by", "reviewed_by"]
    date_hierarchy = "created_at"


@admin.register(TaskPublication)
class TaskPublicationAdmin(admin.ModelAdmin):
    list_display = ["task", "channel", "content"]
    list_filter = [("channel", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["task__title"]
    raw_id_fields = ["task", "channel", "content"]
    list_select_related = ["task", "channel", "content"]


class ScheduleTeamInline(admin.TabularInline):
    model = ScheduleTeam
    extra = 0
    autocomplete_fields = ["team"]


class ScheduleMemberInline(admin.TabularInline):
    model = ScheduleMember
    extra = 0
    raw_id_fields = ["member"]


class ScheduleRunInline(admin.TabularInline):
    model = ScheduleRun
    extra = 0
    can_delete = False
    fields = ["occurs_at", "task", "created_at"]
    readonly_fields = fields
    ordering = ["-occurs_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    """Runs are made by the beat only (read-only here): an occurrence happens once."""

    list_display = ["title", "team", "repeat", "weekday", "time", "is_active", "next_run_at", "last_run_at",
                    "created_by"]
    list_filter = ["is_active", "repeat", "kind", "platform", ("team", admin.RelatedOnlyFieldListFilter),
                   ("topic", admin.RelatedOnlyFieldListFilter), ("channel", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "instructions", "team__name"]
    autocomplete_fields = ["team"]
    raw_id_fields = ["channel", "content", "topic", "campaign", "created_by"]
    readonly_fields = ["last_run_at", "next_run_at", "last_error"]
    list_select_related = ["team", "created_by"]
    date_hierarchy = "next_run_at"
    inlines = [ScheduleTeamInline, ScheduleMemberInline, ScheduleRunInline]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["schedule", "occurs_at", "task", "created_at"]
    list_filter = [("schedule", admin.RelatedOnlyFieldListFilter), "schedule__repeat"]
    search_fields = ["schedule__title", "task__title"]
    raw_id_fields = ["schedule", "task"]
    list_select_related = ["schedule", "task"]
    date_hierarchy = "occurs_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
