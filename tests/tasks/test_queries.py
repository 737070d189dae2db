"""List endpoints cost the same number of queries for 1 row or 100: progress counts,
the inlined task and names come with the page, never a query per row.

If one of these fails after a change, explain the new query in the commit, or
move it into the selector next to the scope filter."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import services
from teams.choices import Role
from teams.models import Membership
from tests.factories import AssignmentFactory, MemberFactory, TaskFactory

from .conftest import make_task

MAX_QUERIES = 6  # scope + count (none for keyset lists) + page (+ the request's own bookkeeping)


@pytest.fixture
def many(world, campaign_c1):
    people = MemberFactory.create_batch(110)
    Membership.objects.bulk_create([Membership(member=p, team=world.v1a, role=Role.MEMBER) for p in people])
    task = make_task(world.c1, world.coord_c1, campaign=campaign_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    services.assignment_complete(assignment=task.assignments.first(), actor=task.assignments.first().assignee,
                                 evidence_url="https://x.vn/1")
    for i in range(110):
        other = TaskFactory(team=world.c1, created_by=world.coord_c1, campaign=campaign_c1)
        AssignmentFactory(task=other, assignee=people[i], team=world.v1a)
    return task


def _count(client, url, page_size):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [
    "/api/v1/tasks/",
    "/api/v1/tasks/?status=open&campaign={campaign}&ordering=due_at",
    "/api/v1/assignments/",
    "/api/v1/assignments/?ordering=due_at&within={v1a}",
    "/api/v1/campaigns/",
])
@pytest.mark.parametrize("role", ["coord_district", "coord_c1", "superuser"])
def test_list_query_count_does_not_grow_with_page_size(world, client_for, many, django_assert_max_num_queries,
                                                       url, role):
    url = url.format(v1a=world.v1a.pk, campaign=many.campaign_id)
    client = client_for(getattr(world, role))
    if "campaigns" in url:
        from tests.factories import CampaignFactory

        CampaignFactory.create_batch(110, team=world.c1)
    small = _count(client, url, 1)
    large = _count(client, url, 100)
    assert small == large, f"{url}: {small} queries for 1 row, {large} for 100"
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url, {"page_size": 100})


def test_progress_counts_are_right_in_the_list(world, client_for, many):
    rows = client_for(world.coord_c1).get("/api/v1/tasks/", {"page_size": 200}).json()["results"]
    big = next(r for r in rows if r["id"] == many.pk)
    assert big["progress"]["total"] == 113
    assert big["progress"]["assigned"] == 112 and big["progress"]["completed"] == 1
    assert sum(r["progress"]["total"] for r in rows) == 113 + 110


def test_assignment_list_for_a_member_is_constant_too(world, client_for, many):
    from tasks.models import Assignment

    person = Assignment.objects.exclude(task=many).first().assignee
    client = client_for(person)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/assignments/", {"mine": "true"})
    assert len(response.json()["results"]) == 2 and response.json()["next"] is None
    assert len(ctx.captured_queries) <= MAX_QUERIES


def test_event_list_query_count_does_not_grow_with_page_size(world, client_for, task_c1):
    from tasks.models import AssignmentEvent

    a = task_c1.assignments.get(assignee=world.member_v1a)
    actors = [world.member_v1a, world.coord_c1, world.coord_v1a]
    AssignmentEvent.objects.bulk_create([
        AssignmentEvent(assignment=a, kind="rejected", actor=actors[i % 3], from_status="completed",
                        to_status="rejected", note=str(i))
        for i in range(110)
    ])
    client = client_for(world.coord_c1)
    url = f"/api/v1/assignments/{a.pk}/events/"
    # Two rows at least: a page of one is the "assigned" step alone (the assignment row, id 0).
    small, large = _count(client, url, 2), _count(client, url, 100)
    assert small == large <= MAX_QUERIES


def test_list_rows_load_only_what_they_show_and_match_the_detail(world, client_for, many):
    """The list reads its own narrow rows (tasks.rows): every row is what the detail says."""
    from tasks.models import Assignment

    done = many.assignments.filter(status="completed").first()
    Assignment.objects.filter(pk=done.pk).update(reviewed_by=world.coord_c1, review_note="ok",
                                                 evidence_image="evidence/x.png")
    client = client_for(world.coord_c1)
    rows = client.get("/api/v1/assignments/", {"page_size": 200, "ordering": "id"}).json()["results"]
    assert len(rows) == 200
    for row in rows[:5] + [r for r in rows if r["id"] == done.pk]:
        assert row == client.get(f"/api/v1/assignments/{row['id']}/").json()
