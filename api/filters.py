"""Filter building blocks shared by every app."""
import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

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
