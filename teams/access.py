"""How teams, memberships and people reach a team path (api.access registrations)."""
from django.db.models import Exists, OuterRef, Q

from api.access import READ, Grant, Scope, register

from .models import Invite, JoinRequest, Member, Membership, Team


def teammates_q(scope: Scope, prefix: str = "") -> Q:
    """Memberships of active people in the teams where the caller holds a role.

    A plain member reads nobody's subtree, but knows who works beside them: the
    people of their own teams are visible to them, by name (see phone_visible).
    One's own memberships are among these rows: they are in one's own teams, and
    a caller is active (scope_for gives an inactive person no scope at all).
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


# The rules beyond the team path, as named functions (a queryset filter `*_q` and the same
# rule for one loaded object `*_test`, None: ask the database).

def own_teams_q(scope: Scope) -> Q:
    """Every membership lets the caller see its own team."""
    return Q(pk__in=scope.own_team_ids)


def own_teams_test(scope: Scope, team: Team) -> bool:
    return team.pk in scope.own_team_ids


def people_read_q(scope: Scope) -> Q:
    """People read in full, plus one's active teammates (by name)."""
    return read_in_full_q(scope) | _teammate_q(scope)


# Wiring, run once at start-up from AppConfig.ready(): mutmut forks its mutants after it,
# so it cannot see a mutant here; tests/api/test_access_rules.py checks what it registers.
def register_all() -> None:  # pragma: no mutate block
    register(Team, path="path", grants={READ: Grant(q=own_teams_q, test=own_teams_test)})
    # Invites and join requests: coordinators of the team or above (MANAGE); nobody else reads them.
    register(Invite, path="team__path")
    register(JoinRequest, path="team__path")
    # One's own memberships and one's teams' rosters (one's own are on one's rosters: teammates_q).
    register(Membership, path="team__path", grants={READ: Grant(q=teammates_q)})
    register(Member, path=_member_path, grants={
        # read in full (phone included): oneself and the people of one's read subtrees;
        # ids sent in a body to act on a person resolve through this
        "read_in_full": Grant(q=read_in_full_q, with_path=False),
        # ...plus one's active teammates, by name
        READ: Grant(q=people_read_q, with_path=False),
    })
