"""Every filter of every list, as whole sets: nothing missing, nothing extra.

For each list, each of its filters, a spread of values (in the caller's scope and out of it)
and a fixed set of people, the rows listed are exactly `scope(person) & predicate(value)`:
the scope from the Oracle (memberships, no selector), the predicate written here in plain
Python over the rows (no filterset). A filter that drops rows it should keep, keeps rows it
should drop, or widens the list past the scope fails here. `within=` a team the caller
cannot see is a 400 (the filter's choices are the caller's visible teams); any other 400
fails.

A new filter on a list fails `test_every_filter_has_a_predicate` until it has its
predicate and values below.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from publishing.models import Schedule
from surveys.models import Survey
from tasks.models import Assignment, Campaign, Task, Topic
from teams.models import Member, Membership, Team
from teams.text import fold
from tests.security.test_object_authorization import LISTS, Oracle, _all_rows, full_world  # noqa: F401

pytestmark = pytest.mark.django_db

# The people every filter is tried as: each kind of reach, a sibling subtree, and nobody.
PEOPLE = ["superuser", "coord_district", "observer_district", "coord_c1", "coord_c2", "coord_v1a",
          "member_v1a", "inactive_v1a", "outsider"]

LATER = timezone.now() + timedelta(days=400)
EARLIER = timezone.now() - timedelta(days=400)


def _team(pk):
    return Team.objects.get(pk=pk)


def _under(path_of_row, team_pk):
    return path_of_row.startswith(_team(team_pk).path)


def _has_membership(member, **conditions):
    rows = Membership.objects.filter(member=member).select_related("team")
    for ms in rows:
        if "team" in conditions and ms.team_id != conditions["team"]:
            continue
        if "within" in conditions and not _under(ms.team.path, conditions["within"]):
            continue
        if "role" in conditions and ms.role != conditions["role"]:
            continue
        return True
    return False


def _asked(person, survey):
    """Open (or due to open), asking one of the person's teams, not answered (the fixture answers none)."""
    now = timezone.now()
    if not person.is_active:
        return False
    if not (survey.status == "open" or (survey.status == "draft" and survey.opens_at and survey.opens_at <= now)):
        return False
    if survey.closes_at is not None and survey.closes_at <= now:
        return False
    own = [m.team.path for m in Membership.objects.filter(member=person).select_related("team")]
    return any(p.startswith(a.team.path) for a in survey.audience.select_related("team") for p in own)


# list -> filter -> (values(world), predicate(row, value, person))
TEAM_IDS = lambda w: list(Team.objects.order_by("pk").values_list("pk", flat=True))  # noqa: E731
PERSON_IDS = lambda w: [w.member_v1a.pk, w.member_v1b.pk, w.member_v2a.pk, w.coord_c1.pk, w.inactive_v1a.pk]  # noqa: E731
ROLES = lambda w: ["coordinator", "member", "observer"]  # noqa: E731
SEARCHES = lambda w: ["tam thang", "thôn", "Nam", "zzz"]  # noqa: E731
SINCE = lambda w: [EARLIER.isoformat(), LATER.isoformat()]  # noqa: E731

PREDICATES = {
    "/api/v1/teams/": {
        "level": (lambda w: ["province", "district", "commune", "village"], lambda t, v, p: t.level == v),
        "parent": (TEAM_IDS, lambda t, v, p: t.parent_id == v),
        "within": (TEAM_IDS, lambda t, v, p: _under(t.path, v)),
        "search": (SEARCHES, lambda t, v, p: fold(v) in fold(t.name)),
        "kind": (lambda w: ["area", "joint", "organisation", "agency"], lambda t, v, p: t.kind == v),
        "is_active": (lambda w: ["true", "false", "any"], lambda t, v, p: v == "any" or t.is_active == (v == "true")),
    },
    "/api/v1/memberships/": {
        "member": (PERSON_IDS, lambda m, v, p: m.member_id == v),
        "team": (TEAM_IDS, lambda m, v, p: m.team_id == v),
        "within": (TEAM_IDS, lambda m, v, p: _under(m.team.path, v)),
        "role": (ROLES, lambda m, v, p: m.role == v),
    },
    "/api/v1/members/": {
        # "Has a role in this team (or below)": any of the person's memberships.
        "team": (TEAM_IDS, lambda m, v, p: _has_membership(m, team=v)),
        "within": (TEAM_IDS, lambda m, v, p: _has_membership(m, within=v)),
        "role": (ROLES, lambda m, v, p: _has_membership(m, role=v)),
        "is_active": (lambda w: ["true", "false"], lambda m, v, p: m.is_active == (v == "true")),
        "search": (lambda w: ["lan", "Đặng", "văn", "zzz"], lambda m, v, p: fold(v) in fold(m.full_name)),
    },
    "/api/v1/campaigns/": {
        "team": (TEAM_IDS, lambda c, v, p: c.team_id == v),
        "within": (TEAM_IDS, lambda c, v, p: _under(c.team.path, v)),
        "updated_since": (SINCE, lambda c, v, p: v == EARLIER.isoformat()),
        "search": (SEARCHES, lambda c, v, p: fold(v) in fold(c.name)),
        "topic": (lambda w: list(Topic.objects.order_by("pk").values_list("pk", flat=True)[:3]),
                  lambda c, v, p: c.topic_id == v),
    },
    "/api/v1/tasks/": {
        "topic": (lambda w: list(Topic.objects.order_by("pk").values_list("pk", flat=True)[:3]),
                  lambda t, v, p: t.topic_id == v),
        "status": (lambda w: ["open", "closed", "cancelled"], lambda t, v, p: t.status == v),
        "kind": (lambda w: ["post", "share", "comment", "other"], lambda t, v, p: t.kind == v),
        "platform": (lambda w: ["facebook", "zalo", "other"], lambda t, v, p: t.platform == v),
        "team": (TEAM_IDS, lambda t, v, p: t.team_id == v),
        "within": (TEAM_IDS, lambda t, v, p: _under(t.team.path, v)),
        "campaign": (lambda w: list(Campaign.objects.values_list("pk", flat=True)),
                     lambda t, v, p: t.campaign_id == v),
        "updated_since": (SINCE, lambda t, v, p: v == EARLIER.isoformat()),
        "search": (SEARCHES, lambda t, v, p: fold(v) in fold(t.title)),
    },
    "/api/v1/assignments/": {
        "topic": (lambda w: list(Topic.objects.order_by("pk").values_list("pk", flat=True)[:3]),
                  lambda a, v, p: a.task.topic_id == v),
        "status": (lambda w: ["assigned", "in_progress", "completed", "cancelled"], lambda a, v, p: a.status == v),
        "task": (lambda w: list(Task.objects.values_list("pk", flat=True)), lambda a, v, p: a.task_id == v),
        "assignee": (PERSON_IDS, lambda a, v, p: a.assignee_id == v),
        "team": (TEAM_IDS, lambda a, v, p: a.team_id == v),
        "within": (TEAM_IDS, lambda a, v, p: _under(a.team.path, v)),
        "mine": (lambda w: ["true", "false"], lambda a, v, p: v == "false" or a.assignee_id == p.pk),
        "campaign": (lambda w: list(Campaign.objects.values_list("pk", flat=True)),
                     lambda a, v, p: a.task.campaign_id == v),
        "due_before": (lambda w: [(timezone.now() + timedelta(days=1)).isoformat(), LATER.isoformat()],
                       lambda a, v, p: a.task.due_at is not None and a.task.due_at.isoformat() <= v),
        "due_after": (lambda w: [(timezone.now() + timedelta(days=1)).isoformat(), LATER.isoformat()],
                      lambda a, v, p: a.task.due_at is not None and a.task.due_at.isoformat() >= v),
        "updated_since": (SINCE, lambda a, v, p: v == EARLIER.isoformat()),
    },
    "/api/v1/notifications/": {
        "unread": (lambda w: ["true", "false"], lambda n, v, p: (n.read_at is None) == (v == "true")),
        "kind": (lambda w: ["assigned", "rejected"], lambda n, v, p: n.kind == v),
    },
    "/api/v1/schedules/": {
        "team": (TEAM_IDS, lambda s, v, p: s.team_id == v),
        "within": (TEAM_IDS, lambda s, v, p: _under(s.team.path, v)),
        "repeat": (lambda w: ["daily", "weekdays", "weekly"], lambda s, v, p: s.repeat == v),
        "is_active": (lambda w: ["true", "false"], lambda s, v, p: s.is_active == (v == "true")),
        "updated_since": (SINCE, lambda s, v, p: v == EARLIER.isoformat()),
    },
    "/api/v1/surveys/": {
        "status": (lambda w: ["draft", "open", "closed"], lambda s, v, p: s.status == v),
        "team": (TEAM_IDS, lambda s, v, p: s.team_id == v),
        "within": (TEAM_IDS, lambda s, v, p: _under(s.team.path, v)),
        "mine": (lambda w: ["true", "false"], lambda s, v, p: _asked(p, s) == (v == "true")),
        "anonymous": (lambda w: ["true", "false"], lambda s, v, p: s.anonymous == (v == "true")),
    },
}

RELATED = {Membership: ("team",), Campaign: ("team",), Task: ("team",), Assignment: ("team", "task"),
           Survey: ("team",), Schedule: ("team",)}


def test_every_filter_has_a_predicate():
    from django.urls import resolve

    for url, model in LISTS.items():
        view = resolve(url).func.cls
        declared = set(view.filterset_class.base_filters)
        assert declared == set(PREDICATES[url]), (
            f"{url}: filters {sorted(declared)} but predicates for {sorted(PREDICATES[url])}: give each new "
            f"filter its predicate and values in {__file__}")


@pytest.mark.parametrize("url", list(LISTS))
def test_each_filter_lists_exactly_scope_and_predicate(full_world, client_for, url):
    world = full_world
    model = LISTS[url]
    rows = {row.pk: row for row in model.objects.select_related(*RELATED.get(model, ()))}
    problems, compared = [], 0
    for name in PEOPLE:
        person = getattr(world, name)
        oracle = Oracle(person)
        allowed = oracle.allowed(model)
        visible_teams = oracle.allowed(Team)
        client = client_for(person)
        for key, (values, predicate) in PREDICATES[url].items():
            for value in values(world):
                listed = _all_rows(client, url, {key: value})
                where = f"{url}?{key}={value} as {name}"
                if listed is None:
                    if not (key == "within" and value not in visible_teams):
                        problems.append(f"{where}: 400")
                    continue
                if key == "within" and value not in visible_teams:
                    problems.append(f"{where}: listed, but the team is out of the caller's sight (400 expected)")
                    continue
                got = {row["id"] for row in listed}
                expected = {pk for pk in allowed if predicate(rows[pk], value, person)}
                compared += 1
                if got != expected:
                    problems.append(f"{where}: extra {sorted(got - expected)}, missing {sorted(expected - got)}")
    assert compared > 20
    assert not problems, "\n".join(problems)


def test_the_filter_oracle_sees_non_empty_narrowed_lists(full_world, client_for):
    """The control: the filters above do select something, and not everything."""
    world = full_world
    mine = {row["id"] for row in _all_rows(client_for(world.coord_c1), "/api/v1/assignments/",
                                           {"within": world.v1a.pk})}
    everything = {row["id"] for row in _all_rows(client_for(world.coord_c1), "/api/v1/assignments/")}
    assert 0 < len(mine) < len(everything)
