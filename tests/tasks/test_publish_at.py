"""`publish_at` (issue 11, point 4): a task invisible to its assignees and silent until
then, announced once at that time (the beat, through the outbox); coordinators and
observers see it all along, with a read-only `is_published`."""
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification
from tasks import services
from tasks.models import Task
from tasks.tasks import publish_due_tasks
from tests.tasks.conftest import assignment_of, make_task


def _later(task, minutes=1):
    return task.publish_at + timedelta(minutes=minutes)


@pytest.fixture
def scheduled(world):
    """A commune task published in 3 hours, fanned out to the commune now."""
    now = timezone.now()
    task = make_task(world.c1, world.coord_c1, publish_at=now + timedelta(hours=3), due_at=now + timedelta(days=2))
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


def _assigned_news(member):
    return Notification.objects.filter(recipient=member, kind="assigned").count()


# Seeing ------------------------------------------------------------------------

def test_assignees_do_not_see_it_before_publish_at(world, client_for, scheduled):
    member = client_for(world.member_v1a)
    mine = assignment_of(scheduled, world.member_v1a)
    assert member.get(f"/api/v1/tasks/{scheduled.pk}/").status_code == 404
    assert member.get(f"/api/v1/assignments/{mine.pk}/").status_code == 404
    assert member.get(f"/api/v1/assignments/{mine.pk}/events/").status_code == 404
    assert member.get("/api/v1/tasks/").json()["results"] == []
    assert member.get("/api/v1/assignments/", {"mine": "true"}).json()["results"] == []
    # and cannot act on it
    response = member.post(f"/api/v1/assignments/{mine.pk}/complete/", {"evidence_url": "https://x.vn/1"},
                           format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["coord_c1", "coord_district", "observer_district", "superuser"])
def test_coordinators_and_observers_see_it_all_along(world, client_for, scheduled, who):
    client = client_for(getattr(world, who))
    body = client.get(f"/api/v1/tasks/{scheduled.pk}/").json()
    assert (body["status"], body["is_published"]) == ("open", False)
    assert body["publish_at"] is not None
    ids = {row["task"]["id"] for row in client.get("/api/v1/assignments/", {"task": scheduled.pk}).json()["results"]}
    assert ids == {scheduled.pk}


def test_is_published_is_read_only(world, client_for, scheduled):
    response = client_for(world.coord_c1).patch(f"/api/v1/tasks/{scheduled.pk}/", {"is_published": True},
                                                format="json")
    assert response.status_code == 200 and response.json()["is_published"] is False


def test_from_publish_at_the_assignees_see_it_and_their_delta_brings_it(world, client_for, scheduled):
    member = client_for(world.member_v1a)
    before = member.get("/api/v1/assignments/", {"mine": "true"})
    cursor = before["X-Sync-Cursor"]
    assert before.json()["results"] == []
    with time_machine.travel(_later(scheduled), tick=False):
        publish_due_tasks()
    with time_machine.travel(_later(scheduled, 2), tick=False):
        delta = member.get("/api/v1/assignments/", {"mine": "true", "updated_since": cursor}).json()["results"]
        assert [row["task"]["id"] for row in delta] == [scheduled.pk]
        tasks_delta = member.get("/api/v1/tasks/", {"updated_since": cursor}).json()["results"]
        assert [row["id"] for row in tasks_delta] == [scheduled.pk]
        body = member.get(f"/api/v1/tasks/{scheduled.pk}/").json()
        assert body["is_published"] is True


# Hearing ----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_silent_until_publish_at_then_notified_exactly_once(world, client_for):
    now = timezone.now()
    coord = client_for(world.coord_c1)
    body = {"title": "Đăng bài lúc 19 giờ", "kind": "post", "platform": "facebook", "team": world.c1.pk,
            "publish_at": (now + timedelta(hours=2)).isoformat()}
    created = coord.post("/api/v1/tasks/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["is_published"] is False
    task = Task.objects.get(pk=created.json()["id"])
    assert coord.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]},
                      format="json").status_code == 200
    assert _assigned_news(world.member_v1a) == 0 and _assigned_news(world.member_v1b) == 0
    # A reminder run before publication stays silent too.
    from notifications.services import send_deadline_reminders

    send_deadline_reminders()
    assert Notification.objects.filter(recipient=world.member_v1a).count() == 0
    # The beat before the time announces nothing.
    assert publish_due_tasks() == 0
    with time_machine.travel(_later(task), tick=False):
        assert publish_due_tasks() == 1
        assert publish_due_tasks() == 0  # a second run, a retried message: nothing again
    assert _assigned_news(world.member_v1a) == 1 and _assigned_news(world.member_v1b) == 1
    assert _assigned_news(world.inactive_v1a) == 0
    # Someone assigned after publication hears of it like any assignment, once.
    with time_machine.travel(_later(task, 5), tick=False):
        services.task_assign(task=task, actor=world.coord_c1, members=[world.coord_v1a])
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    assert _assigned_news(world.coord_v1a) == 1 and _assigned_news(world.member_v1a) == 1


@pytest.mark.django_db(transaction=True)
def test_a_beat_that_was_down_announces_late_once(world):
    now = timezone.now()
    task = make_task(world.c1, world.coord_c1, publish_at=now + timedelta(minutes=10), due_at=now + timedelta(days=1))
    services.task_assign(task=task, actor=world.coord_c1, members=[world.member_v1a])
    with time_machine.travel(now + timedelta(hours=6), tick=False):  # the worker came back hours later
        assert publish_due_tasks() == 1
        assert publish_due_tasks() == 0
    assert _assigned_news(world.member_v1a) == 1


@pytest.mark.django_db(transaction=True)
def test_publishing_at_once_by_clearing_publish_at(world, client_for, scheduled):
    response = client_for(world.coord_c1).patch(f"/api/v1/tasks/{scheduled.pk}/", {"publish_at": None},
                                                format="json")
    assert response.status_code == 200 and response.json()["is_published"] is True
    assert _assigned_news(world.member_v1a) == 1
    assert client_for(world.member_v1a).get(f"/api/v1/tasks/{scheduled.pk}/").status_code == 200
    assert publish_due_tasks() == 0 and _assigned_news(world.member_v1a) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_cancelled_before_publication_is_never_heard_of(world, scheduled):
    services.task_cancel(task=scheduled, actor=world.coord_c1)
    with time_machine.travel(_later(scheduled), tick=False):
        assert publish_due_tasks() == 0
    assert Notification.objects.filter(recipient=world.member_v1a).count() == 0


# Rules --------------------------------------------------------------------------

@pytest.mark.parametrize("offset,due,field", [
    (timedelta(hours=-1), None, "publish_at"),               # in the past
    (timedelta(days=3), timedelta(days=2), "publish_at"),    # after the due date
])
def test_publish_at_lies_ahead_and_before_the_due_date(world, client_for, offset, due, field):
    now = timezone.now()
    body = {"title": "Việc", "kind": "share", "platform": "zalo", "team": world.c1.pk,
            "publish_at": (now + offset).isoformat()}
    if due:
        body["due_at"] = (now + due).isoformat()
    response = client_for(world.coord_c1).post("/api/v1/tasks/", body, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {field}


def test_calendar_edge_publish_at_is_a_400(world, client_for):
    body = {"title": "Việc", "kind": "share", "platform": "zalo", "team": world.c1.pk,
            "publish_at": "9999-12-31T23:59:59-12:00"}
    assert client_for(world.coord_c1).post("/api/v1/tasks/", body, format="json").status_code == 400


def test_publish_at_changes_only_before_publication(world, client_for, scheduled):
    coord = client_for(world.coord_c1)
    later = (scheduled.publish_at + timedelta(hours=1)).isoformat()
    assert coord.patch(f"/api/v1/tasks/{scheduled.pk}/", {"publish_at": later}, format="json").status_code == 200
    published = make_task(world.c1, world.coord_c1, title="Đã đăng")
    response = coord.patch(f"/api/v1/tasks/{published.pk}/", {"publish_at": later}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "publish_at" in response.json()["errors"]


def test_members_cannot_set_publish_at(world, client_for, scheduled):
    response = client_for(world.member_v1a).patch(f"/api/v1/tasks/{scheduled.pk}/", {"publish_at": None},
                                                  format="json")
    # A member's role never changes tasks (403 before the object is looked up), and nothing moved.
    assert response.status_code == 403
    assert Task.objects.get(pk=scheduled.pk).publish_at == scheduled.publish_at
