"""Hot lists: `values()` rows shaped by one plain function per shape, rendered by orjson.

A page of 100 assignments built as model instances and run through nested
serializers spends most of its time in Python (issue 16: ~7 ms building rows,
~7 ms serializing). A list view that mixes in `RowListMixin` instead

- reads its page as `values(*row_columns())` (dicts, no model instances), through
  the same scoped queryset, filters, ordering and paginator as before;
- shapes each row with `shape_rows(rows)`, one function per shape that writes the
  dict the serializer would have written, key for key, in the same order;
- renders the page with api.renderers.ORJSONRenderer.

The serializer stays the viewset's `serializer_class`: drf-spectacular documents
the list from it, the detail and the actions still use it, and
tests/api/test_hot_rows.py checks both that the shaped rows equal the serializer's
output and that the served JSON validates against the served OpenAPI schema.
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .renderers import ORJSONRenderer


def datetime_formatter():
    """DRF's DateTimeField output (ISO 8601 in the active time zone, +00:00 as Z) as a plain
    function of an aware datetime; None for None. Take one per request: it reads the zone once."""
    zone = timezone.get_current_timezone()

    def text(value: datetime | None) -> str | None:
        if value is None:
            return None
        out = value.astimezone(zone).isoformat()
        return out[:-6] + "Z" if out.endswith("+00:00") else out

    return text


class RowListMixin:
    """For list viewsets: the list action reads `values()` rows and shapes them (module doc).

    A viewset sets `row_shapes = True` and defines `row_columns()` (the columns
    `shape_rows` reads) and `shape_rows(rows)` (the page's rows -> the serializer's
    output); without `row_shapes` its list is DRF's own (a shared base can mix this in).
    """

    row_shapes = False

    def _rows_listed(self) -> bool:
        return self.row_shapes and getattr(self, "action", None) == "list"

    def get_renderers(self):
        renderers = super().get_renderers()
        if not self._rows_listed():
            return renderers
        return [ORJSONRenderer(), *(r for r in renderers if type(r) is not JSONRenderer)]

    def row_columns(self) -> list[str]:
        raise NotImplementedError

    def shape_rows(self, rows: list[dict]) -> list[dict]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        if not self.row_shapes:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).values(*self.row_columns())
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.shape_rows(list(queryset)))
        return self.get_paginated_response(self.shape_rows(page))
