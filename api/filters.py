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


class NamedOnlyFilterSet(django_filters.FilterSet):
    """A filterset whose every filter does nothing when its parameter is absent binds only
    the filters the query names (by name, or a name's `name_...` sub-fields).

    django-filter deep-copies every declared filter and builds a form field for each on
    every request; a phone's page names one or two of a list's dozen, and those copies
    and fields were a tenth of the member feed's time (issue 16). The schema still lists
    every filter (drf-spectacular reads the class's `base_filters`), and a bad value of a
    named one is the same 400. tests/api/test_filters_named_only.py checks, for each
    subclass, that binding none of its filters leaves the queryset as it was: a filter
    with a default effect (teams' `active`) does not belong here.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if data is not None:
            declared = type(self).base_filters
            keys = [key for key in data.keys() if key]
            # An instance attribute: FilterSet.__init__ copies `self.base_filters`.
            self.base_filters = {name: f for name, f in declared.items()
                                 if any(key == name or key.startswith(name + "_") for key in keys)}
        super().__init__(data, queryset, request=request, prefix=prefix)
