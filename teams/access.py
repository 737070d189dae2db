"""How teams, memberships and people reach a team path (api.access registrations)."""
from django.db.models import Exists, OuterRef, Q

from api.access import READ, Grant, Scope, register

from .models import Member, Membership, Team


def teammates_q(scope: Scope, prefix: str = "") -> Q:
    """Memberships of active people in the teams where the caller holds a role.

    A plain member reads nobody's subtree, but knows who works beside them: the
    people of their own teams are visible to them, by name (see phone_visible).
    """
    return Q(**{f"{prefix}team_id__in": scope.own_team_ids, f"{prefix}member__is_active": True})


def read_in_full_q(scope: Scope) -> Q:
    """People whose whole profile the caller reads: themselves, and everyone holding
    a role in a subtree where the caller coordinates or observes."""
    if scope.is_superuser:
        return Q(pk__isnull=False)
    in_scope = Membership.objects.filter(scope.q(READ, "team__path"), member_id=OuterRef("pk"))
    return Q(pk=scope.user_id) | Q(Exists(in_scope))


def _member_path(scope: Scope, capability: str) -> Q:
    """A person lies where any of their memberships does."""
    return Q(Exists(Membership.objects.filter(scope.q(capability, "team__path"), member_id=OuterRef("pk"))))


def _teammate_q(scope: Scope) -> Q:
    return Q(Exists(Membership.objects.filter(teammates_q(scope), member_id=OuterRef("pk"))))


def register_all() -> None:
    register(Team, path="path", grants={
        # every membership lets the caller see its own team
        READ: Grant(q=lambda s: Q(pk__in=s.own_team_ids), test=lambda s, t: t.pk in s.own_team_ids),
    })
    register(Membership, path="team__path", grants={
        # one's own memberships and one's teams' rosters
        READ: Grant(q=lambda s: Q(member_id=s.user_id) | teammates_q(s),
                    test=lambda s, m: True if m.member_id == s.user_id else None),
    })
    register(Member, path=_member_path, grants={
        # read in full (phone included): oneself and the people of one's read subtrees;
        # ids sent in a body to act on a person resolve through this
        "read_in_full": Grant(q=read_in_full_q, with_path=False,
                              test=lambda s, m: True if m.pk == s.user_id else None),
        # ...plus one's active teammates, by name
        READ: Grant(q=lambda s: read_in_full_q(s) | _teammate_q(s), with_path=False,
                    test=lambda s, m: True if m.pk == s.user_id else None),
    })
