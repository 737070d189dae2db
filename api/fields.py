from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Dates and times a client may send: a day's margin inside Python's calendar, so that
# converting to UTC or local time, or adding the day an `until` includes, never overflows.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
OUT_OF_RANGE = _("Use a date between 0001-01-02 and 9999-12-30.")


def in_calendar(value) -> bool:
    """Whether a date or datetime lies between EARLIEST and LATEST (naive ones read as UTC)."""
    try:
        if isinstance(value, datetime):
            moment = value.replace(tzinfo=UTC) if timezone.is_naive(value) else value
            return EARLIEST <= moment <= LATEST
        if isinstance(value, date):
            return EARLIEST.date() <= value <= LATEST.date()
    except OverflowError:
        return False
    return True


class DateTimeField(serializers.DateTimeField):
    """A date-time that is a 400, never a 500, at the edges of the calendar (e.g. 0001-01-01 at +14:00)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range")
        if not in_calendar(moment):
            self.fail("out_of_range")
        return moment


class DateField(serializers.DateField):
    """A date that is a 400, never a 500, at the edges of the calendar (e.g. 9999-12-31)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not in_calendar(day):
            self.fail("out_of_range")
        return day


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id resolved through a selector: ids outside the caller's scope
    fail exactly like ids that do not exist (400 naming the field).

    `selector(user)` returns the queryset of allowed objects, e.g. teams_managed_by.
    `model` only tells the schema generator what kind of id this is.
    """

    def __init__(self, selector, model, **kwargs):
        self.selector = selector
        kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(request.user if request else None)


# django-simple-history's one-character change types, as words a generated enum can name.
HISTORY_TYPE_NAMES = {"+": "created", "~": "changed", "-": "deleted"}


class HistoryTypeField(serializers.ChoiceField):
    """`created`, `changed` or `deleted` for a history row (stored as `+`, `~`, `-`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(name, name) for name in HISTORY_TYPE_NAMES.values()])
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return HISTORY_TYPE_NAMES.get(value, value)
