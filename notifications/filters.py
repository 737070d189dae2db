import django_filters
from django.utils.translation import gettext_lazy as _

from api.filters import NamedOnlyFilterSet

from .choices import NotificationKind
from .models import Notification


class NotificationFilter(NamedOnlyFilterSet):
    # A choice, not a BooleanFilter: "unread=maybe" is a 400, not silently ignored.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_unread",
        label=_("true: only unread; false: only read"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")
