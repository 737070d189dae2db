"""Two requests racing for the same step: exactly one wins (real threads, real row locks)."""
import threading

import pytest
from django.db import connection

from api.exceptions import Conflict
from tasks import services
from tasks.models import Assignment, AssignmentEvent

from .conftest import assignment_of, make_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Run the calls at the same moment, each on its own connection; return what each did."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            call()
            outcomes[i] = "ok"
        except Conflict:
            outcomes[i] = "conflict"
        except Exception as exc:  # reported in the assertion message
            outcomes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.fixture
def task(world):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    return task


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_verify_one_wins(world, task, round_):
    a = assignment_of(task, world.member_v1a)
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    outcomes = _race(
        lambda: services.assignment_verify(assignment=Assignment.objects.get(pk=a.pk), actor=world.coord_c1),
        lambda: services.assignment_verify(assignment=Assignment.objects.get(pk=a.pk), actor=world.coord_district),
    )
    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert AssignmentEvent.objects.filter(assignment=a, kind="verified").count() == 1


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_complete_one_wins(world, task, round_):
    a = assignment_of(task, world.member_v1a)

    def complete(url):
        return lambda: services.assignment_complete(
            assignment=Assignment.objects.get(pk=a.pk), actor=world.member_v1a, evidence_url=url)

    outcomes = _race(complete("https://x.vn/first"), complete("https://x.vn/second"))
    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert AssignmentEvent.objects.filter(assignment=a, kind="completed").count() == 1


def test_verify_racing_reject_one_wins(world, task):
    a = assignment_of(task, world.member_v1a)
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    outcomes = _race(
        lambda: services.assignment_verify(assignment=Assignment.objects.get(pk=a.pk), actor=world.coord_c1),
        lambda: services.assignment_reject(assignment=Assignment.objects.get(pk=a.pk), actor=world.coord_v1a,
                                           reason="Sai"),
    )
    assert sorted(outcomes) == ["conflict", "ok"], outcomes
    assert AssignmentEvent.objects.filter(assignment=a).exclude(kind__in=["assigned", "completed"]).count() == 1


def test_concurrent_assign_creates_each_assignment_once(world):
    task = make_task(world.c1, world.coord_c1)
    outcomes = _race(
        lambda: services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1]),
        lambda: services.task_assign(task=task, actor=world.coord_district, teams=[world.c1]),
    )
    assert outcomes == ["ok", "ok"]
    assert Assignment.objects.filter(task=task).count() == 3
    # One of the two made them all: each row (its own "assigned" step) names the same one.
    assert Assignment.objects.filter(task=task).values("assigned_by").distinct().count() == 1
