"""Filter building blocks shared by every app."""
import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .fields import OUT_OF_RANGE, in_calendar

# Ids are 64-bit integers on both databases; anything else is a 400, not a database error.
MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number in the id range (else 400), never a decimal
    that the database cannot hold."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class CalendarIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time whose value (or its conversion to UTC) at the calendar's edge is a 400."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_python(self, value):
        try:
            moment = super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        if moment is not None and not in_calendar(moment):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return moment


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """django-filter's IsoDateTimeFilter, with the calendar's edges answered by a 400."""

    field_class = CalendarIsoDateTimeField
