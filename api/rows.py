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

import hashlib
from datetime import datetime

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .access import scope_for
from .compiled import KEY, SOME_ID, SOME_KEY, SOME_MOMENT, compile_objects, compile_query, stand_in
from .conditional import _tags, _weak_equal
from .renderers import ORJSONRenderer
from .sync import SYNC_PARAM, parse_updated_since
from .postgresql import prepared_cursor


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


def values_rows(queryset, columns, annotations: dict):
    """`queryset.values()` of `columns`, where the names that `annotations` holds are its
    expressions (a subquery, say) and the others are field paths."""
    return queryset.values(*(c for c in columns if c not in annotations),
                           **{alias: e for alias, e in annotations.items() if alias in columns})


class RowListMixin:
    """For list viewsets: the list action reads `values()` rows and shapes them (module doc).

    A viewset sets `row_shapes = True` and defines `row_columns()` (the columns
    `shape_rows` reads) and `shape_rows(rows)` (the page's rows -> the serializer's
    output); without `row_shapes` its list is DRF's own (a shared base can mix this in).
    """

    row_shapes = False
    # Polls (module doc, "Polls that cost almost nothing"); see fingerprint_columns and delta_branches.
    empty_page = {"next": None, "previous": None, "results": []}

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

    def row_annotations(self) -> dict:
        """{alias: expression} for the aliases among row_columns() and fingerprint_columns()
        that are not columns (a subquery, say)."""
        return {}

    def _values(self, queryset, columns):
        return values_rows(queryset, columns, self.row_annotations())

    def fingerprint_columns(self) -> list[str]:
        """Columns of a row that change whenever its shaped output does (its own and its
        task's `updated_at`, names read from other tables...), the paginator's ordering
        columns included. The page's ETag is a hash of them (page_etag)."""
        raise NotImplementedError

    def fingerprint_clock(self, row: dict, now: datetime) -> tuple:
        """What of a row's output depends on the time alone (is_overdue, is_published)."""
        return ()

    def delta_queryset(self):
        """The scoped queryset the delta check filters: get_queryset(), or a plainer one where
        that carries joins only the page's columns need (they would stay in every EXISTS)."""
        return self.get_queryset()

    def delta_branches(self, queryset, since) -> list:
        """Querysets whose union is `queryset` limited to rows changed since `since`, each
        one an indexed read (an empty delta is then one EXISTS query, delta_is_empty)."""
        return [queryset.filter(updated_at__gte=since)]

    def delta_template(self, params) -> object | None:
        """For the delta polls whose probe depends on nothing but the caller's id and `since`
        (a phone's own feed): a hashable key, and delta_template_queryset builds the rows
        for any caller's id. The probe's SQL is then compiled once per key and process and
        run with the two values (compiling it was most of an idle poll's Python). None: the
        probe is built from the list's filters each time."""
        return None

    def delta_template_queryset(self, user_id: int):
        raise NotImplementedError

    def delta_function(self, key) -> str | None:
        """On PostgreSQL: a function (caller's id, moment) -> boolean that answers the templated
        probe `key` as its compiled SQL would, with plans made once per connection (a probe
        whose best plan depends on its values is otherwise planned on every poll). None: the
        compiled SQL. Its equivalence with the SQL is the viewset's tests' to show."""
        return None

    def _templated_probe(self, key, since) -> bool:
        """Whether anything changed since `since` for the caller: delta_template's query."""
        adapt = connection.ops.adapt_datetimefield_value  # what the compiled parameters hold
        function = self.delta_function(key) if connection.vendor == "postgresql" else None
        if function is not None:
            with prepared_cursor(connection) as cursor:
                cursor.execute(f"SELECT {function}(%s, %s)", [self.request.user.pk, adapt(since)])
                return bool(cursor.fetchone()[0])
        entry = _PROBES.get((type(self), key, connection.alias))
        if entry is None:
            sql, params = _probe_sql(self.delta_branches(self.delta_template_queryset(SOME_ID), SOME_MOMENT))
            moment = adapt(SOME_MOMENT)
            slots = [_CALLER if p == SOME_ID else _SINCE if p == moment else p for p in params]
            if _CALLER not in slots or _SINCE not in slots:  # pragma: no cover - a wrong template
                raise AssertionError(f"a templated delta probe must read the caller and the moment: {sql}")
            entry = _PROBES[(type(self), key, connection.alias)] = (sql, slots)
        sql, slots = entry
        caller, moment = self.request.user.pk, adapt(since)
        # Prepared: one person's rows through (assignee, updated_at) and the task's updated_at
        # index, whoever asks.
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, [caller if s is _CALLER else moment if s is _SINCE else s for s in slots])
            return bool(cursor.fetchone()[0])

    def page_etag(self, rows) -> str:
        columns = self.fingerprint_columns()
        now = timezone.now()
        marks = [[*(row[c] for c in columns), *self.fingerprint_clock(row, now)] for row in rows]
        head = [self.request.build_absolute_uri(), get_language(), getattr(self.request.user, "pk", None)]
        digest = hashlib.sha256(orjson.dumps([head, marks], default=str, option=orjson.OPT_NON_STR_KEYS))
        return 'W/"rows-%s"' % digest.hexdigest()[:40]

    def delta_is_empty(self, request) -> bool:
        """True when a delta poll (`updated_since`, first page) finds nothing: one query,
        `EXISTS (branch 1) OR EXISTS (branch 2) ...` over the list's filters and scope.
        False, with no query, for parameters the list refuses (it then answers the 400)."""
        params = _without(request.query_params, SYNC_PARAM)
        try:
            since = parse_updated_since(request.query_params.getlist(SYNC_PARAM)[-1])
        except ValidationError:
            return False
        key = self.delta_template(params)
        if key is not None:
            return not self._templated_probe(key, since)
        backend = next(b for b in self.filter_backends if hasattr(b, "get_filterset"))()
        filterset = backend.get_filterset(_WithParams(request, params), self.delta_queryset(), self)
        if filterset is None or not filterset.is_valid():
            return False
        sql, params = _probe_sql(self.delta_branches(filterset.qs, since))
        if sql is None:
            return True
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return not cursor.fetchone()[0]

    def list(self, request, *args, **kwargs):
        if not self.row_shapes:
            return super().list(request, *args, **kwargs)
        wanted = request.META.get("HTTP_IF_NONE_MATCH")
        params = request.query_params
        if (not wanted and params.get(SYNC_PARAM) and not {"cursor", "page", "ordering"} & set(params)
                and self.paginator.get_page_size(request) and self.delta_is_empty(request)):
            return Response(dict(self.empty_page))  # nothing new: no page read, nothing shaped
        page = self._templated_first_page(request)
        if page is not None:
            return self._page_response(page, wanted)
        queryset = self.filter_queryset(self.get_queryset())  # a bad filter is a 400 before anything runs
        # A get_queryset() may give the rows already as values() of row_columns() (a template
        # built once: tasks.selectors.assignment_list_rows); `_fields` is what values() sets.
        ready = queryset._fields is not None
        if wanted and not ready:
            # The page's fingerprint from its narrow columns: no rows shaped, nothing rendered.
            tag = self.page_etag(self.paginate_queryset(self._values(queryset, self.fingerprint_columns())))
            if any(_weak_equal(t, tag) for t in _tags(wanted)):
                return Response(status=304, headers={"ETag": tag, "Cache-Control": "private, no-cache"})
        # A ready queryset's page is its own fingerprint: it is checked against `wanted` there.
        return self._page_response(
            self.paginate_queryset(queryset if ready else self._values(queryset, self.row_columns())),
            wanted if ready else None)

    def _page_response(self, page, wanted):
        """The page's rows shaped and rendered with their ETag, or a 304 when `wanted` names it."""
        tag = self.page_etag(page)
        if wanted and any(_weak_equal(t, tag) for t in _tags(wanted)):
            return Response(status=304, headers={"ETag": tag, "Cache-Control": "private, no-cache"})
        response = self.get_paginated_response(self.shape_rows(page))
        response["ETag"] = tag
        return response

    # First pages compiled once (api.compiled) ---------------------------------------------

    # The scope's capabilities whose team paths the page's query reads (page_template).
    template_capabilities: tuple[str, ...] = ()

    def page_template(self, params) -> object | None:
        """For the query parameters of a first page whose query depends on nothing but who the
        caller is (their id, their scope's team paths for `template_capabilities`, superuser
        or not) and the moment: a hashable key. The page's query is then built and compiled
        once per key, page size and shape of scope, for a stand-in caller (api.compiled), and
        run with the caller's values. None: the page is built from the parameters each time."""
        return None

    def page_prepared(self, key) -> bool:
        """Whether the compiled first page of `key` runs server-prepared on PostgreSQL
        (api.postgresql.prepared_cursor): only where an index makes its generic plan right for
        every caller (a person's own rows by (person, id), say), since PostgreSQL may then plan it
        once for all of them. False: it is planned for each caller's values."""
        return False

    def _templated_first_page(self, request):
        """The page's rows through a compiled page query, or None (module api.compiled): the first
        page, or one a `cursor` names in the default order (newest first, by id)."""
        params = request.query_params
        if {"ordering", SYNC_PARAM} & set(params):
            return None
        cursor_param = getattr(self.paginator, "cursor_query_param", None)  # keyset pagination's
        cursor = params.get(cursor_param) if cursor_param else None
        if cursor is not None:
            params = _without(params, cursor_param)
        key = self.page_template(params)
        if key is None:
            return None
        scope = scope_for(request.user)
        if scope.is_anonymous:
            return None
        page_size = self.paginator.get_page_size(request)  # a bad page size is its 400 here too
        if cursor:
            return self._templated_cursor_page(request, scope, key, params, page_size)
        compiled, paths = self._compiled_once(
            scope, ("page", key, page_size),
            lambda user, paths: self._compile_page(request, request.query_params, user, paths, self.page_prepared(key)))
        if compiled is None:
            return None
        rows = compiled.rows(request.user.pk, timezone.now(), paths)
        return self.paginator.first_page(rows, request, self)

    def _templated_cursor_page(self, request, scope, key, params, page_size):
        """A page past a cursor: the same compiled query for every cursor of its direction, the
        cursor's id where api.compiled's SOME_KEY went (a page 100,000 rows deep then costs what
        the first page costs, no queryset built, prepared where the first page is)."""
        paginator = self.paginator
        position, reverse = paginator.start_cursor_page(request, self, self.get_queryset())  # a bad one: 400
        if [(name, desc) for name, desc in paginator.fields] != [(paginator.tie_breaker, True)]:
            return None  # pragma: no cover - page_template names no ordering

        def compile_for(user, paths):
            compiled = self._compile_page(request, params, user, paths, self.page_prepared(key),
                                          at=([SOME_KEY], reverse))
            return compiled if compiled is not None and (KEY,) in compiled.slots else None

        compiled, paths = self._compiled_once(scope, ("cursor", key, page_size, reverse), compile_for)
        if compiled is None:
            return None
        rows = compiled.rows(request.user.pk, timezone.now(), paths, key=position[0])
        return paginator.cursor_page(rows, position, reverse)

    def row_queryset(self, user):
        """The list's values() rows of row_columns() in `user`'s scope (a queryset), for
        scoped_row; None: one row is read the generic way."""
        return None

    def object_queryset(self, user):
        """The model instances a detail action reads in `user`'s scope (a queryset, select_related
        included), for scoped_object; None: get_object() reads them the generic way."""
        return None

    def scoped_object(self, pk):
        """The instance of `pk` (the URL's) as get_object() finds it through object_queryset:
        a 404 outside the caller's scope or for an id that is not one, the object permissions
        checked. Its query is compiled once per shape of scope, as scoped_row's."""
        # With query parameters the list's filters narrow get_object()'s queryset: read it that way.
        compiled = None if self.request.query_params else self._compiled_for(
            "object", self.object_queryset, compile_objects)
        if compiled is None:
            return super().get_object()
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        if not -(2 ** 63) <= pk < 2 ** 63:  # what a bigint holds; Django's lookup finds nothing too
            raise Http404
        found = compiled[0].objects(self.request.user.pk, timezone.now(), compiled[1], key=pk)
        if not found:
            raise Http404
        self.check_object_permissions(self.request, found[0])
        return found[0]

    def _compiled_for(self, kind, queryset_for, compile_with):
        """(compiled, the caller's paths) of `kind`'s one-row query for the caller's shape of
        scope, made once per process; None for an anonymous caller or a query that cannot be."""
        scope = scope_for(self.request.user)
        if scope.is_anonymous:
            return None

        def compile_row(user, paths):
            queryset = queryset_for(user)
            # One row by its id: the generic plan of a prepared statement is the id's index.
            return None if queryset is None else compile_with(queryset.filter(pk=SOME_KEY).order_by(), paths,
                                                              prepared=True)

        compiled, paths = self._compiled_once(scope, (kind, self.action), compile_row)
        return None if compiled is None else (compiled, paths)

    def _compiled_once(self, scope, key: tuple, compile_for):
        """(compiled, the caller's paths): `compile_for(stand-in caller, stand-in paths)` made
        once per process for this viewset, `key`, database and shape of the caller's scope
        (superuser or not, how many paths for each of template_capabilities); None when it
        cannot be compiled for any caller of that shape."""
        capabilities = self.template_capabilities
        shape = (type(self), *key, connection.alias, scope.is_superuser,
                 tuple(len(scope.paths_for(c)) for c in capabilities))
        user, paths = stand_in(scope, capabilities)
        compiled = _PAGES.get(shape, _UNSEEN)
        if compiled is _UNSEEN:
            if len(_PAGES) >= _MAX_PAGES:  # pragma: no cover - a bound on odd shapes of scope
                _PAGES.clear()
            compiled = _PAGES[shape] = compile_for(user, paths)
        return compiled, paths

    def scoped_row(self, pk) -> dict | None:
        """The list's row of `pk` as the caller sees it, or None outside their scope (a workflow
        step's answer). Its query is compiled once per shape of scope, like a first page
        (template_capabilities), with `pk` where api.compiled's SOME_KEY went."""
        compiled = self._compiled_for("row", self.row_queryset, compile_query)
        if compiled is None:
            queryset = self.row_queryset(self.request.user)
            if queryset is None:
                queryset = self._values(self.get_queryset(), self.row_columns())
            return queryset.filter(pk=pk).order_by().first()
        rows = compiled[0].rows(self.request.user.pk, timezone.now(), compiled[1], key=pk)
        return rows[0] if rows else None

    def _compile_page(self, request, params, user, paths, prepared, at=None):
        """A page's query for the stand-in `user` with `params`: the first page, or with `at`
        (position, reverse) the page past that position (compile_query's Compiled or None)."""
        real = self.request
        self.request = _WithParams(request, params, user=user)
        try:
            queryset = self.filter_queryset(self.get_queryset())
            if queryset._fields is None:
                queryset = self._values(queryset, self.row_columns())
            sliced, _position, _reverse = self.pagination_class().page_queryset(queryset, self.request, self, at=at)
        finally:
            self.request = real
        return compile_query(sliced, paths, prepared=prepared)


# Compiled queries (RowListMixin._compiled_once): (viewset, what: a first page's template key and
# page size, or a one-row query's kind and action, alias, superuser, paths per capability) ->
# api.compiled's Compiled or CompiledObjects, or None for a shape that cannot be compiled.
_PAGES: dict = {}
_UNSEEN = object()
_MAX_PAGES = 512


# Compiled templated probes: (viewset, key, database alias) -> (SQL, its parameters with
# _CALLER and _SINCE where the caller's id and the moment go).
_PROBES: dict = {}
# The marks that stand for the caller and the moment in a probe's parameters (found there by
# api.compiled's sentinels, values no request sends).
_CALLER, _SINCE = object(), object()


def _probe_sql(branches) -> tuple[str | None, list]:
    """`SELECT EXISTS (branch 1) OR EXISTS (branch 2) ...` and its parameters; (None, [])
    when every branch matches nothing (a filter on an empty id list)."""
    parts = []
    for branch in branches:
        try:
            parts.append(branch.order_by().values("pk").query.sql_with_params())
        except EmptyResultSet:
            continue
    if not parts:
        return None, []
    sql = " OR ".join(f"EXISTS ({part_sql})" for part_sql, _params in parts)
    return f"SELECT {sql}", [p for _sql, part_params in parts for p in part_params]


def _without(params, name: str) -> QueryDict:
    """`params` without `name`, without QueryDict.copy()'s deep copy of every value."""
    kept = QueryDict(mutable=True)
    for other, values in params.lists():
        if other != name:
            kept.setlist(other, list(values))
    return kept


class _WithParams:
    """The request as the filter backend sees it, with other query parameters (and another
    caller: a compiled page's stand-in)."""

    def __init__(self, request, params, user=None):
        self._request = request
        self.query_params = params
        if user is not None:
            self.user = user

    def __getattr__(self, name):
        return getattr(self._request, name)
