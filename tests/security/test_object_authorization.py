"""OWASP API1, broken object level authorization, over every endpoint of the URLconf.

- Every /api/v1/ endpoint and each of its methods has a row in tests/security/matrix.py,
  and every row holds (the status of each role on an object inside the home subtree).
- Ids of objects in a sibling subtree, in the team right above the caller's and in a
  cousin village answer exactly like an id that does not exist, on every detail and
  action endpoint and every method: 404 (or the 403/405 that any id gets).
- No list ever holds a row outside the caller's scope, for every person of the world.
"""
import json
from datetime import time as datetime_time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from publishing.models import Schedule
from surveys import services as survey_services
from surveys.models import Survey
from tasks.models import Assignment, Campaign, Task
from teams.choices import Role
from teams.models import Member, Membership, Team
from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory

from tests.security.matrix import (
    CALLERS,
    MATRIX,
    METHODS,
    MISSING_PK,
    OUT_OF_SCOPE,
    ROLES,
    VISIBLE_ABOVE,
    api_endpoints,
    body_for,
    build,
    build_home,
    person_in,
)

pytestmark = pytest.mark.django_db
def test_the_urlconf_walk_sees_every_kind_of_endpoint():
    endpoints = api_endpoints()
    # router routes, router actions (detail and list), plain paths of reports, APIViews of auth
    for name in ("task-list", "task-assign", "notification-read-all", "team-stats-members", "me", "logout"):
        assert name in endpoints
    assert endpoints["task-detail"][1] == {"get", "patch"}
    assert endpoints["assignment-verify"][1] == {"post"}


def test_every_endpoint_and_method_has_a_matrix_entry():
    endpoints = api_endpoints()
    missing = sorted(set(endpoints) - set(MATRIX))
    assert not missing, (
        f"Endpoints without a row in tests/security/matrix.py: {missing}. Add each with the status "
        f"every role gets, and check its out-of-scope ids are 404."
    )
    stale = sorted(set(MATRIX) - set(endpoints))
    assert not stale, f"Rows in tests/security/matrix.py for endpoints that no longer exist: {stale}"
    wrong = {name: (sorted(methods), sorted(MATRIX[name].methods))
             for name, (_route, methods) in endpoints.items() if methods != set(MATRIX[name].methods)}
    assert not wrong, f"Methods served vs methods in the matrix: {wrong}"
    for name, endpoint in MATRIX.items():
        for method, by_role in endpoint.methods.items():
            assert set(by_role) == set(ROLES), (name, method)
        takes_id = "pk>" in endpoints[name][0]  # <int:pk> or (?P<pk>...)
        assert takes_id == (endpoint.kind is not None), f"{name}: kind must be set exactly for URLs with an id"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _send(client, method, url, body=None):
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


def _url(name, pk=None):
    return reverse(name, kwargs={"pk": pk}) if pk is not None else reverse(name)


@pytest.mark.parametrize("name,method", [(n, m) for n, e in MATRIX.items() for m in e.methods])
def test_matrix(world, client_for, media, name, method):
    """Each role, on an object in the home subtree, with a valid body (each role on a fresh copy)."""
    endpoint = MATRIX[name]
    got = {}
    for role in ROLES:
        with transaction.atomic():
            obj = build_home(endpoint.kind, world) if endpoint.kind else None
            caller = getattr(world, CALLERS[role]) if CALLERS[role] else None
            response = _send(client_for(caller), method, _url(name, getattr(obj, "pk", None)),
                             body_for(endpoint, method, world))
            got[role] = response.status_code
            assert response.status_code < 500, response.content
            transaction.set_rollback(True)
    assert got == endpoint.methods[method]


# Out of scope is 404, like an id that does not exist ------------------------------------

@pytest.fixture
def callers(world):
    world.observer_c1 = person_in(world.c1, Role.OBSERVER)
    return world


def _body(response):
    try:
        return response.json()
    except (ValueError, TypeError):
        return response.content


@pytest.mark.parametrize("place", ["sibling", "parent", "cousin"])
@pytest.mark.parametrize("caller_name", list(OUT_OF_SCOPE))
def test_out_of_scope_ids_answer_like_missing_ones(callers, client_for, media, caller_name, place):
    world = callers
    caller = getattr(world, caller_name)
    team = getattr(world, OUT_OF_SCOPE[caller_name][place])
    holds_every_capability = caller_name.startswith("coord_")
    client = client_for(caller)
    objects = {}
    problems = []
    checked = 0
    for name, endpoint in MATRIX.items():
        if endpoint.kind is None:
            continue
        if endpoint.kind not in objects:
            objects[endpoint.kind] = build(endpoint.kind, team, world)
        obj = objects[endpoint.kind]
        for method in (*METHODS, "head", "options"):
            body = body_for(endpoint, method, world)
            out = _send(client, method, _url(name, obj.pk), body)
            missing = _send(client, method, _url(name, MISSING_PK), body)
            checked += 1
            where = f"{method.upper()} {name} ({place} {team.name}) as {caller_name}"
            designed = VISIBLE_ABOVE.get((name, place))
            if designed is not None and method in designed:
                if out.status_code != designed[method]:
                    problems.append(f"{where}: {out.status_code}, expected {designed[method]}")
                continue
            if out.status_code != missing.status_code or _body(out) != _body(missing):
                problems.append(f"{where}: {out.status_code} {_body(out)!r} but a missing id gives "
                                f"{missing.status_code} {_body(missing)!r}")
                continue
            if method in ("head", "options"):
                continue
            if method not in endpoint.methods:
                # DRF checks the role before the method: a role that can never use the
                # endpoint gets 403 for any method and any id.
                expected = {405} if holds_every_capability else {403, 405}
            elif holds_every_capability:
                expected = {404}
            else:  # 403 only where the caller's role can never take the action, whatever the id
                expected = {403, 404}
            if out.status_code not in expected:
                problems.append(f"{where}: {out.status_code}, expected one of {sorted(expected)}")
    assert checked > 100
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("caller_name", ["coord_c1", "member_v1a"])
def test_the_same_requests_reach_objects_in_scope(world, client_for, media, caller_name):
    """The control: the out-of-scope test would see a non-404 if scope let the object through."""
    caller = getattr(world, caller_name)
    team = world.v1a
    reached = []
    for name, endpoint in MATRIX.items():
        if endpoint.kind is None or "get" not in endpoint.methods:
            continue
        obj = build(endpoint.kind, team, world, person=caller if caller_name == "member_v1a" else None)
        code = client_for(caller).get(_url(name, obj.pk)).status_code
        if code == 200:
            reached.append(name)
    expected = {
        "coord_c1": {n for n, e in MATRIX.items() if e.kind and "get" in e.methods}
        - {"notification-detail", "report-subscription-detail", "job-detail"},  # another person's
        "member_v1a": {"team-detail", "member-detail", "membership-detail", "task-detail", "campaign-detail",
                       "channel-detail", "channel-posts", "topic-detail", "content-detail", "assignment-detail", "assignment-events", "assignment-evidence-image",
                       "notification-detail", "job-detail"},
    }[caller_name]
    assert set(reached) == expected


# No list holds a row outside the caller's scope ------------------------------------------

LISTS = {
    "/api/v1/teams/": Team,
    "/api/v1/members/": Member,
    "/api/v1/memberships/": Membership,
    "/api/v1/campaigns/": Campaign,
    "/api/v1/tasks/": Task,
    "/api/v1/assignments/": Assignment,
    "/api/v1/notifications/": Notification,
    "/api/v1/surveys/": Survey,
    "/api/v1/schedules/": Schedule,
}
PEOPLE = ["superuser", "coord_district", "observer_district", "coord_c1", "coord_c2", "coord_v1a",
          "member_v1a", "member_v1a_2", "inactive_v1a", "member_v1b", "member_v2a",
          "coord_other_district", "outsider"]


@pytest.fixture
def full_world(world):
    """Every team owns a campaign and a task assigned to every `member` below it; everyone
    holds a notification."""
    teams = list(Team.objects.all())
    for team in teams:
        campaign = CampaignFactory(team=team, created_by=world.superuser, name=f"Chiến dịch {team.name}")
        task = TaskFactory(team=team, campaign=campaign, created_by=world.superuser,
                           due_at=timezone.now() + timedelta(days=2))
        for ms in Membership.objects.filter(team__path__startswith=team.path, role=Role.MEMBER):
            AssignmentFactory(task=task, assignee_id=ms.member_id, team_id=ms.team_id)
    for member in Member.objects.all():
        Notification.objects.create(recipient=member, kind="assigned", params={})
    # Every team: an open survey asking its subtree, one asking only its first child, and a draft.
    for team in teams:
        for audience, draft in [([team], False), ([team.children.order_by("id").first() or team], False),
                                ([team], True)]:
            survey = survey_services.survey_create(actor=world.superuser, team=team, title=f"Khảo sát {team.name}",
                                                   audience=audience, questions=[{"kind": "text", "text": "Ý kiến"}])
            if not draft:
                survey_services.survey_open(survey=survey, actor=world.superuser)
    # Every team: a daily schedule and a paused weekly one.
    for team in teams:
        for repeat, weekday, active in [("daily", None, True), ("weekly", 3, False)]:
            schedule = Schedule.objects.create(team=team, title=f"Lịch {team.name}", kind="share",
                                               platform="facebook", repeat=repeat, weekday=weekday,
                                               time=datetime_time(7, 30), starts_on=timezone.localdate(),
                                               is_active=active, created_by=world.superuser)
            schedule.target_teams.set([team])
    return world


class Oracle:
    """The contract's scope, computed from memberships without the selectors."""

    def __init__(self, person):
        self.person = person
        rows = list(Membership.objects.filter(member=person).select_related("team"))
        self.reads = [m.team.path for m in rows if m.role in (Role.COORDINATOR, Role.OBSERVER)]
        self.own_teams = {m.team_id for m in rows}
        self.above_own = {int(p) for m in rows for p in m.team.path.strip("/").split("/")}

    def read_in_full(self) -> set[int]:
        """People whose phone the caller may read: themselves and everyone in their read subtrees."""
        if self.person.is_superuser:
            return set(Member.objects.values_list("pk", flat=True))
        return {m.member_id for m in Membership.objects.select_related("team")
                if self.reads_path(m.team.path)} | {self.person.pk}

    def reads_path(self, path):
        return self.person.is_superuser or any(path.startswith(r) for r in self.reads)

    def allowed(self, model) -> set[int]:
        me = self.person
        if not me.is_active:  # a deactivated account reads nothing
            return set()
        if model is Notification:  # one's own feed, superusers included
            return set(Notification.objects.filter(recipient=me).values_list("pk", flat=True))
        if me.is_superuser:
            return set(model.objects.values_list("pk", flat=True))
        if model is Team:
            return {t.pk for t in Team.objects.all() if self.reads_path(t.path) or t.pk in self.own_teams}
        if model is Membership:  # plus the rosters of the caller's own teams (active people)
            return {m.pk for m in Membership.objects.select_related("team", "member")
                    if self.reads_path(m.team.path) or m.member_id == me.pk
                    or (m.team_id in self.own_teams and m.member.is_active)}
        if model is Member:
            return self.read_in_full() | {m.member_id for m in Membership.objects.select_related("member")
                                          if m.team_id in self.own_teams and m.member.is_active}
        own_tasks = set(Assignment.objects.filter(assignee=me).values_list("task_id", flat=True))
        if model is Task:
            return {t.pk for t in Task.objects.select_related("team")
                    if self.reads_path(t.team.path) or t.pk in own_tasks}
        if model is Assignment:
            return {a.pk for a in Assignment.objects.select_related("team")
                    if self.reads_path(a.team.path) or a.assignee_id == me.pk}
        if model is Survey:  # readers above its team; its audience once it is open
            own_paths = [m.team.path for m in Membership.objects.filter(member=me).select_related("team")]
            return {s.pk for s in Survey.objects.select_related("team").prefetch_related("audience__team")
                    if self.reads_path(s.team.path)
                    or (s.status != "draft" and any(p.startswith(a.team.path) for a in s.audience.all()
                                                    for p in own_paths))}
        if model is Schedule:  # coordinators and observers above it; members see none
            return {x.pk for x in Schedule.objects.select_related("team") if self.reads_path(x.team.path)}
        if model is Campaign:
            behind_own = set(Task.objects.filter(pk__in=own_tasks).values_list("campaign_id", flat=True))
            return {c.pk for c in Campaign.objects.select_related("team")
                    if self.reads_path(c.team.path) or c.team_id in self.above_own or c.pk in behind_own}
        raise ValueError(model)


def _all_rows(client, url, params=None):
    rows, next_url, params = [], url, {"page_size": 200, **(params or {})}
    while next_url:
        response = client.get(next_url, params)
        if response.status_code == 400:  # a filter this list refuses: nothing was listed
            return None
        assert response.status_code == 200, (url, params, response.content)
        body = response.json()
        rows += body["results"]
        next_url, params = body.get("next"), None
    return rows


@pytest.mark.parametrize("url", list(LISTS))
def test_no_list_holds_a_row_outside_the_callers_scope(full_world, client_for, url):
    world = full_world
    model = LISTS[url]
    total = model.objects.count()
    seen_by = {}
    for name in PEOPLE:
        person = getattr(world, name)
        rows = _all_rows(client_for(person), url)
        ids = {row["id"] for row in rows}
        assert len(ids) == len(rows), f"{name}: a row listed twice in {url}"
        oracle = Oracle(person)
        allowed = oracle.allowed(model)
        outside, missing = ids - allowed, allowed - ids
        assert not outside, f"{url} shows {name} rows outside their scope: {sorted(outside)}"
        assert not missing, f"{url} hides from {name} rows inside their scope: {sorted(missing)}"
        if model is Member:  # the roles listed inside each member row, and phones
            teams = [(m["team"]["id"], m["id"]) for row in rows for m in row["memberships"]]
            allowed = oracle.allowed(Membership)
            assert all(ms in allowed for _team, ms in teams), f"{name}: memberships outside the scope"
            full = oracle.read_in_full()
            shown = {row["id"] for row in rows if row["phone"] is not None}
            assert shown <= full, f"{name} reads the phones of teammates {sorted(shown - full)}"
        seen_by[name] = ids
    # The test can fail: somebody sees only part of the rows, and nobody but the superuser sees all.
    everything = set(model.objects.values_list("pk", flat=True))
    assert seen_by["superuser"] == (Oracle(world.superuser).allowed(model) if model is Notification else everything)
    assert 0 < len(seen_by["coord_c1"]) < total
    if model is Schedule:  # by design: members read no schedule (they see the tasks it makes)
        assert seen_by["member_v1a"] == set()
    else:
        assert 0 < len(seen_by["member_v1a"]) < total


FILTERS = ["within", "team", "parent", "member", "assignee", "task", "campaign", "level", "mine", "role"]

# The team path each row of a list lies at (what `within` filters on).
ROW_PATH = {
    "/api/v1/teams/": lambda: dict(Team.objects.values_list("pk", "path")),
    "/api/v1/memberships/": lambda: dict(Membership.objects.values_list("pk", "team__path")),
    "/api/v1/campaigns/": lambda: dict(Campaign.objects.values_list("pk", "team__path")),
    "/api/v1/tasks/": lambda: dict(Task.objects.values_list("pk", "team__path")),
    "/api/v1/assignments/": lambda: dict(Assignment.objects.values_list("pk", "team__path")),
}


@pytest.mark.parametrize("url", list(ROW_PATH))
def test_within_the_callers_own_teams_lists_exactly_that_subtree(full_world, client_for, url):
    """?within= one of the caller's teams (or a team below it): every row of that subtree the
    caller may see, and nothing else — not a sibling's, not the parent's."""
    world = full_world
    paths = ROW_PATH[url]()
    for name in ("coord_district", "observer_district", "coord_c1", "coord_v1a", "member_v1a"):
        person = getattr(world, name)
        allowed = Oracle(person).allowed(LISTS[url])
        own = Team.objects.filter(memberships__member=person)
        for team in Team.objects.filter(path__startswith=own.first().path) if name != "member_v1a" else own:
            rows = _all_rows(client_for(person), url, {"within": team.pk})
            assert rows is not None, f"{url} refuses within={team.name} for {name}"
            expected = {pk for pk in allowed if paths[pk].startswith(team.path)}
            got = {row["id"] for row in rows}
            assert got == expected, (f"{url}?within={team.name} as {name}: extra {sorted(got - expected)}, "
                                     f"missing {sorted(expected - got)}")


@pytest.mark.parametrize("url", list(LISTS))
def test_filters_never_widen_a_list(full_world, client_for, url):
    """Filters naming teams, people, tasks or campaigns out of scope narrow the list, never widen it."""
    world = full_world
    model = LISTS[url]
    foreign = {
        "within": [world.c2.pk, world.district.pk, world.province.pk],
        "team": [world.c2.pk, world.v2a.pk, world.district.pk],
        "parent": [world.c2.pk, world.district.pk],
        "member": [world.member_v2a.pk, world.coord_c2.pk],
        "assignee": [world.member_v2a.pk],
        "task": list(Task.objects.filter(team=world.c2).values_list("pk", flat=True)),
        "campaign": list(Campaign.objects.filter(team=world.c2).values_list("pk", flat=True)),
        "level": ["district", "province"],
        "mine": ["false", "true"],
        "role": ["coordinator", "member"],
    }
    for name in ("coord_c1", "coord_v1a", "member_v1a", "observer_district"):
        person = getattr(world, name)
        allowed = Oracle(person).allowed(model)
        for key in FILTERS:
            for value in foreign[key]:
                rows = _all_rows(client_for(person), url, {key: value})
                if rows is None:
                    continue
                outside = {row["id"] for row in rows} - allowed
                assert not outside, f"{url}?{key}={value} as {name} shows rows outside the scope: {outside}"
