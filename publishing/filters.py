import django_filters

from api.filters import IdFilter
from tasks.choices import Platform
from tasks.filters import StrictBooleanFilter, UpdatedSinceFilter
from teams.filters import SearchFilter, WithinFilter

from .choices import ChannelKind, ContentStatus, Repeat
from .models import Channel, ContentItem, Schedule


class ChannelFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    platform = django_filters.ChoiceFilter(choices=Platform.choices)
    kind = django_filters.ChoiceFilter(choices=ChannelKind.choices)
    is_active = StrictBooleanFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Channel
        fields = ["team", "within", "platform", "kind", "is_active", "updated_since"]


class ContentItemFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    status = django_filters.ChoiceFilter(choices=ContentStatus.choices)
    topic = IdFilter(field_name="topic_id")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ContentItem
        fields = ["team", "within", "status", "topic", "updated_since"]


class ScheduleFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    repeat = django_filters.ChoiceFilter(choices=Repeat.choices)
    is_active = StrictBooleanFilter()
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Schedule
        fields = ["team", "within", "repeat", "is_active", "updated_since"]
