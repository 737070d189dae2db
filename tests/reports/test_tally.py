"""The assignment tally (PostgreSQL triggers, reports migration 0003) equals the live
count after every kind of write, and the summary read from it has the same numbers
as the one counted live."""
from django.db import connection
from django.db.models import Count

import pytest

from reports import selectors
from reports.models import AssignmentTally
from tasks import services
from tasks.models import Assignment, AssignmentEvent
from tests.factories import TaskFactory
from tests.tasks.conftest import make_task

pytestmark = pytest.mark.postgres


def _live():
    return {
        (r["team_id"], r["task_id"], r["status"]): r["n"]
        for r in Assignment.objects.values("team_id", "task_id", "status").annotate(n=Count("id")).order_by()
    }


def _tally():
    return {(t.team_id, t.task_id, t.status): t.n for t in AssignmentTally.objects.exclude(n=0)}


def _summary_live(flt):
    counts = Assignment.objects.filter(flt.q()).aggregate(**selectors.status_aggregates())
    return selectors.summarize(counts)


def test_the_tally_follows_every_kind_of_write(world):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])  # INSERT ... SELECT
    assert _tally() == _live() and sum(_live().values()) == 3
    a = Assignment.objects.get(task=task, assignee=world.member_v1a)
    services.assignment_start(assignment=a, actor=world.member_v1a)  # save()
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    assert _tally() == _live()
    services.task_cancel(task=task, actor=world.coord_c1)  # QuerySet.update of many rows
    assert _tally() == _live()
    Assignment.objects.filter(task=task, status="cancelled").update(team=world.v1b)  # a team change moves counts
    assert _tally() == _live()
    AssignmentEvent.objects.filter(assignment__task=task).delete()
    Assignment.objects.filter(task=task).delete()
    assert _tally() == {} == _live()


def test_a_rolled_back_write_leaves_the_tally_as_it_was(world):
    from django.db import transaction

    task = make_task(world.c1, world.coord_c1)
    before = _tally()
    with transaction.atomic():
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
        transaction.set_rollback(True)
    assert _tally() == before == _live()


def test_summary_from_the_tally_equals_the_live_count(work):
    w = work.world
    assert connection.vendor == "postgresql"
    for path in (w.province.path, w.district.path, w.c1.path, w.v1a.path, w.other_district.path):
        for flt in (
            selectors.StatsFilter(path=path),
            selectors.StatsFilter(path=path, task_id=work.past.pk),
            selectors.StatsFilter(path=path, campaign_id=work.camp.pk),
            selectors.StatsFilter(path=path, task_id=TaskFactory(team=w.district, created_by=w.coord_district).pk),
        ):
            counts = selectors.tally_counts(flt)
            assert counts is not None
            assert selectors.summarize(counts) == _summary_live(flt)
    district = selectors.subtree_stats(selectors.StatsFilter(path=w.district.path))
    assert district["assignments"]["total"] == 11 and district["assignments"]["overdue"] == 3
    assert district["members_active"] == 4


def test_a_day_range_is_counted_live(work):
    from datetime import date

    assert selectors.tally_counts(selectors.StatsFilter(path="/", since=date(2025, 3, 10))) is None
