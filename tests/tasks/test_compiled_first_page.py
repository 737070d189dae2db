"""The assignment list's first page through a query compiled once (api/compiled.py, api/rows.py).

What a person would notice if it broke: someone else's work on their phone, an
unpublished task showing before its time (or a published one missing after it), a
coordinator's page missing a subtree, a `next` link or an ETag that differs from the
page built the ordinary way. Every case compares the compiled page with the page built
from the parameters (page_template off), byte for byte.
"""
from datetime import timedelta
from urllib.parse import parse_qsl, urlparse

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import compiled as compiled_module
from api import rows as rows_module
from api.compiled import SOME_MOMENT, compile_query, stand_in
from api.access import READ, scope_for
from tasks.models import Assignment
from tasks.views import AssignmentViewSet
from teams.choices import Role
from tests.factories import AssignmentFactory, MembershipFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assignments/"
PG = 1 if connection.vendor == "postgresql" else 0  # the sync cursor's pg_stat_activity read


@pytest.fixture(autouse=True)
def fresh_templates():
    rows_module._PAGES.clear()
    yield
    rows_module._PAGES.clear()


@pytest.fixture
def work(world):
    """Assignments across the district's subtrees and the other district, one of them behind a
    task that publishes in an hour."""
    made = []
    for team, people in ((world.v1a, [world.member_v1a, world.member_v1a_2]), (world.v1b, [world.member_v1b]),
                         (world.v2a, [world.member_v2a]), (world.other_district, [world.coord_other_district])):
        for i in range(3):
            task = TaskFactory(team=team, created_by=world.coord_district, title=f"{team.name} {i}")
            made += [AssignmentFactory(task=task, assignee=p, team=team) for p in people]
    later = TaskFactory(team=world.v1a, created_by=world.coord_district, title="Sắp đăng",
                        publish_at=timezone.now() + timedelta(hours=1))
    made.append(AssignmentFactory(task=later, assignee=world.member_v1a, team=world.v1a))
    return {"all": made, "later": later}


def _both(client, monkeypatch, params):
    """(compiled page's response, ordinary page's response) for the same request."""
    compiled = client.get(URL, params)
    with monkeypatch.context() as patch:
        patch.setattr(AssignmentViewSet, "page_template", lambda self, params: None)
        ordinary = client.get(URL, params)
    return compiled, ordinary


def _same(compiled, ordinary):
    assert compiled.status_code == ordinary.status_code == 200
    assert compiled.content == ordinary.content
    assert compiled["ETag"] == ordinary["ETag"]


CALLERS = ["member_v1a", "member_v1a_2", "member_v2a", "coord_v1a", "coord_c1", "coord_district",
           "observer_district", "coord_other_district", "superuser", "outsider"]


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize("params", [{}, {"mine": "true"}, {"page_size": "2"}, {"mine": "true", "page_size": "1"}])
def test_the_compiled_page_is_the_ordinary_page(client_for, world, work, monkeypatch, who, params):
    client = client_for(getattr(world, who))
    compiled, ordinary = _both(client, monkeypatch, params)
    _same(compiled, ordinary)
    assert rows_module._PAGES, "the page went through a compiled query"
    assert None not in rows_module._PAGES.values(), "every shape compiled"


def test_one_compiled_query_serves_every_caller_of_its_shape_with_their_own_rows(client_for, world, work):
    seen = {}
    for who in ("member_v1a", "member_v1a_2", "member_v2a"):
        body = client_for(getattr(world, who)).get(URL, {"mine": "true"}).json()
        seen[who] = {row["assignee"] for row in body["results"]}
    assert seen == {"member_v1a": {world.member_v1a.pk}, "member_v1a_2": {world.member_v1a_2.pk},
                    "member_v2a": {world.member_v2a.pk}}
    assert len(rows_module._PAGES) == 1  # three people, one compilation


def test_coordinators_of_different_places_share_a_compilation_and_see_their_own_subtree(client_for, world, work):
    c1 = {row["team"] for row in client_for(world.coord_c1).get(URL).json()["results"]}
    c2 = {row["team"] for row in client_for(world.coord_c2).get(URL).json()["results"]}
    assert c1 == {world.v1a.pk, world.v1b.pk} and c2 == {world.v2a.pk}
    assert len(rows_module._PAGES) == 1


def test_a_coordinator_of_two_subtrees_sees_both(client_for, world, work, monkeypatch):
    MembershipFactory(member=world.coord_c2, team=world.other_district, role=Role.COORDINATOR)
    client = client_for(world.coord_c2)
    compiled, ordinary = _both(client, monkeypatch, {})
    _same(compiled, ordinary)
    teams = {row["team"] for row in compiled.json()["results"]}
    assert teams == {world.v2a.pk, world.other_district.pk}


def test_publication_is_read_at_each_request_not_at_compilation(client_for, world, work, monkeypatch):
    client = client_for(world.member_v1a)
    titles = lambda: [row["task"]["title"] for row in client.get(URL, {"mine": "true"}).json()["results"]]  # noqa: E731
    assert "Sắp đăng" not in titles()
    with time_machine.travel(work["later"].publish_at + timedelta(minutes=1), tick=False):
        assert titles()[0] == "Sắp đăng"
        compiled, ordinary = _both(client, monkeypatch, {"mine": "true"})
        _same(compiled, ordinary)
    # Back before publication, the same compiled query hides it again.
    assert "Sắp đăng" not in titles()
    # Its coordinator sees it all along.
    coordinator = [row["task"]["title"] for row in client_for(world.coord_v1a).get(URL).json()["results"]]
    assert "Sắp đăng" in coordinator


def test_next_links_walk_the_whole_list_once(client_for, world, work):
    client = client_for(world.coord_district)
    ids, url, params = [], URL, {"page_size": "2"}
    while url:
        body = client.get(url, params).json()
        ids += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    visible = Assignment.objects.filter(team__path__startswith=world.district.path).exclude(task=work["later"])
    expected = sorted([*visible.values_list("id", flat=True), *Assignment.objects.filter(
        task=work["later"]).values_list("id", flat=True)], reverse=True)
    assert ids == expected


def test_the_compiled_page_costs_no_more_queries(client_for, world, work):
    client = client_for(world.member_v1a)
    client.get(URL, {"mine": "true"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"mine": "true"}).status_code == 200
    # The caller's memberships, the page, and on PostgreSQL the sync cursor's reading.
    assert len(queries) == 2 + PG, [q["sql"] for q in queries.captured_queries]


def test_if_none_match_on_a_compiled_page_is_a_304_until_the_page_changes(client_for, world, work):
    client = client_for(world.member_v1a)
    first = client.get(URL, {"mine": "true"})
    again = client.get(URL, {"mine": "true"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    own = Assignment.objects.filter(assignee=world.member_v1a).exclude(task=work["later"]).order_by("-id").first()
    own.note = "đã chia sẻ"
    own.save()
    changed = client.get(URL, {"mine": "true"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("params", [{"status": "assigned"}, {"mine": "true", "page_size": "1"}, {"ordering": "due_at"}])
def test_if_none_match_is_a_304_on_the_ordinary_path_too(client_for, world, work, params, monkeypatch):
    client = client_for(world.coord_district)
    first = client.get(URL, params)

    def refuse(self, page):
        raise AssertionError("a page answered with a 304 was shaped")

    monkeypatch.setattr(AssignmentViewSet, "shape_rows", refuse)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(URL, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert len(queries) <= 2 + PG  # memberships and the page: no second read of the page


def test_other_parameters_take_the_ordinary_path(client_for, world, work):
    client = client_for(world.coord_district)
    for params in ({"status": "assigned"}, {"ordering": "due_at"}, {"mine": "false"}, {"team": world.v1a.pk}):
        assert client.get(URL, params).status_code == 200
    assert rows_module._PAGES == {}


def test_a_bad_page_size_is_still_a_400(client_for, world, work):
    response = client_for(world.member_v1a).get(URL, {"mine": "true", "page_size": "0"})
    assert response.status_code == 400 and "page_size" in response.json()["errors"]


# compile_query refuses what it cannot reuse for another caller -----------------------------

def _stand_in_rows(world, capabilities=(READ,), who="coord_c1"):
    user, paths = stand_in(scope_for(getattr(world, who)), capabilities)
    return user, paths


def test_a_query_holding_a_moment_of_its_own_is_refused(world):
    _user, paths = _stand_in_rows(world)
    queryset = Assignment.objects.filter(created_at__lte=timezone.now()).values("id")
    assert compile_query(queryset, paths) is None


def test_a_query_holding_a_sentinel_it_was_not_told_of_is_refused(world):
    queryset = Assignment.objects.filter(team__path__startswith=compiled_module.stand_in_paths(1)[0]).values("id")
    assert compile_query(queryset, {}) is None


def test_a_stand_in_caller_reads_as_the_shape_of_the_real_scope(world):
    user, paths = _stand_in_rows(world, who="coord_c1")
    scope = scope_for(user)
    assert scope.user_id == user.pk and scope.at == SOME_MOMENT and not scope.is_superuser
    assert list(paths.values()) == [world.c1.path]
    assert scope.paths_for(READ) == tuple(paths)
    assert scope.own_team_ids == frozenset()  # nothing of the scope but its read paths


def test_compiled_rows_fill_the_caller_and_the_moment(world, work):
    user, paths = _stand_in_rows(world, who="member_v1a")
    queryset = Assignment.objects.filter(assignee_id=user.pk, task__publish_at__isnull=True).values("id")
    template = compile_query(queryset.filter(created_at__lte=SOME_MOMENT), paths)
    assert template is not None
    got = {row["id"] for row in template.rows(world.member_v1a.pk, timezone.now(), paths)}
    expected = set(Assignment.objects.filter(assignee=world.member_v1a, task__publish_at__isnull=True)
                   .values_list("id", flat=True))
    assert got == expected and got
    assert template.rows(world.member_v1a.pk, timezone.now() - timedelta(days=365), paths) == []


def _follow(client, link):
    return client.get(link.replace("http://testserver", ""))


@pytest.mark.parametrize("who", ["member_v1a", "coord_district", "superuser", "outsider"])
@pytest.mark.parametrize("params", [{"mine": "true", "page_size": "1"}, {"page_size": "2"}])
def test_a_page_past_a_cursor_is_the_ordinary_page_both_ways(client_for, world, work, monkeypatch, who, params):
    # Forward through every page by `next`, then back by `previous`: each page compiled (one query
    # per direction, the cursor's id as its key) equals the page built from the parameters.
    client = client_for(getattr(world, who))
    compiled, ordinary = _both(client, monkeypatch, params)
    _same(compiled, ordinary)
    pages, link = 0, compiled.json()["next"]
    while link:
        compiled, ordinary = _both(client, monkeypatch, _query(link))
        _same(compiled, ordinary)
        last, link, pages = compiled, compiled.json()["next"], pages + 1
    back = last.json()["previous"] if pages else None
    while back:
        compiled, ordinary = _both(client, monkeypatch, _query(back))
        _same(compiled, ordinary)
        back = compiled.json()["previous"]
    if pages:
        assert {shape[1] for shape in rows_module._PAGES} >= {"page", "cursor"}
        assert None not in rows_module._PAGES.values(), "every shape compiled"


def _query(link):
    return dict(parse_qsl(urlparse(link).query))


def test_a_cursor_that_is_not_ours_is_still_a_400(client_for, world, work):
    client = client_for(world.member_v1a)
    response = client.get(URL, {"mine": "true", "cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


def test_a_deep_page_costs_the_queries_of_the_first(client_for, world, work):
    client = client_for(world.member_v1a)
    first = client.get(URL, {"mine": "true", "page_size": "1"})
    with CaptureQueriesContext(connection) as deep:
        response = _follow(client, first.json()["next"])
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    with CaptureQueriesContext(connection) as again:
        client.get(URL, {"mine": "true", "page_size": "1"})
    assert len(deep.captured_queries) == len(again.captured_queries)
