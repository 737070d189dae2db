"""Scoped reads. Every list and every id that arrives in a body goes through these.

A caller's scope is read once per request from their memberships:
- coordinator and observer memberships open the whole subtree below the team
  for reading; coordinator memberships also open it for managing;
- every membership lets the caller see its own team and its own membership,
  and the active people holding a role in that team (teammates, by name).
"""
from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from api.access import MANAGE, READ, outermost, restrict, scope_for

from .access import read_in_full_q
from .models import Invite, JoinRequest, Member, Membership, Team

def outermost_teams(teams) -> list[Team]:
    """The given teams minus those inside another one of them (a subtree counts once)."""
    return outermost(teams)


# Teams ---------------------------------------------------------------------

def teams_visible_to(user) -> QuerySet[Team]:
    return restrict(Team.objects.all(), user, READ)


def teams_managed_by(user) -> QuerySet[Team]:
    return restrict(Team.objects.all(), user, MANAGE)


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
    return {t.pk: t for t in Team.objects.filter(pk__in=ids).only("id", "name", "level", "kind", "path")}


def team_subtree(team: Team) -> QuerySet[Team]:
    return Team.objects.filter(path__startswith=team.path)


# Members and memberships ---------------------------------------------------

def memberships_visible_to(user) -> QuerySet[Membership]:
    """The caller's subtrees (read), their own memberships and their teams' rosters."""
    return restrict(Membership.objects.all(), user, READ)


def members_readable_by(user) -> QuerySet[Member]:
    """People the caller reads in full, phone included; ids sent in a body to act on
    a person (grant a role, assign work) resolve through this, not through teammates."""
    return restrict(Member.objects.all(), user, "read_in_full")


def members_visible_to(user) -> QuerySet[Member]:
    """People the caller can see: those read in full, plus their active teammates
    (by name only). Each row carries `phone_visible`: whether the caller may read
    the phone number (teams.serializers.MemberSerializer shows null otherwise)."""
    readable = read_in_full_q(scope_for(user))
    qs = Member.objects.annotate(phone_visible=ExpressionWrapper(readable, output_field=BooleanField()))
    return restrict(qs, user, READ)


def member_list(user) -> QuerySet[Member]:
    visible_memberships = memberships_visible_to(user).select_related("team").only(
        "id", "member_id", "role", "team__id", "team__name", "team__level", "team__kind", "team__path"
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


# Joining -------------------------------------------------------------------

def invites_managed_by(user) -> QuerySet[Invite]:
    """Invites of the teams the caller coordinates and those below (nobody else sees them)."""
    return restrict(Invite.objects.select_related("team"), user, MANAGE)


def join_requests_managed_by(user) -> QuerySet[JoinRequest]:
    """Join requests to the teams the caller coordinates and those below."""
    return restrict(JoinRequest.objects.select_related("team"), user, MANAGE)
