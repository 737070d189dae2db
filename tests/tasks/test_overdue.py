"""One overdue rule (tasks/overdue.py): the seven places that show it agree, for an open
task past its deadline (overdue) and for a closed one (never overdue: closing ends the work)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import send_overdue_digests
from reports.selectors import StatsFilter, status_aggregates, tally_counts
from tasks import services
from tasks.models import Assignment, Task
from tests.reports.test_stats import read_csv

from .conftest import assignment_of, make_task


def _seven(world, client_for, task, now):
    coordinator = client_for(world.coord_c1)
    shown = coordinator.get(f"/api/v1/tasks/{task.pk}/").json()
    rows = coordinator.get("/api/v1/assignments/", {"task": task.pk}).json()["results"]
    flt = StatsFilter(path=world.c1.path, task_id=task.pk)
    live = Assignment.objects.filter(flt.q()).aggregate(**status_aggregates(now=now))["overdue"]
    tally = tally_counts(flt, now=now)  # None on SQLite: no triggers there
    csv_rows = read_csv(coordinator.get(f"/api/v1/teams/{world.c1.pk}/stats/", {"task": task.pk, "format": "csv"}))
    Notification.objects.all().delete()
    digests = {n.recipient_id: n.params["count"] for n in Notification.objects.filter(
        pk__in=send_overdue_digests(now=now))}
    return {
        "task.is_overdue": shown["is_overdue"],
        "task.progress.overdue": shown["progress"]["overdue"],
        "assignment.is_overdue": sorted(r["id"] for r in rows if r["is_overdue"]),
        "stats overdue": live,
        "tally overdue": live if tally is None else tally["overdue"],
        "digest": digests.get(world.coord_c1.pk, 0),
        "csv overdue": int(csv_rows[0]["assignments.overdue"]),
    }


@pytest.mark.parametrize("status", ["open", "closed"])
def test_the_seven_readers_of_overdue_agree(world, client_for, status):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    done = assignment_of(task, world.member_v1a)
    services.assignment_complete(assignment=done, actor=world.member_v1a, evidence_url="https://x.vn/1")
    still_open = assignment_of(task, world.member_v1a_2)  # assigned, never started
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1), status=status)

    seen = _seven(world, client_for, task, timezone.now())

    if status == "open":
        assert seen == {"task.is_overdue": True, "task.progress.overdue": 1,
                        "assignment.is_overdue": [still_open.pk], "stats overdue": 1, "tally overdue": 1,
                        "digest": 1, "csv overdue": 1}
    else:  # a closed task's open work is not overdue anywhere
        assert seen == {"task.is_overdue": False, "task.progress.overdue": 0, "assignment.is_overdue": [],
                        "stats overdue": 0, "tally overdue": 0, "digest": 0, "csv overdue": 0}


def test_a_cancelled_task_is_overdue_nowhere(world, client_for):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    services.task_cancel(task=task, actor=world.coord_c1)
    Task.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert _seven(world, client_for, task, timezone.now()) == {
        "task.is_overdue": False, "task.progress.overdue": 0, "assignment.is_overdue": [],
        "stats overdue": 0, "tally overdue": 0, "digest": 0, "csv overdue": 0}
