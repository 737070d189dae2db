import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from api.filters import IdFilter, IsoDateTimeFilter, NamedOnlyFilterSet
from teams.filters import SearchFilter, WithinFilter

from .choices import AssignmentStatus, Platform, TaskKind, TaskStatus
from .models import Assignment, Campaign, Task, Topic


class UpdatedSinceFilter(IsoDateTimeFilter):
    """Rows changed at or after this time (mobile delta sync)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", _("Changed at or after this time (ISO 8601)"))
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (or 1/0); anything else is a 400 rather than silently ignored."""

    field_class = StrictBooleanField


class TopicFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    is_active = StrictBooleanFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Topic
        fields = ["team", "within", "is_active", "updated_since"]


class CampaignFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    topic = IdFilter(field_name="topic_id")
    within = WithinFilter(path_field="team__path")
    updated_since = UpdatedSinceFilter()
    search = SearchFilter()

    class Meta:
        model = Campaign
        fields = ["team", "within", "topic", "updated_since", "search"]


class TaskFilter(NamedOnlyFilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices)
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    campaign = IdFilter(field_name="campaign_id")
    topic = IdFilter(field_name="topic_id")
    updated_since = UpdatedSinceFilter()
    search = SearchFilter()

    class Meta:
        model = Task
        fields = ["status", "kind", "platform", "team", "within", "campaign", "topic", "updated_since", "search"]


class AssignmentFilter(NamedOnlyFilterSet):
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    task = IdFilter(field_name="task_id")
    assignee = IdFilter(field_name="assignee_id")
    team = IdFilter(field_name="team_id", label=_("The team through which it reached the assignee"))
    within = WithinFilter(path_field="team__path")
    mine = StrictBooleanFilter(method="filter_mine", label=_("true: only the caller's own"))
    campaign = IdFilter(field_name="task__campaign_id")
    topic = IdFilter(field_name="task__topic_id")
    due_before = IsoDateTimeFilter(field_name="task__due_at", lookup_expr="lte")
    due_after = IsoDateTimeFilter(field_name="task__due_at", lookup_expr="gte")
    updated_since = IsoDateTimeFilter(
        method="filter_updated_since",
        label=_("The assignment or its task changed at or after this time (ISO 8601)"),
    )

    class Meta:
        model = Assignment
        fields = ["status", "task", "assignee", "team", "within", "mine", "campaign", "topic", "due_before",
                  "due_after", "updated_since"]

    def filter_mine(self, qs, name, value):
        if value:
            return qs.filter(assignee_id=getattr(self.request.user, "pk", None))
        return qs

    def filter_updated_since(self, qs, name, value):
        # The task is inlined in every item, so a changed task brings its assignments back too.
        return qs.filter(Q(updated_at__gte=value) | Q(task__updated_at__gte=value))
