import django_filters

from api.filters import IdFilter
from tasks.choices import Platform
from tasks.filters import StrictBooleanFilter, UpdatedSinceFilter
from teams.filters import SearchFilter, WithinFilter

from .choices import ChannelKind
from .models import Channel


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
