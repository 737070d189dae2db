"""The admin shows surveys, their questions and audience, and the counts; never who
answered what (the participation and text tables are not registered)."""
from django.contrib import admin

from .models import Question, Survey, SurveyAudience, TeamTally


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text", "options", "required"]


class AudienceInline(admin.TabularInline):
    model = SurveyAudience
    extra = 0
    raw_id_fields = ["team"]


class TeamTallyInline(admin.TabularInline):
    model = TeamTally
    extra = 0
    fields = ["team", "responses"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "status", "anonymous", "opens_at", "closes_at", "created_at"]
    list_filter = ["status", "anonymous"]
    search_fields = ["title"]
    raw_id_fields = ["team", "created_by"]
    readonly_fields = ["opened_at", "closed_at", "reminded_at", "created_at", "updated_at"]
    inlines = [AudienceInline, QuestionInline, TeamTallyInline]

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is cascaded away: close a survey instead
