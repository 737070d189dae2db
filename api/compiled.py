"""Queries compiled once per process with stand-in values, then run with each request's own.

Building a queryset and compiling it to SQL costs the hot paths more Python than running
it (issue 16: resolving the scope's rules, the filters, the ordering and forty columns into
joins took about a third of a phone's feed page), while the SQL text is the same for every
caller whose scope has the same shape. So a hot path builds its query once for a stand-in
caller whose every varying value is a sentinel no request sends:

- `SOME_ID`, the caller's id;
- `SOME_KEY`, the id of the one row a query reads (a workflow step's answer);
- `SOME_MOMENT`, "now" (the scope's `at`: when a task counts as published);
- `stand_in_paths(n)`, team paths of the caller's scope.

`compile_query` then finds in the compiled parameters where each sentinel went (a slot)
and `Compiled.rows` fills them with the request's values. A parameter a sentinel did not produce
stays a constant. A compilation that leaves a trace of a request's value behind (a
datetime that is not the stand-in moment, an id or a path in the sentinels' range
written into something else) is refused, and the caller builds its query as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.query import get_related_populators

from .access import Scope
from .postgresql import prepared_cursor

SOME_ID = -7_919_000_000_001
SOME_KEY = -7_919_000_000_002
SOME_MOMENT = datetime(1971, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)
_PATH_BASE = 7_919_000_000_000
_PATH_SENTINEL = re.compile(r"/7919\d{9}/")
_DATETIME_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")  # SQLite's adapted datetimes are text

CALLER, MOMENT, KEY = "caller", "moment", "key"


def stand_in_paths(count: int, first: int = 0) -> tuple[str, ...]:
    """Team paths no team has (ids of 13 digits), for a stand-in scope."""
    return tuple(f"/{_PATH_BASE + first + i}/" for i in range(count))


def stand_in(scope: Scope, capabilities) -> tuple[SimpleNamespace, dict[str, str]]:
    """A stand-in caller with `scope`'s shape for `capabilities` (as many team paths for each,
    superuser or not; nothing else of the scope), and {stand-in path: the caller's path}."""
    paths, real = {}, {}
    for capability in capabilities:
        mine = scope.paths_for(capability)
        paths[capability] = stand_in_paths(len(mine), first=len(real))
        real.update(zip(paths[capability], mine))
    shape = Scope(user_id=SOME_ID, is_superuser=scope.is_superuser, paths=paths, at=SOME_MOMENT)
    user = SimpleNamespace(pk=SOME_ID, id=SOME_ID, is_authenticated=True, is_anonymous=False, is_active=True,
                           is_superuser=scope.is_superuser, _scope_cache=shape)
    return user, real


@dataclass(frozen=True)
class Compiled:
    sql: str
    # Per parameter: ("const", value), (CALLER,), (MOMENT,), (KEY,) or ("paths", text with stand-in paths).
    slots: tuple
    names: tuple[str, ...]  # the values() row's keys
    converters: tuple  # (position, converters, expression) as Django's compiler applies them
    # Run as a server-prepared statement (api.postgresql.prepared_cursor): only for SQL whose
    # generic plan suits every caller, such as one row by its id.
    prepared: bool = False

    def cursor(self):
        return prepared_cursor(connection) if self.prepared else connection.cursor()

    def params(self, caller: int, moment: datetime, paths: dict[str, str], key: int | None = None) -> list:
        adapted = connection.ops.adapt_datetimefield_value(moment)
        out = []
        for slot in self.slots:
            kind = slot[0]
            if kind == CALLER:
                out.append(caller)
            elif kind == KEY:
                out.append(key)
            elif kind == MOMENT:
                out.append(adapted)
            elif kind == "paths":
                out.append(_PATH_SENTINEL.sub(lambda m: paths[m.group(0)], slot[1]))
            else:
                out.append(slot[1])
        return out

    def rows(self, caller: int, moment: datetime, paths: dict[str, str], key: int | None = None) -> list[dict]:
        """The query's rows as values() gives them (dicts, Django's converters applied); `key`
        goes where the stand-in SOME_KEY went."""
        with self.cursor() as cursor:
            cursor.execute(self.sql, self.params(caller, moment, paths, key))
            fetched = cursor.fetchall()
        names, converters = self.names, self.converters
        if converters:
            fetched = [list(row) for row in fetched]
            for row in fetched:
                for position, convs, expression in converters:
                    value = row[position]
                    for convert in convs:
                        value = convert(value, expression, connection)
                    row[position] = value
        return [dict(zip(names, row)) for row in fetched]


def _compiled_sql(queryset, paths: dict[str, str] | None):
    """(compiler, SQL, slots) of `queryset`, or None (see compile_query)."""
    paths = paths or {}
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    moment = connection.ops.adapt_datetimefield_value(SOME_MOMENT)
    slots = []
    for param in params:
        if isinstance(param, bool):
            slots.append(("const", param))
        elif param == SOME_ID:
            slots.append((CALLER,))
        elif param == SOME_KEY:
            slots.append((KEY,))
        elif param == moment:
            slots.append((MOMENT,))
        elif isinstance(param, str) and _PATH_SENTINEL.search(param):
            if any(found not in paths for found in _PATH_SENTINEL.findall(param)):
                return None
            slots.append(("paths", param))
        elif _traces_a_request(param):
            return None
        else:
            slots.append(("const", param))
    return compiler, sql, tuple(slots)


def _converters(compiler) -> tuple:
    fields = [s[0] for s in compiler.select[: compiler.col_count]]
    return tuple((pos, tuple(convs), expr) for pos, (convs, expr) in compiler.get_converters(fields).items())


def compile_query(queryset, paths: dict[str, str] | None = None, prepared: bool = False) -> Compiled | None:
    """`queryset` (built for a stand-in caller) as SQL with its parameters' slots; None when it
    cannot be reused for another caller (module doc) or matches nothing at all. `prepared`:
    run it server-prepared (Compiled.prepared)."""
    found = _compiled_sql(queryset, paths)
    if found is None:
        return None
    compiler, sql, slots = found
    query = queryset.query
    names = list(query.selected) if query.selected else [
        *query.extra_select, *query.values_select, *query.annotation_select]
    return Compiled(sql=sql, slots=slots, names=tuple(names), converters=_converters(compiler), prepared=prepared)


@dataclass(frozen=True)
class CompiledObjects:
    """A model queryset (select_related included) compiled like compile_query's: its rows are
    turned into instances the way Django's ModelIterable does, with the populators of the
    related objects made once."""
    query: Compiled
    model: type
    init_list: tuple[str, ...]
    fields: slice
    populators: tuple
    annotations: tuple  # (attribute, position)

    def objects(self, caller: int, moment: datetime, paths: dict[str, str], key: int | None = None) -> list:
        with self.query.cursor() as cursor:
            cursor.execute(self.query.sql, self.query.params(caller, moment, paths, key))
            fetched = [list(row) for row in cursor.fetchall()]
        for row in fetched:
            for position, convs, expression in self.query.converters:
                value = row[position]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[position] = value
        out = []
        for row in fetched:
            obj = self.model.from_db(connection.alias, self.init_list, row[self.fields])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            out.append(obj)
        return out


def compile_objects(queryset, paths: dict[str, str] | None = None, prepared: bool = False) -> CompiledObjects | None:
    """`queryset` of model instances, compiled as compile_query compiles values() rows; None
    when it cannot be (the same reasons, or known related objects that it would not carry)."""
    if queryset._fields is not None or queryset._known_related_objects or queryset._prefetch_related_lookups:
        return None
    found = _compiled_sql(queryset, paths)
    if found is None:
        return None
    compiler, sql, slots = found
    klass_info, select = compiler.klass_info, compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return CompiledObjects(
        query=Compiled(sql=sql, slots=slots, names=(), converters=_converters(compiler), prepared=prepared),
        model=klass_info["model"],
        init_list=tuple(f[0].target.attname for f in select[start:end]),
        fields=slice(start, end),
        populators=tuple(get_related_populators(klass_info, select, connection.alias)),
        annotations=tuple(compiler.annotation_col_map.items()) if compiler.annotation_col_map else (),
    )


def insert_row(model, values: dict, *, ignore_conflicts: bool = False) -> None:
    """One row of `model` (`values`: field names or attnames, in the columns' order), as one
    server-prepared INSERT whose text is the same for every call: what Model.save() or
    bulk_create() would write, without building an instance and a batch, sending signals or
    reading back the id. `ignore_conflicts`: ON CONFLICT DO NOTHING, as bulk_create's."""
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values())]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})" + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""))
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)


def _traces_a_request(param) -> bool:
    """A parameter that may hold one request's value rather than the stand-in's: a moment
    taken while building, or a sentinel turned into something else."""
    if isinstance(param, datetime):
        return True
    if isinstance(param, int):
        return abs(param) >= _PATH_BASE
    if isinstance(param, str):
        return bool(_DATETIME_TEXT.match(param)) or "7919" in param
    return isinstance(param, (list, tuple, set, frozenset))
