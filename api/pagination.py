import base64
import binascii
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination whose `page_size` is honoured up to a hard cap.

    A page size that is not a whole number, or lies outside 1..cap, is a 400
    naming the parameter rather than being silently changed.
    """

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({self.page_size_query_param: [_("A whole number is required.")]})
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Must be between 1 and %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "") and raw not in self.last_page_strings:
            try:
                valid = int(raw) >= 1
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise ValidationError({self.page_query_param: [_("A whole number of 1 or more is required.")]})
        # A well-formed page past the end stays DRF's 404 "Invalid page."
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if param["name"] == self.page_query_param:
                param["schema"] = {"type": "integer", "minimum": 1}
        return params


class KeysetPagination(pagination.BasePagination):
    """Keyset ("cursor") pagination over the view's ordering, with the id as tie-breaker.

    No COUNT and no OFFSET: a page is `WHERE (ordering columns) beyond the last row
    seen ORDER BY ... LIMIT page_size + 1`, so page 1,000 costs what page 1 costs,
    and rows added while a client scrolls never shift a page or repeat a row.
    The response is `{next, previous, results}`; `next`/`previous` are links with an
    opaque `cursor` (null at either end). `?ordering=` picks one of the view's
    `ordering_fields` as with DRF's OrderingFilter; the id is appended as the
    tie-breaker, in the same direction as the first field. A cursor only works with
    the ordering it was made for; a cursor that is not one of ours is a 400.
    NULLs (e.g. a task without a due date) sort after every value, on every database.
    """

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = api_settings.PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-id"  # when the view has no OrderingFilter
    tie_breaker = "id"

    get_page_size = PageNumberPagination.get_page_size

    def paginate_queryset(self, queryset, request, view=None):
        sliced, position, reverse = self.page_queryset(queryset, request, view)
        return self._take(list(sliced), position, reverse)

    def page_queryset(self, queryset, request, view=None, at=None):
        """The page's query, not run: (`queryset` ordered, past the cursor, limited to one row
        more than the page), the cursor's position and whether it travels backwards. `at`:
        (position, reverse) to use instead of the request's cursor (api.compiled's stand-in)."""
        self._start(request, queryset, view)
        position, reverse = self._decode_cursor(request, queryset) if at is None else at
        # The direction of travel: backwards (a `previous` link) walks the ordering reversed.
        travel = [(name, desc != reverse) for name, desc in self.fields]
        queryset = queryset.order_by(*[
            F(name).desc(nulls_first=True) if desc else F(name).asc(nulls_last=True) for name, desc in travel
        ])
        if position is not None:
            queryset = queryset.filter(self._beyond(queryset, travel, position))
        return queryset[: self.page_size + 1], position, reverse

    def first_page(self, rows, request, view=None):
        """The first page from `rows`, read elsewhere as page_queryset's query of a request with
        no cursor and no `ordering` would read them (api.compiled): the page and its links."""
        self._start(request, None, view)
        return self._take(list(rows), None, False)

    def start_cursor_page(self, request, view, queryset):
        """For a page read elsewhere (api.compiled): its ordering and the request's cursor
        (position, reverse), a 400 for a cursor that is not one of ours, as page_queryset."""
        self._start(request, queryset, view)
        return self._decode_cursor(request, queryset)

    def cursor_page(self, rows, position, reverse):
        """The page from `rows`, read as page_queryset's query at `position` would read them."""
        return self._take(list(rows), position, reverse)

    def _start(self, request, queryset, view):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.fields = self._ordering(request, queryset, view)
        self.ordering_key = ",".join(("-" if desc else "") + name for name, desc in self.fields)

    def _take(self, rows, position, reverse):
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, position is not None
        self.first_position = self._position(rows[0]) if rows else position
        self.last_position = self._position(rows[-1]) if rows else position
        return rows

    # Ordering ----------------------------------------------------------------

    def _ordering(self, request, queryset, view):
        ordering = None
        for backend in getattr(view, "filter_backends", None) or []:
            if issubclass(backend, OrderingFilter):
                ordering = backend().get_ordering(request, queryset, view)
                break
        if not ordering:
            ordering = getattr(view, "ordering", None) or self.ordering
        if isinstance(ordering, str):
            ordering = [ordering]
        fields = []
        for term in ordering:
            name = term.lstrip("-")
            name = self.tie_breaker if name == "pk" else name
            fields.append((name, term.startswith("-")))
            if name == self.tie_breaker:
                break  # unique: anything after it never decides
        else:
            fields.append((self.tie_breaker, fields[0][1] if fields else True))
        return fields

    @staticmethod
    def _field(queryset, name):
        return queryset.query.resolve_ref(name).output_field

    def _beyond(self, queryset, travel, position):
        """Rows after `position` in the direction of travel (NULL is greater than any value)."""
        terms, equal = [], Q()
        for (name, desc), value in zip(travel, position):
            nullable = self._field(queryset, name).null
            if desc:
                beyond = Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})
            elif value is None:
                beyond = None  # nothing is greater than NULL
            else:
                beyond = Q(**{f"{name}__gt": value})
                if nullable:
                    beyond |= Q(**{f"{name}__isnull": True})
            if beyond is not None:
                terms.append(equal & beyond)
            equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        condition = Q(pk__in=[])
        for term in terms:
            condition |= term
        return condition

    # Cursors -----------------------------------------------------------------

    def _position(self, row):
        values = []
        for name, _desc in self.fields:
            value = row[name] if isinstance(row, dict) else getattr(row, name)  # values() rows too
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return values

    def _invalid(self):
        return ValidationError({self.cursor_query_param: [_("Invalid cursor: use the next or previous link "
                                                           "of the list as given, with the same ordering.")]})

    def _decode_cursor(self, request, queryset):
        raw = request.query_params.get(self.cursor_query_param)
        if raw in (None, ""):
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            position, reverse, key = data["p"], data["r"], data["o"]
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise self._invalid() from None
        if key != self.ordering_key or not isinstance(reverse, bool) or not isinstance(position, list) \
                or len(position) != len(self.fields):
            raise self._invalid()
        values = []
        for (name, _desc), value in zip(self.fields, position):
            if value is None or isinstance(value, bool) or not isinstance(value, (int, str)):
                if value is not None:
                    raise self._invalid()
                values.append(None)
                continue
            try:
                values.append(self._field(queryset, name).to_python(value))
            except (DjangoValidationError, ValueError, TypeError):
                raise self._invalid() from None
        if any(v is None for v, (name, _d) in zip(values, self.fields) if not self._field(queryset, name).null):
            raise self._invalid()
        return values, reverse

    def _link(self, position, reverse):
        cursor = json.dumps({"p": position, "r": reverse, "o": self.ordering_key}, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(cursor.encode()).decode("ascii").rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, encoded)

    def get_next_link(self):
        return self._link(self.last_position, False) if self.has_next else None

    def get_previous_link(self):
        return self._link(self.first_position, True) if self.has_previous else None

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "example": f"http://api.example.org/accounts/?{self.cursor_query_param}=eyJwIjpbN10"},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "example": f"http://api.example.org/accounts/?{self.cursor_query_param}=eyJwIjpbOV0"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "The opaque cursor of a `next` or `previous` link (keyset pagination: no page "
                            "numbers and no total count).",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": "Number of results to return per page.",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]
