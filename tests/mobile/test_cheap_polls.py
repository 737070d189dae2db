"""Polls that cost almost nothing (api/rows.py).

- A phone's delta poll that finds nothing new (`updated_since` = its last X-Sync-Cursor)
  is answered from one query, `EXISTS (...) OR EXISTS (...)` over the list's own filters and
  scope, each branch an indexed read; no page is read, no row shaped.
- `If-None-Match` with the ETag of a hot list's page answers 304 from the page's
  fingerprint (its narrow columns: ids, `updated_at`s, the names read from other rows),
  with nothing shaped or rendered.

Scope, decided: a page's ETag is the fingerprint of the rows that page shows the caller,
so it changes exactly when something the caller sees changes, whoever changed it (a
member's completion changes their coordinator's list), and never for a change the caller
cannot see (another member's assignment leaves a member's feed's ETag as it was).
"""
from datetime import timedelta
from importlib import import_module

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification
from tasks.models import Assignment, Task
from tasks.views import AssignmentViewSet, TaskViewSet
from notifications.views import NotificationViewSet
from tests.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

ASSIGNMENTS, TASKS, FEED = "/api/v1/assignments/", "/api/v1/tasks/", "/api/v1/notifications/"
PG = 1 if connection.vendor == "postgresql" else 0  # the sync cursor's pg_stat_activity read


@pytest.fixture
def past():
    return timezone.now() - timedelta(hours=1)


@pytest.fixture
def work(world, past):
    with time_machine.travel(past, tick=False):
        task = TaskFactory(team=world.v1a, created_by=world.coord_district, due_at=past + timedelta(days=1))
        own = AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)
        other = AssignmentFactory(task=task, assignee=world.member_v1a_2, team=world.v1a)
        note = Notification.objects.create(recipient=world.member_v1a, kind="assigned", task=task,
                                           params={"task": task.title})
    return {"task": task, "own": own, "other": other, "note": note}


def _no_shaping(monkeypatch):
    def refuse(self, page):
        raise AssertionError("a row was shaped")

    for view in (AssignmentViewSet, TaskViewSet, NotificationViewSet):
        monkeypatch.setattr(view, "shape_rows", refuse)


def _counted(client, url, params=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {}, **headers)
    return response, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("url,params,scope_queries", [(ASSIGNMENTS, {"mine": "true"}, 0), (ASSIGNMENTS, {}, 1),
                                                      (FEED, {}, 0), (TASKS, {}, 1)])
def test_an_empty_delta_poll_is_one_query_and_shapes_nothing(client_for, world, work, monkeypatch, url, params,
                                                              scope_queries):
    client = client_for(world.member_v1a)
    cursor = client.get(url, params)["X-Sync-Cursor"]
    _no_shaping(monkeypatch)
    response, sql = _counted(client, url, {**params, "updated_since": cursor})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [] and body["next"] is None
    assert response["X-Sync-Cursor"]
    assert len(sql) == scope_queries + 1 + PG, sql
    if PG and params:  # the phone's idle poll: the same question as one function (tasks migration 0009)
        assert sql[-1].startswith("SELECT tasks_own_assignments_changed_since("), sql[-1]
        return
    assert "EXISTS" in sql[-1]
    # The probe joins only what its filters read: never the names and people a page shows.
    assert "teams_member" not in sql[-1] and "publication" not in sql[-1], sql[-1]


def test_a_delta_finds_an_assignment_whose_task_changed(client_for, world, work):
    client = client_for(world.member_v1a)
    cursor = client.get(ASSIGNMENTS, {"mine": "true"})["X-Sync-Cursor"]
    Task.objects.filter(pk=work["task"].pk).update(title="Đổi tên", updated_at=timezone.now())
    response, sql = _counted(client, ASSIGNMENTS, {"mine": "true", "updated_since": cursor})
    assert [r["id"] for r in response.json()["results"]] == [work["own"].pk]
    assert response.json()["results"][0]["task"]["title"] == "Đổi tên"
    assert len(sql) == 1 + 1 + 1 + PG  # scope, the EXISTS probe, the page


def test_the_phones_idle_poll_is_compiled_once_and_reads_each_callers_own(client_for, world, work):
    # `mine=true&updated_since=` alone: one probe, compiled by the first poll of the process and
    # run with each caller's id and cursor afterwards (api/rows.py, delta_template).
    from api import rows

    rows._PROBES.clear()
    first, second = client_for(world.member_v1a), client_for(world.member_v1a_2)
    cursors = [c.get(ASSIGNMENTS, {"mine": "true"})["X-Sync-Cursor"] for c in (first, second)]
    Assignment.objects.filter(pk=work["other"].pk).update(status="in_progress", updated_at=timezone.now())
    response, sql = _counted(first, ASSIGNMENTS, {"mine": "true", "updated_since": cursors[0]})
    assert response.json()["results"] == [] and len(sql) == 1 + PG
    compiled = 0 if PG else 1  # PostgreSQL asks tasks_own_assignments_changed_since instead
    assert len(rows._PROBES) == compiled
    response, sql = _counted(second, ASSIGNMENTS, {"mine": "true", "updated_since": cursors[1], "page_size": "5"})
    assert [r["id"] for r in response.json()["results"]] == [work["other"].pk]
    assert len(rows._PROBES) == compiled  # the same template served both


def test_the_own_feeds_probe_never_shows_what_the_scope_hides(client_for, world, work):
    # The mine=true probe reads the caller's assignments before the scope's rules: a change to
    # one the scope hides (its task is not published yet) sends the poll on to the scoped page,
    # which shows nothing of it.
    client = client_for(world.member_v1a)
    cursor = client.get(ASSIGNMENTS, {"mine": "true"})["X-Sync-Cursor"]
    later = TaskFactory(team=world.v1a, created_by=world.coord_district, publish_at=timezone.now() + timedelta(days=1))
    AssignmentFactory(task=later, assignee=world.member_v1a, team=world.v1a)
    response, sql = _counted(client, ASSIGNMENTS, {"mine": "true", "updated_since": cursor})
    assert response.status_code == 200 and response.json()["results"] == []
    assert len(sql) == 1 + 1 + 1 + PG  # the probe (something changed), the scope, the page
    assert "teams_membership" not in sql[PG], sql[PG]


def test_a_delta_finds_a_changed_assignment_and_not_another_persons(client_for, world, work):
    client = client_for(world.member_v1a)
    cursor = client.get(ASSIGNMENTS)["X-Sync-Cursor"]
    Assignment.objects.filter(pk=work["other"].pk).update(status="in_progress", updated_at=timezone.now())
    assert client.get(ASSIGNMENTS, {"updated_since": cursor}).json()["results"] == []
    Assignment.objects.filter(pk=work["own"].pk).update(status="in_progress", updated_at=timezone.now())
    assert [r["id"] for r in client.get(ASSIGNMENTS, {"updated_since": cursor}).json()["results"]] == [
        work["own"].pk]


@pytest.mark.parametrize("url,caller,scope_queries", [(ASSIGNMENTS, "member_v1a", 1),
                                                      (ASSIGNMENTS, "coord_district", 1),
                                                      (TASKS, "coord_district", 1), (FEED, "member_v1a", 0)])
def test_if_none_match_answers_304_without_building_the_page(client_for, world, work, monkeypatch, url, caller,
                                                             scope_queries):
    client = client_for(getattr(world, caller))
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"].startswith('W/"rows-')
    _no_shaping(monkeypatch)
    response, sql = _counted(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"] and response.content == b""
    page_queries = 2 if url == TASKS else 1  # the task list's page counts its rows (page-number pagination)
    assert len(sql) == scope_queries + page_queries + PG, sql


def test_an_old_etag_gets_the_page(client_for, world, work):
    client = client_for(world.member_v1a)
    response = client.get(ASSIGNMENTS, HTTP_IF_NONE_MATCH='W/"rows-0000"')
    assert response.status_code == 200 and response.json()["results"]


def _etag(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response["ETag"]


def test_the_etag_changes_when_a_row_or_what_it_shows_changes(client_for, world, work):
    coordinator = client_for(world.coord_district)
    tags = [_etag(coordinator, ASSIGNMENTS)]
    Assignment.objects.filter(pk=work["own"].pk).update(status="in_progress", updated_at=timezone.now())
    tags.append(_etag(coordinator, ASSIGNMENTS))  # the member's change is in the coordinator's page
    Task.objects.filter(pk=work["task"].pk).update(title="Tên mới", updated_at=timezone.now())
    tags.append(_etag(coordinator, ASSIGNMENTS))
    world.member_v1a_2.full_name = "Tên Khác"
    world.member_v1a_2.save()
    tags.append(_etag(coordinator, ASSIGNMENTS))  # a name read from another row
    world.v1a.name = "Thôn Một"
    world.v1a.save()
    tags.append(_etag(coordinator, ASSIGNMENTS))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        tags.append(_etag(coordinator, ASSIGNMENTS))  # the due time passed: is_overdue turned true
    tags.append(_etag(coordinator, ASSIGNMENTS, HTTP_ACCEPT_LANGUAGE="en"))
    assert len(set(tags)) == len(tags), tags


def test_anothers_change_outside_the_callers_scope_keeps_the_etag(client_for, world, work):
    member = client_for(world.member_v1a)
    before = _etag(member, ASSIGNMENTS)
    Assignment.objects.filter(pk=work["other"].pk).update(status="in_progress", updated_at=timezone.now())
    AssignmentFactory(task=work["task"], assignee=world.member_v1b, team=world.v1b)
    assert _etag(member, ASSIGNMENTS) == before
    assert member.get(ASSIGNMENTS, HTTP_IF_NONE_MATCH=before).status_code == 304
    AssignmentFactory(task=TaskFactory(team=world.v1a, created_by=world.coord_district), assignee=world.member_v1a,
                      team=world.v1a)
    assert member.get(ASSIGNMENTS, HTTP_IF_NONE_MATCH=before).status_code == 200  # a new row of theirs


def test_the_feed_etag_changes_when_a_notification_is_read(client_for, world, work):
    member = client_for(world.member_v1a)
    before = _etag(member, FEED)
    assert member.post(f"{FEED}{work['note'].pk}/read/").status_code == 200
    assert member.get(FEED, HTTP_IF_NONE_MATCH=before).status_code == 200
    assert _etag(member, FEED, HTTP_ACCEPT_LANGUAGE="en") != _etag(member, FEED, HTTP_ACCEPT_LANGUAGE="vi")


def test_the_task_list_etag_follows_progress(client_for, world, work):
    coordinator = client_for(world.coord_district)
    before = _etag(coordinator, TASKS)
    Assignment.objects.filter(pk=work["own"].pk).update(status="completed")  # no updated_at on the task
    assert coordinator.get(TASKS, HTTP_IF_NONE_MATCH=before).status_code == 200


@pytest.mark.parametrize("params", [{"status": "bogus"}, {"updated_since": "yesterday"}, {"page_size": "0"},
                                    {"ordering": "nope"}])
def test_a_delta_poll_with_a_bad_parameter_is_still_a_400(client_for, world, work, params):
    client = client_for(world.member_v1a)
    cursor = client.get(ASSIGNMENTS)["X-Sync-Cursor"]
    response = client.get(ASSIGNMENTS, {"updated_since": cursor, **params})
    assert response.status_code == 400, response.content


def _changed_since(member, since) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tasks_own_assignments_changed_since(%s, %s)", [member.pk, since])
        return cursor.fetchone()[0]


def _truth(member, since) -> bool:
    """The compiled probe's question, asked through the ORM."""
    own = Assignment.objects.filter(assignee=member)
    return own.filter(updated_at__gte=since).exists() or own.filter(task__updated_at__gte=since).exists()


@pytest.mark.skipif(not PG, reason="the function is PostgreSQL's (tasks migration 0009)")
def test_the_idle_polls_function_answers_as_the_compiled_probe(world, work):
    # Each of its three steps, against the same question asked through the ORM: the caller's own
    # row changed; one of a few changed tasks is theirs, or none is; more than RECENT tasks
    # changed (the step planned for its values), with one of them theirs or none.
    recent = import_module("tasks.migrations.0009_own_assignments_changed_since").RECENT
    member, other = world.member_v1a, world.member_v1a_2
    since = timezone.now()
    cases = [(member, since), (other, since)]
    assert [_changed_since(*c) for c in cases] == [_truth(*c) for c in cases] == [False, False]

    Assignment.objects.filter(pk=work["other"].pk).update(updated_at=timezone.now())
    assert [_changed_since(*c) for c in cases] == [_truth(*c) for c in cases] == [False, True]

    since = timezone.now()
    cases = [(member, since), (other, since), (world.member_v1b, since)]
    Task.objects.filter(pk=work["task"].pk).update(updated_at=timezone.now())
    assert [_changed_since(*c) for c in cases] == [_truth(*c) for c in cases] == [True, True, False]

    since = timezone.now()
    cases = [(member, since), (other, since), (world.member_v1b, since)]
    many = TaskFactory.create_batch(recent + 1, team=world.v1a, created_by=world.coord_district)
    AssignmentFactory(task=many[recent // 2], assignee=other, team=world.v1a)
    Assignment.objects.filter(assignee=other).update(updated_at=since - timedelta(minutes=1))  # only the task says
    assert Task.objects.filter(updated_at__gte=since).count() > recent
    assert [_changed_since(*c) for c in cases] == [_truth(*c) for c in cases] == [False, True, False]


@pytest.mark.skipif(not PG, reason="prepared statements are PostgreSQL's")
def test_the_phones_first_page_is_prepared_with_one_plan_for_everyone(client_for, world, work):
    # Prepared, the page is planned once for all callers: a person with a hundred thousand
    # assignments gets the plan of one with ten. That plan, (assignee, id) read backwards with no
    # sort (tasks migration 0010), depends on the table's statistics, so it is checked on the bench
    # database (README, "Polls that cost almost nothing"), not on this test's few rows.
    from api import rows

    rows._PAGES.clear()
    client = client_for(world.member_v1a)
    assert [r["id"] for r in client.get(ASSIGNMENTS, {"mine": "true"}).json()["results"]] == [work["own"].pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%FROM \"tasks_assignment\" INNER JOIN%"])
        assert len(cursor.fetchall()) == 1
    (compiled,) = [c for shape, c in rows._PAGES.items() if "mine" in shape]
    assert compiled.prepared
    for _ in range(6):  # past the five custom plans PostgreSQL would try when left to choose
        client.get(ASSIGNMENTS, {"mine": "true"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%FROM \"tasks_assignment\" INNER JOIN%"])
        assert cursor.fetchall() == [(7, 0)]  # planned once, then only executed
    # A coordinator's page over a subtree is planned for its values: not prepared.
    rows._PAGES.clear()
    client_for(world.coord_district).get(ASSIGNMENTS)
    assert not any(c.prepared for c in rows._PAGES.values() if c is not None)
