from datetime import UTC, date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

ID_LIMIT = 2**63  # ids are 64-bit signed integers on both databases

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
    """A date-time that is a 400, never a 500, at the edges of the calendar (e.g. 0001-01-01 at +14:00).

    Out, a moment whose local offset is not whole minutes (Asia/Ho_Chi_Minh kept its
    local mean time, +07:06:40, until 1906) is written in UTC: ISO 8601 / RFC 3339 offsets
    have no seconds, and a client's date-time parser would refuse the value."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_representation(self, value):
        if isinstance(value, datetime) and not timezone.is_naive(value):
            offset = timezone.localtime(value).utcoffset()
            if offset is not None and offset.seconds % 60:
                return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return super().to_representation(value)

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


class ScopedIdListField(serializers.ListField):
    """A list of related ids resolved through a selector in one query, whatever its length.

    Errors are a plain ListField's of ScopedPrimaryKeyRelatedField children: each bad
    item is reported under its index (an id outside the caller's scope fails exactly
    like one that does not exist).
    """

    def __init__(self, selector, model, **kwargs):
        kwargs["child"] = ScopedPrimaryKeyRelatedField(selector, model)
        super().__init__(**kwargs)

    def run_child_validation(self, data):
        child = self.child
        pk = child.queryset.model._meta.pk
        keys: dict[int, object] = {}
        errors: dict[int, object] = {}
        for index, item in enumerate(data):
            try:
                if item is None or item == "" or isinstance(item, bool):
                    raise TypeError
                keys[index] = pk.get_prep_value(item)
            except (TypeError, ValueError):
                try:
                    child.run_validation(item)  # the child's own message (null, incorrect type)
                except serializers.ValidationError as exc:
                    errors[index] = exc.detail
        # An id no 64-bit key can hold exists nowhere (and `IN` would not say so: it raises).
        wanted = {key for key in keys.values() if not isinstance(key, int) or -ID_LIMIT <= key < ID_LIMIT}
        found = {obj.pk: obj for obj in child.get_queryset().filter(pk__in=wanted)} if wanted else {}
        result = []
        for index, item in enumerate(data):
            if index in errors:
                continue
            obj = found.get(keys[index])
            if obj is None:
                try:
                    child.fail("does_not_exist", pk_value=item)
                except serializers.ValidationError as exc:
                    errors[index] = exc.detail
            else:
                result.append(obj)
        if errors:
            raise serializers.ValidationError(errors)
        return result

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
