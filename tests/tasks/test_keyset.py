"""The assignment list pages by keyset (api/pagination.py KeysetPagination): no count, no
offset; walking `next` then `previous` visits every row once in the requested ordering,
with NULL due dates last (first when descending) and the id breaking ties."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import services
from tasks.models import Assignment

from .conftest import make_task


@pytest.fixture
def spread(world):
    """Twelve assignments in commune c1: tasks with equal, distinct and missing due dates."""
    soon = timezone.now() + timedelta(days=2)
    for due in (soon, soon, None, soon + timedelta(days=1)):
        task = make_task(world.c1, world.coord_c1, due_at=due)
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return Assignment.objects.filter(team__path__startswith=world.c1.path)


def _expected(rows, ordering):
    name = ordering.lstrip("-")
    if name == "due_at":
        def key(a):
            return (a.task.due_at is None, a.task.due_at.timestamp() if a.task.due_at else 0, a.pk)
    else:
        def key(a):
            return (getattr(a, name), a.pk)
    return [a.pk for a in sorted(rows, key=key, reverse=ordering.startswith("-"))]


def _walk(client, url, params, link):
    pages, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        pages.append([r["id"] for r in body["results"]])
        if not body[link]:
            return pages, body
        response = client.get(body[link])


@pytest.mark.parametrize("ordering", ["-id", "id", "due_at", "-due_at", "updated_at", "-created_at"])
def test_next_then_previous_visits_every_row_once_in_order(world, client_for, spread, ordering):
    client = client_for(world.coord_c1)
    expected = _expected(spread.select_related("task"), ordering)
    assert len(expected) == 12
    forward, last = _walk(client, "/api/v1/assignments/", {"ordering": ordering, "page_size": 5}, "next")
    assert [len(p) for p in forward] == [5, 5, 2]
    assert sum(forward, []) == expected
    assert last["previous"]
    backward, first = _walk(client, last["previous"], {}, "previous")
    assert sum(reversed(backward), []) == expected[:10]
    assert first["previous"] is None and first["next"]


def test_the_first_page_has_no_previous_and_the_default_is_newest_first(world, client_for, spread):
    body = client_for(world.coord_c1).get("/api/v1/assignments/", {"page_size": 200}).json()
    assert body["previous"] is None and body["next"] is None
    assert [r["id"] for r in body["results"]] == sorted(spread.values_list("pk", flat=True), reverse=True)


def test_rows_added_while_scrolling_do_not_shift_the_next_page(world, client_for, spread):
    client = client_for(world.coord_c1)
    body = client.get("/api/v1/assignments/", {"page_size": 5}).json()
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])  # three newer rows
    following = client.get(body["next"]).json()
    expected = sorted(spread.values_list("pk", flat=True), reverse=True)
    assert [r["id"] for r in following["results"]] == [i for i in expected if i < body["results"][-1]["id"]][:5]


def test_no_count_query(world, client_for, spread):
    with CaptureQueriesContext(connection) as ctx:
        response = client_for(world.coord_c1).get("/api/v1/assignments/", {"page_size": 5})
    assert response.status_code == 200
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_filters_and_mine_keep_their_meaning_across_pages(world, client_for, spread):
    client = client_for(world.member_v1a)
    pages, _ = _walk(client, "/api/v1/assignments/", {"mine": "true", "page_size": 1}, "next")
    ids = sum(pages, [])
    assert ids == sorted(spread.filter(assignee=world.member_v1a).values_list("pk", flat=True), reverse=True)
    assert len(ids) == 4


@pytest.mark.parametrize("cursor", ["garbage", "eyJwIjpbMV19", "e30", "%%%", "eyJwIjpbIngiXSwiciI6ZmFsc2UsIm8iOiItaWQifQ"])
def test_a_cursor_that_is_not_ours_is_a_400(world, client_for, spread, cursor):
    response = client_for(world.coord_c1).get("/api/v1/assignments/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_a_cursor_is_tied_to_its_ordering(world, client_for, spread):
    client = client_for(world.coord_c1)
    body = client.get("/api/v1/assignments/", {"page_size": 5, "ordering": "due_at"}).json()
    cursor = body["next"].split("cursor=")[1].split("&")[0]
    response = client.get("/api/v1/assignments/", {"page_size": 5, "ordering": "-id", "cursor": cursor})
    assert response.status_code == 400


@pytest.mark.parametrize("size", ["0", "201", "x"])
def test_page_size_outside_1_to_200_is_a_400(world, client_for, spread, size):
    response = client_for(world.coord_c1).get("/api/v1/assignments/", {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def _cursor(payload):
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("ordering,position", [
    ("-id", [10 ** 30]),
    ("-id", ["abc"]),
    ("-id", [None]),
    ("-id", [1.5]),
    ("-id", [[1]]),
    ("due_at", ["2026-13-45T99:00:00Z", 1]),
    ("due_at", [None, -10 ** 30]),
])
def test_forged_positions_are_a_400_or_an_empty_page_never_a_500(world, client_for, spread, ordering, position):
    key = "-id" if ordering == "-id" else "due_at,id"  # the ordering the cursor claims, as ours spell it
    response = client_for(world.coord_c1).get(
        "/api/v1/assignments/", {"ordering": ordering, "cursor": _cursor({"p": position, "r": False, "o": key})})
    assert response.status_code in (200, 400), response.content
