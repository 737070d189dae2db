"""Scoped reads. Every list and every id that arrives in a body goes through these.

A caller's scope is read once per request from their memberships:
- coordinator and observer memberships open the whole subtree below the team
  for reading; coordinator memberships also open it for managing;
- every membership lets the caller see its own team and its own membership,
  and the active people holding a role in that team (teammates, by name).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
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


def outermost_teams(teams) -> list[Team]:
    """The given teams minus those inside another one of them (a subtree counts once)."""
    by_path = {team.path: team for team in teams}
    return [by_path[path] for path in _outermost(by_path)]


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

def _teammate_memberships(scope: Scope) -> Q:
    """Memberships of active people in the teams where the caller holds a role.

    A plain member reads nobody's subtree, but knows who works beside them: the
    people of their own teams are visible to them, by name (see phone_visible).
    """
    return Q(team_id__in=scope.own_team_ids, member__is_active=True)


def memberships_visible_to(user) -> QuerySet[Membership]:
    """The caller's subtrees (read), their own memberships and their teams' rosters."""
    scope = scope_for(user)
    qs = Membership.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(scope.q("read", "team__path") | Q(member_id=scope.user_id) | _teammate_memberships(scope))


def _read_in_full(scope: Scope) -> Q:
    """People whose whole profile the caller reads: themselves, and everyone holding
    a role in a subtree where the caller coordinates or observes."""
    if scope.is_superuser:
        return Q(pk__isnull=False)
    in_scope = Membership.objects.filter(scope.q("read", "team__path"), member_id=OuterRef("pk"))
    return Q(pk=scope.user_id) | Q(Exists(in_scope))


def members_readable_by(user) -> QuerySet[Member]:
    """People the caller reads in full, phone included; ids sent in a body to act on
    a person (grant a role, assign work) resolve through this, not through teammates."""
    return Member.objects.filter(_read_in_full(scope_for(user)))


def members_visible_to(user) -> QuerySet[Member]:
    """People the caller can see: those read in full, plus their active teammates
    (by name only). Each row carries `phone_visible`: whether the caller may read
    the phone number (teams.serializers.MemberSerializer shows null otherwise)."""
    scope = scope_for(user)
    readable = _read_in_full(scope)
    qs = Member.objects.annotate(phone_visible=ExpressionWrapper(readable, output_field=BooleanField()))
    if scope.is_superuser:
        return qs
    teammates = Membership.objects.filter(_teammate_memberships(scope), member_id=OuterRef("pk"))
    return qs.filter(Q(phone_visible=True) | Q(Exists(teammates)))


def member_list(user) -> QuerySet[Member]:
    visible_memberships = memberships_visible_to(user).select_related("team").only(
        "id", "member_id", "role", "team__id", "team__name", "team__level", "team__path"
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
    if member.pk == scope.user_id:
        return False  # superusers too: deactivating oneself here would lock the account out
    if scope.is_superuser:
        return True
    if member.is_staff or member.is_superuser:
        return False
    paths = list(Membership.objects.filter(member=member).values_list("team__path", flat=True))
    return bool(paths) and all(scope.has_capability_at("manage", path) for path in paths)
