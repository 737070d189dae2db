"""Every filter and ordering the contract lists, on tasks, assignments and campaigns."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Assignment, Task
from tests.factories import CampaignFactory

from .conftest import assignment_of, make_task


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def district(world, client_for):
    return client_for(world.coord_district)


def test_task_filters(world, district, task_c1, task_c2, campaign_c1):
    video = make_task(world.v1a, world.coord_c1, title="Đăng video Tết an toàn", kind="post", platform="tiktok")
    services.task_update(task=task_c2, actor=world.coord_c2, status="closed")

    assert set(_ids(district.get("/api/v1/tasks/", {"status": "closed"}))) == {task_c2.pk}
    assert _ids(district.get("/api/v1/tasks/", {"kind": "post"})) == [video.pk]
    assert _ids(district.get("/api/v1/tasks/", {"platform": "tiktok"})) == [video.pk]
    assert _ids(district.get("/api/v1/tasks/", {"team": world.c1.pk})) == [task_c1.pk]
    assert set(_ids(district.get("/api/v1/tasks/", {"within": world.c1.pk}))) == {task_c1.pk, video.pk}
    assert _ids(district.get("/api/v1/tasks/", {"campaign": campaign_c1.pk})) == [task_c1.pk]
    assert _ids(district.get("/api/v1/tasks/", {"search": "video tet"})) == [video.pk]  # accent-insensitive


def test_task_updated_since_and_ordering(world, district, task_c1, task_c2):
    later = make_task(world.c1, world.coord_c1, title="Sau", due_at=timezone.now() + timedelta(hours=1))
    cutoff = timezone.now()
    Task.objects.filter(pk=task_c1.pk).update(updated_at=cutoff - timedelta(minutes=5))
    Task.objects.filter(pk=task_c2.pk).update(updated_at=cutoff - timedelta(minutes=5))
    services.task_update(task=task_c2, actor=world.coord_c2, title="Đổi")
    assert set(_ids(district.get("/api/v1/tasks/", {"updated_since": cutoff.isoformat()}))) == {task_c2.pk}
    assert _ids(district.get("/api/v1/tasks/", {"ordering": "due_at"}))[0] == later.pk
    assert _ids(district.get("/api/v1/tasks/", {"ordering": "-updated_at"}))[0] == task_c2.pk


def test_assignment_filters(world, district, client_for, task_c1, task_c2, campaign_c1):
    a_lan = assignment_of(task_c1, world.member_v1a)
    services.assignment_start(assignment=a_lan, actor=world.member_v1a)
    c1_ids = set(task_c1.assignments.values_list("pk", flat=True))

    assert _ids(district.get("/api/v1/assignments/", {"status": "in_progress"})) == [a_lan.pk]
    assert set(_ids(district.get("/api/v1/assignments/", {"task": task_c1.pk}))) == c1_ids
    assert _ids(district.get("/api/v1/assignments/", {"assignee": world.member_v2a.pk})) == [
        assignment_of(task_c2, world.member_v2a).pk]
    assert set(_ids(district.get("/api/v1/assignments/", {"team": world.v1a.pk}))) == {
        a_lan.pk, assignment_of(task_c1, world.member_v1a_2).pk}
    assert set(_ids(district.get("/api/v1/assignments/", {"within": world.c1.pk}))) == c1_ids
    assert set(_ids(district.get("/api/v1/assignments/", {"campaign": campaign_c1.pk}))) == c1_ids
    assert _ids(district.get("/api/v1/assignments/", {"mine": "true"})) == []
    assert len(_ids(district.get("/api/v1/assignments/", {"mine": "false"}))) == 4
    assert _ids(client_for(world.member_v1a).get("/api/v1/assignments/", {"mine": "true"})) == [a_lan.pk]


def test_assignment_due_filters_and_ordering(world, district, task_c1, task_c2):
    Task.objects.filter(pk=task_c1.pk).update(due_at=timezone.now() + timedelta(days=1))
    Task.objects.filter(pk=task_c2.pk).update(due_at=timezone.now() + timedelta(days=5))
    middle = (timezone.now() + timedelta(days=3)).isoformat()
    c1_ids = set(task_c1.assignments.values_list("pk", flat=True))
    assert set(_ids(district.get("/api/v1/assignments/", {"due_before": middle}))) == c1_ids
    assert _ids(district.get("/api/v1/assignments/", {"due_after": middle})) == [
        assignment_of(task_c2, world.member_v2a).pk]
    ordered = _ids(district.get("/api/v1/assignments/", {"ordering": "-due_at"}))
    assert ordered[0] == assignment_of(task_c2, world.member_v2a).pk


def test_assignment_updated_since_includes_changed_tasks(world, district, task_c1, task_c2):
    past = timezone.now() - timedelta(hours=1)
    Assignment.objects.update(updated_at=past)
    Task.objects.update(updated_at=past)
    cutoff = timezone.now()
    a = assignment_of(task_c2, world.member_v2a)
    services.assignment_start(assignment=a, actor=world.member_v2a)
    assert _ids(district.get("/api/v1/assignments/", {"updated_since": cutoff.isoformat()})) == [a.pk]
    # A renamed task brings its assignments back: their inlined task is stale on the phone.
    services.task_update(task=task_c1, actor=world.coord_c1, title="Tên mới")
    changed = district.get("/api/v1/assignments/", {"updated_since": cutoff.isoformat()}).json()["results"]
    assert len(changed) == 4
    assert {r["task"]["title"] for r in changed if r["task"]["id"] == task_c1.pk} == {"Tên mới"}
    assert _ids(district.get("/api/v1/assignments/", {"ordering": "-updated_at"}))[0] in {
        a.pk, *task_c1.assignments.values_list("pk", flat=True)}


def test_is_overdue(world, client_for, task_c1):
    a_done = assignment_of(task_c1, world.member_v1a)
    services.assignment_complete(assignment=a_done, actor=world.member_v1a, evidence_url="https://x.vn/1")
    Task.objects.filter(pk=task_c1.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    rows = {r["assignee"]: r for r in client_for(world.coord_c1).get("/api/v1/assignments/").json()["results"]}
    assert rows[world.member_v1a.pk]["is_overdue"] is False  # done in time or not, it is done
    assert rows[world.member_v1a_2.pk]["is_overdue"] is True
    task = client_for(world.coord_c1).get(f"/api/v1/tasks/{task_c1.pk}/").json()
    assert task["is_overdue"] is True and task["progress"]["overdue"] == 2


def test_campaign_filters(world, district, campaign_c1, campaign_c2):
    tet = CampaignFactory(name="Tết an toàn", team=world.v1a)
    assert set(_ids(district.get("/api/v1/campaigns/", {"within": world.c1.pk}))) == {campaign_c1.pk, tet.pk}
    assert _ids(district.get("/api/v1/campaigns/", {"team": world.c2.pk})) == [campaign_c2.pk]
    assert _ids(district.get("/api/v1/campaigns/", {"search": "tet an"})) == [tet.pk]
    cutoff = timezone.now()
    from tasks.models import Campaign

    Campaign.objects.update(updated_at=cutoff - timedelta(minutes=1))
    services.campaign_update(campaign=campaign_c2, actor=world.coord_c2, name="Mới")
    assert _ids(district.get("/api/v1/campaigns/", {"updated_since": cutoff.isoformat()})) == [campaign_c2.pk]
