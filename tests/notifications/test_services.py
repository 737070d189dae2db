"""Each notification trigger, reminder timing (with a pinned clock) and the daily digest."""
from datetime import timedelta, timezone

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from api.models import OutboxMessage
from notifications import services
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.factories import AssignmentFactory, MembershipFactory, TaskFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db


def kinds_of(member):
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def test_notify_assigned_writes_one_row_per_assignee_in_batched_queries(
        world, device_for, pushes, django_capture_on_commit_callbacks):
    task = TaskFactory(team=world.v1a, title="Chia sẻ bài cảnh báo")
    assignments = [AssignmentFactory(task=task, assignee=m, team=world.v1a)
                   for m in (world.member_v1a, world.member_v1a_2)]
    device_for(world.member_v1a)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        ids = services.notify_assigned(assignment_ids=[a.pk for a in assignments])
    assert len(ids) == 2
    # load assignments, one bulk insert; the push (eager) is its own handful, not per row
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT") and "notifications_notification\"" in q["sql"]]
    assert len(inserts) == 1
    assert kinds_of(world.member_v1a) == ["assigned"]
    n = Notification.objects.get(recipient=world.member_v1a)
    assert n.task_id == task.pk and n.assignment_id == assignments[0].pk
    assert n.params["task"] == "Chia sẻ bài cảnh báo"
    delivered = pushes()
    assert [(d.notification_id, d.outcome) for d in delivered] == [(n.pk, "sent")]
    assert delivered[0].body == "Bạn có nhiệm vụ mới: Chia sẻ bài cảnh báo"


def test_push_waits_for_commit_and_a_rollback_sends_nothing(
        world, device_for, pushes, django_capture_on_commit_callbacks):
    device_for(world.member_v1a)
    assignment = AssignmentFactory(task=TaskFactory(team=world.v1a), assignee=world.member_v1a, team=world.v1a)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort):
            with transaction.atomic():
                services.notify_assigned(assignment_ids=[assignment.pk])
                assert Notification.objects.count() == 1
                assert pushes() == []  # not before the commit
                raise Abort
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert pushes() == []


def test_notify_rejected_carries_the_reviewers_reason(world):
    assignment = AssignmentFactory(task=TaskFactory(team=world.v1a, title="Bình luận"),
                                   assignee=world.member_v1a, team=world.v1a, status="rejected",
                                   review_note="Ảnh chụp không rõ")
    services.notify_rejected(assignment=assignment)
    n = Notification.objects.get(recipient=world.member_v1a)
    assert n.kind == "rejected" and n.params["reason"] == "Ảnh chụp không rõ"


def test_notify_task_cancelled_only_reaches_the_given_assignments_of_that_task(world):
    task = TaskFactory(team=world.c1)
    cancelled = AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a, status="cancelled")
    AssignmentFactory(task=task, assignee=world.member_v1b, team=world.v1b, status="completed")
    other = AssignmentFactory(task=TaskFactory(team=world.c1), assignee=world.member_v1a_2, team=world.v1a)
    services.notify_task_cancelled(task=task, assignment_ids=[cancelled.pk, other.pk])
    assert kinds_of(world.member_v1a) == ["task_cancelled"]
    assert kinds_of(world.member_v1b) == [] and kinds_of(world.member_v1a_2) == []


def _due(world, hours, status="assigned", task_status="open", member=None):
    task = TaskFactory(team=world.v1a, due_at=NOW + timedelta(hours=hours), status=task_status)
    return AssignmentFactory(task=task, assignee=member or world.member_v1a, team=world.v1a, status=status)


def test_deadline_reminders_pick_the_window_by_time_left(world):
    in_23h = _due(world, 23)
    in_90min = _due(world, 1.5)
    _due(world, 25)              # too far
    _due(world, -1)              # already past: the digest's business
    _due(world, 5, status="completed")
    _due(world, 5, status="declined")
    _due(world, 5, task_status="cancelled")
    in_progress = _due(world, 3, status="in_progress")
    rejected = _due(world, 1, status="rejected")
    _due(world, 1, member=world.inactive_v1a)  # deactivated people are not reminded

    created = services.send_deadline_reminders(now=NOW)

    assert created == {"deadline_2h": 2, "deadline_24h": 2}
    got = {(n.assignment_id, n.kind) for n in Notification.objects.all()}
    assert got == {(in_23h.pk, "deadline_24h"), (in_progress.pk, "deadline_24h"),
                   (in_90min.pk, "deadline_2h"), (rejected.pk, "deadline_2h")}


def test_reminders_are_sent_once_however_often_the_schedule_runs(world):
    a = _due(world, 20)
    services.send_deadline_reminders(now=NOW)
    # every 15 minutes for a day: 24 h reminder once, then the 2 h one once when it is close
    for step in range(1, 24 * 4):
        services.send_deadline_reminders(now=NOW + timedelta(minutes=15 * step))
    assert sorted(Notification.objects.filter(assignment=a).values_list("kind", flat=True)) == [
        "deadline_24h", "deadline_2h"]
    two_hour = Notification.objects.get(assignment=a, kind="deadline_2h")
    assert NOW + timedelta(hours=18) <= two_hour.created_at <= NOW + timedelta(hours=18, minutes=15)


def test_the_unique_constraint_refuses_a_second_reminder(world):
    a = _due(world, 20)
    services.send_deadline_reminders(now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=world.member_v1a, assignment=a, task=a.task,
                                    kind=NotificationKind.DEADLINE_24H)


def test_scheduled_task_uses_the_clock_when_no_now_is_given(world):
    from notifications.tasks import send_deadline_reminders_task

    _due(world, 10)
    with time_machine.travel(NOW, tick=False):
        assert send_deadline_reminders_task.delay().get() == {"deadline_2h": 0, "deadline_24h": 1}
    with time_machine.travel(NOW + timedelta(hours=8, minutes=30), tick=False):
        assert send_deadline_reminders_task.delay().get() == {"deadline_2h": 1, "deadline_24h": 0}


def test_overdue_digest_counts_each_coordinators_subtree_once_a_day(world):
    _due(world, -3)                                    # v1a, overdue
    _due(world, -1, member=world.member_v1a_2)         # v1a, overdue
    _due(world, -2, status="completed")                # done: not overdue
    _due(world, 3)                                     # not yet due
    task_v2a = TaskFactory(team=world.v2a, due_at=NOW - timedelta(hours=1))
    AssignmentFactory(task=task_v2a, assignee=world.member_v2a, team=world.v2a)
    # a coordinator of the district who also coordinates a village under it counts nothing twice
    MembershipFactory(member=world.coord_district, team=world.v1a, role="coordinator")

    ids = services.send_overdue_digests(now=NOW)

    digests = {n.recipient_id: n.params["count"] for n in Notification.objects.filter(pk__in=ids)}
    assert digests == {
        world.coord_district.pk: 3, world.coord_c1.pk: 2, world.coord_v1a.pk: 2, world.coord_c2.pk: 1,
    }
    assert world.coord_other_district.pk not in digests  # nothing overdue there: no digest
    assert world.observer_district.pk not in digests and world.member_v1a.pk not in digests
    # the same day again, even later: nothing new
    assert services.send_overdue_digests(now=NOW + timedelta(hours=10)) == []
    # the next morning: a fresh digest
    assert len(services.send_overdue_digests(now=NOW + timedelta(days=1))) == 4


def test_digest_day_is_the_vietnamese_day(world):
    _due(world, -30)
    # 06:30 on the 10th in Vietnam is still the 9th (23:30) in UTC
    early_morning = NOW.replace(hour=6, minute=30)
    assert early_morning.astimezone(timezone.utc).day == 9
    services.send_overdue_digests(now=early_morning)
    n = Notification.objects.filter(kind="overdue_digest").first()
    assert str(n.digest_date) == "2026-03-10"


def test_a_large_fan_out_is_written_in_batches(world, django_capture_on_commit_callbacks):
    from tasks.models import Assignment
    from teams.models import Member

    task = TaskFactory(team=world.v1a)
    Member.objects.bulk_create([Member(phone=f"+8490{i:07d}", full_name=f"M {i}") for i in range(2500)])
    members = list(Member.objects.filter(phone__startswith="+8490").values_list("pk", flat=True))
    Assignment.objects.bulk_create([Assignment(task=task, assignee_id=m, team=world.v1a) for m in members])
    ids = list(Assignment.objects.filter(task=task).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=False) as pushes:
        created = services.notify_assigned(assignment_ids=ids)
    assert len(created) == 2500
    inserts = [q for q in ctx.captured_queries
               if q["sql"].startswith("INSERT") and '"notifications_notification"' in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(inserts) == 3  # 1000 rows an INSERT
    else:
        assert len(inserts) <= 30  # SQLite caps the parameters of one statement at 999
    # per chunk of 1000: the keys already written and the ids read back; then 5 outbox rows
    # (a savepoint each) for the pushes, 500 notifications a row
    assert len(ctx.captured_queries) <= len(inserts) + 3 * 2 + 5 * 3 + 5
    assert OutboxMessage.objects.filter(kind="notifications.push").count() == 5
    assert len(pushes) == 5  # each row is handed over once the transaction commits
