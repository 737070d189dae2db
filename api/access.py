"""The scope kernel: who may see and do what, written once.

Every scoped read in the project is `restrict(queryset, user, capability)` and
every check on one loaded object is `require(user, capability, obj)`. Nothing
else writes the superuser / anonymous / `Q` skeleton of "what may this person
see".

A caller's scope (`scope_for(user)`) is read once per request from their
memberships and kept on the user object (`forget_scope` drops it; the scoped
viewsets do so at the start of each request):

- `ROLE_CAPABILITIES` is the one role -> capability table. A capability held
  through a membership reaches the whole subtree below that team;
- the paths are pruned to the outermost ones (a subtree counts once);
- the relational capabilities `ASSIGNEE` and `REVIEWER` are granted by a row
  itself (the person the assignment belongs to; a coordinator above it who is
  not that person), declared by the model's registration like any other rule.

How a model's rows reach a team path
------------------------------------
Each app declares, in its `AppConfig.ready()`, how its rows reach a team path
and which rows a caller sees beyond their subtrees. `restrict` knows nothing
about any app; an app that is not registered cannot be restricted (a
`LookupError` says so). A new app (surveys, channels, content, ...) adds its
models the same way, e.g. in surveys/apps.py::

    from django.apps import AppConfig

    class SurveysConfig(AppConfig):
        name = "surveys"

        def ready(self):
            from django.db.models import Q
            from api.access import Grant, register
            from .models import Response, Survey

            # A survey is read in the subtree of its team (roles' "read"),
            # managed where the caller coordinates ("manage").
            register(Survey, path="team__path")
            # A response: its team's subtree, plus one's own responses.
            register(Response, path="survey__team__path", grants={
                "read": Grant(q=lambda s: Q(respondent_id=s.user_id),
                              test=lambda s, r: r.respondent_id == s.user_id),
            })

and its selectors become one-liners::

    def surveys_visible_to(user):
        return restrict(Survey.objects.all(), user, "read")

A `Grant` adds rows for one capability: `q(scope)` is the filter for querysets,
`test(scope, obj)` the same rule for a loaded object (return None when it
cannot tell without a query: `require` then asks the database once). A
registration may also give `path` as a callable `(scope, capability) -> Q` when
the rows reach teams through a to-many relation (people, through their
memberships).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import connections, router
from django.db.models import Model, Q, QuerySet
from django.core.exceptions import PermissionDenied
from django.http import Http404
from .postgresql import prepared_cursor

READ = "read"
MANAGE = "manage"
REVIEW = "review"
WORK = "work"
# Granted by the assignment row itself (see the module docstring).
ASSIGNEE = "assignee"
REVIEWER = "reviewer"

# The one role -> capability table (role values of teams.choices.Role).
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "coordinator": frozenset({READ, MANAGE, REVIEW}),
    "observer": frozenset({READ}),
    "member": frozenset({WORK}),
}


def outermost_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another one: fewer OR branches, same rows."""
    kept: list[str] = []
    # In text order a path comes right after every path it lies inside (a prefix sorts first).
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def outermost(items: Iterable, path=lambda item: item.path) -> list:
    """The given objects (teams, or anything with a team path) minus those inside another one."""
    by_path: dict[str, object] = {}
    for item in items:
        by_path.setdefault(path(item), item)
    return [by_path[p] for p in outermost_paths(by_path)]


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    # capability -> outermost team paths where the caller holds it
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own_team_ids: frozenset[int] = frozenset()
    # The moment the time-bound rules (a task's publication) are read at; None: now. A query
    # compiled once for any caller (api.compiled) builds its rules at a stand-in moment.
    at: datetime | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def paths_for(self, capability: str) -> tuple[str, ...]:
        return self.paths.get(capability, ())

    def has_capability(self, capability: str) -> bool:
        return self.is_superuser or bool(self.paths_for(capability))

    def has_capability_at(self, capability: str, path: str) -> bool:
        """True when `path` (a team's) lies in a subtree where the caller holds `capability`."""
        if self.is_superuser:
            return True
        return any(path.startswith(p) for p in self.paths_for(capability))

    def q(self, capability: str, path_field: str = "path") -> Q:
        """A filter matching rows whose team path lies where the caller holds `capability`.

        `path_field` is a team's own `path`, or a lookup ending at one ("team__path",
        "survey__team__path"). Through a relation the filter is `team IN (the teams under
        the paths)`, a subquery on the row's own column, not a join to the teams: OR-ed with
        a grant (one's own work), a join's path test is a join filter that PostgreSQL checks
        against every team for every row (13 million comparisons for a commune's 10 tasks
        among 100,000: 1.2 s), where `team_id IN (...)` is one hashed look-up per row."""
        if self.is_superuser:
            return Q()
        paths = self.paths_for(capability)
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__startswith=path)
        if path_field == "path" or not paths:
            return under
        relation = path_field.removesuffix("__path")
        team = apps.get_model("teams", "Team")  # pragma: no mutate (the registry ignores a name's case)
        teams = team._default_manager.filter(under).values("pk")
        return Q(**{f"{relation}__in": teams})

    def ids_on_own_paths(self) -> set[int]:
        """Every team id on the caller's own team paths: their teams and the teams above them."""
        return {int(part) for paths in self.paths.values() for path in paths
                for part in path.split("/") if part}


ANONYMOUS_SCOPE = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The caller's scope, computed once and kept on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    by_capability: dict[str, list[str]] = {}
    own_team_ids = set()
    for role, team_id, path in _memberships_of(user.pk):
        own_team_ids.add(team_id)
        # membership_role_valid holds every row to a known role: the default never applies.
        for capability in ROLE_CAPABILITIES.get(role, ()):  # pragma: no mutate
            by_capability.setdefault(capability, []).append(path)
    scope = Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        paths={cap: outermost_paths(paths) for cap, paths in by_capability.items()},
        own_team_ids=frozenset(own_team_ids),
    )
    user._scope_cache = scope
    return scope


# The scope's one query, compiled by the ORM once per database and then run with the
# person's id: building and compiling the queryset anew was most of scope_for's cost on
# every request (issue 16), for the same SQL text each time.
_MEMBERSHIP_SQL: dict[str, str] = {}


def _memberships_of(member_id: int) -> list[tuple[str, int, str]]:
    """(role, team id, team path) of each of the person's memberships, in membership order."""
    # By name: api imports no app. (The registry ignores a model name's case, so a mutant
    # that changes it is the same code.)
    membership = apps.get_model("teams", "Membership")  # pragma: no mutate
    # The router routes by context (a report view's replica block), never by model.
    alias = router.db_for_read(membership)  # pragma: no mutate
    sql = _MEMBERSHIP_SQL.get(alias)
    if sql is None:
        # Compiled for the default database: a replica is the same server's copy, same SQL.
        query = membership._default_manager.filter(member_id=0).values_list("role", "team_id", "team__path").query
        sql, params = query.sql_with_params()
        if list(params) != [0]:  # the person's id must be the query's one parameter (no input reaches this)
            raise AssertionError(f"unexpected membership query parameters: {params!r}")  # pragma: no mutate
        _MEMBERSHIP_SQL[alias] = sql
    # Prepared on PostgreSQL: a person's few memberships through their index, whoever asks.
    with prepared_cursor(connections[alias]) as cursor:
        cursor.execute(sql, [member_id])
        return cursor.fetchall()


def forget_scope(user) -> None:
    if user is not None and hasattr(user, "_scope_cache"):
        del user._scope_cache


# Registrations ------------------------------------------------------------------

@dataclass(frozen=True)
class Grant:
    """Rows one capability reaches beyond the team path: `q` for querysets, `test`
    for one loaded object (None: ask the database)."""

    q: Callable[[Scope], Q]
    test: Callable[[Scope, Model], bool | None] | None = None
    # False: the grant replaces the team-path rule for this capability instead of adding to it.
    with_path: bool = True
    # True: the rule holds for superusers too (a notification is its recipient's
    # alone; only the assignee does the assignee's steps).
    strict: bool = False


@dataclass(frozen=True)
class Reach:
    path: str | Callable[[Scope, str], Q] | None
    grants: dict[str, Grant]


_REGISTRY: dict[type, Reach] = {}


# Start-up wiring (AppConfig.ready()): mutmut forks its mutants after it, so a mutant here
# is never seen; tests/api/test_access_rules.py checks every registration's result.
def register(model: type, *, path: str | Callable[[Scope, str], Q] | None = None,
             grants: dict[str, Grant] | None = None) -> None:  # pragma: no mutate block
    """Declare how `model`'s rows reach a team path (a lookup ending at Team.path,
    or a callable building the filter) and what each capability adds."""
    _REGISTRY[model] = Reach(path=path, grants=dict(grants or {}))


def grant(model: type, capability: str, rule: Grant) -> None:  # pragma: no mutate block
    """Add (or replace) one capability's grant on a registered model: a higher app
    (reports) may give a lower app's rows a capability of its own."""
    reach = _reach(model)
    _REGISTRY[model] = Reach(path=reach.path, grants={**reach.grants, capability: rule})


def _strict(model: type, capability: str) -> bool:
    rule = _reach(model).grants.get(capability)
    return rule is not None and rule.strict


def _reach(model: type) -> Reach:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with api.access.register()") from None


def scope_q(model: type, scope: Scope, capability: str) -> Q:
    """The filter of `model`'s rows where `scope` holds `capability` (not for superusers)."""
    reach = _reach(model)
    grant = reach.grants.get(capability)
    q = Q(pk__in=[])
    if grant is None or grant.with_path:
        if isinstance(reach.path, str):
            q = scope.q(capability, reach.path)
        elif reach.path is not None:
            q = reach.path(scope, capability)
    if grant is not None:  # without the path (or with no path) q is still the empty filter here
        q = q | grant.q(scope)
    return q


def _scope_needed(user, model: type, capability: str) -> Scope:
    """scope_for(user), except for a person's own rows (no team path, a strict grant):
    those need only who the caller is, so no membership is read."""
    reach = _reach(model)
    rule = reach.grants.get(capability)
    personal = reach.path is None and rule is not None and rule.strict and not rule.with_path
    if not personal:
        return scope_for(user)
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    # Own rows' grants are strict: being a superuser changes nothing about them.
    return Scope(user_id=user.pk)


def restrict(queryset: QuerySet, user, capability: str = READ) -> QuerySet:
    """`queryset` narrowed to the rows where `user` holds `capability`."""
    scope = _scope_needed(user, queryset.model, capability)
    if scope.is_anonymous:
        return queryset.none()
    if scope.is_superuser and not _strict(queryset.model, capability):
        return queryset
    return queryset.filter(scope_q(queryset.model, scope, capability))


def _follow(obj, lookup: str):
    for part in lookup.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def allows(user, capability: str, obj: Model) -> bool:
    """Whether `user` holds `capability` on the loaded `obj` (a query only when a grant cannot tell)."""
    scope = _scope_needed(user, type(obj), capability)
    if scope.is_anonymous:
        return False
    if scope.is_superuser and not _strict(type(obj), capability):
        return True
    reach = _reach(type(obj))
    grant = reach.grants.get(capability)
    if grant is None or grant.with_path:
        if isinstance(reach.path, str):
            path = _follow(obj, reach.path)
            if path is not None and scope.has_capability_at(capability, path):
                return True
        # `or` for `and` here is an equivalent mutant: a model with no path and no grant for
        # the capability gets an empty filter, which restrict() answers without a query.
        elif reach.path is not None and grant is None:  # pragma: no mutate
            return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()
    if grant is None:
        return False
    answer = grant.test(scope, obj) if grant.test is not None else None
    if answer is None:
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, capability).exists()
    return answer


def require(user, capability: str, obj: Model, *, message: str | None = None) -> Model:
    """`obj` when `user` holds `capability` on it. Out of the caller's read scope it
    is a 404, exactly like a missing id; visible but not theirs to act on, a 403."""
    if capability != READ and allows(user, capability, obj):
        return obj
    if not allows(user, READ, obj):
        raise Http404
    if capability != READ:
        raise PermissionDenied(*([message] if message else []))
    return obj
