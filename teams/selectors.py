"""Scoped reads. Every list and every id that arrives in a body goes through these.

A caller's scope is read once per request from their memberships:
- coordinator and observer memberships open the whole subtree below the team
  for reading; coordinator memberships also open it for managing;
- every membership lets the caller see its own team and its own membership.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models import Count, IntegerField
from django.db.models.functions import Coalesce

from .choices import Role
from .models import Member, Membership, Team

# The one role -> capability table. Permission classes and selectors read it.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset({"read", "manage", "review"}),
    Role.OBSERVER: frozenset({"read"}),
    Role.MEMBER: frozenset({"work"}),
}


def _outermost(paths) -> tuple[str, ...]:
    """Drop paths that lie inside another one: fewer OR branches, same rows."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    # capability -> outermost team paths where the caller holds it
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own_team_ids: frozenset[int] = frozenset()

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
        """A filter matching rows whose team path lies where the caller holds `capability`."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        for path in self.paths_for(capability):
            q |= Q(**{f"{path_field}__startswith": path})
        return q


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
    rows = Membership.objects.filter(member_id=user.pk).values_list("role", "team_id", "team__path")
    for role, team_id, path in rows:
        own_team_ids.add(team_id)
        for capability in ROLE_CAPABILITIES.get(role, ()):
            by_capability.setdefault(capability, []).append(path)
    scope = Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        paths={cap: _outermost(paths) for cap, paths in by_capability.items()},
        own_team_ids=frozenset(own_team_ids),
    )
    user._scope_cache = scope
    return scope


def forget_scope(user) -> None:
    if user is not None and hasattr(user, "_scope_cache"):
        del user._scope_cache


# Teams ---------------------------------------------------------------------

def teams_visible_to(user) -> QuerySet[Team]:
    scope = scope_for(user)
    qs = Team.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(scope.q("read") | Q(pk__in=scope.own_team_ids))


def teams_managed_by(user) -> QuerySet[Team]:
    return Team.objects.filter(scope_for(user).q("manage"))


def team_list(user) -> QuerySet[Team]:
    direct_members = (
        Membership.objects.filter(team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return teams_visible_to(user).annotate(
        member_count=Coalesce(Subquery(direct_members, output_field=IntegerField()), 0)
    )


def team_ancestor_map(teams) -> dict[int, Team]:
    """One query for every ancestor of the given teams: id -> Team."""
    ids = {pid for team in teams for pid in team.ancestor_ids}
    if not ids:
        return {}
    return {t.pk: t for t in Team.objects.filter(pk__in=ids).only("id", "name", "level", "path")}


def team_subtree(team: Team) -> QuerySet[Team]:
    return Team.objects.filter(path__startswith=team.path)


# Members and memberships ---------------------------------------------------

def memberships_visible_to(user) -> QuerySet[Membership]:
    scope = scope_for(user)
    qs = Membership.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(scope.q("read", "team__path") | Q(member_id=scope.user_id))


def members_visible_to(user) -> QuerySet[Member]:
    scope = scope_for(user)
    qs = Member.objects.all()
    if scope.is_superuser:
        return qs
    in_scope = Membership.objects.filter(scope.q("read", "team__path"), member_id=OuterRef("pk"))
    return qs.filter(Q(pk=scope.user_id) | Exists(in_scope))


def member_list(user) -> QuerySet[Member]:
    visible_memberships = memberships_visible_to(user).select_related("team").only(
        "id", "member_id", "role", "team__id", "team__name", "team__level"
    )
    return members_visible_to(user).prefetch_related(
        Prefetch("memberships", queryset=visible_memberships, to_attr="visible_memberships")
    )


def member_within_reach(user, member: Member) -> bool:
    """Whether `user` may change `member` (profile, phone, deactivation).

    Every one of the target's memberships lies inside the caller's managed
    subtrees: a profile and the active flag are the person's everywhere, so a
    coordinator never changes someone who also belongs to a team outside its
    reach (a coordinator above both does). Staff and superusers are only changed
    by superusers; nobody changes themselves here (that is /me).
    """
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    if member.pk == scope.user_id or member.is_staff or member.is_superuser:
        return False
    paths = list(Membership.objects.filter(member=member).values_list("team__path", flat=True))
    return bool(paths) and all(scope.has_capability_at("manage", path) for path in paths)
