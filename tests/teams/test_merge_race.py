"""A merge racing a fan-out loses nothing (PostgreSQL: real threads, real row locks).

The merge is held open in the middle (after the memberships moved, before commit) while
a fan-out of a district task starts. Without the lock both take (the open tasks that can
reach the merged team, tasks.services.merge.tasks_lock_for_merge) the fan-out would read
the memberships as they were and assign the merged commune's people through the team
that is being emptied; with it, the fan-out waits and assigns them through `into`.
"""
import threading
import time

import pytest
from django.db import connection
from django.db.models import Count

from api import hooks
from reports.models import AssignmentTally
from tasks import services as task_services
from tasks.models import Assignment
from teams import services
from teams.choices import Role
from teams.models import Team
from tests.factories import MemberFactory, MembershipFactory
from tests.tasks.conftest import make_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(call, outcomes, key):
    try:
        call()
        outcomes[key] = "ok"
    except Exception as exc:  # reported in the assertion message
        outcomes[key] = repr(exc)
    finally:
        connection.close()


def test_a_merge_racing_a_fan_out_loses_nothing(world):
    people = [MemberFactory(full_name=f"Người Nam Dong {i}") for i in range(5)]
    for person in people:
        MembershipFactory(member=person, team=world.c2, role=Role.MEMBER)
    task = make_task(world.district, world.coord_district)
    merging = threading.Event()

    def hold_the_merge_open(**kwargs):
        merging.set()
        time.sleep(1.0)

    hooks.teams_merged.connect(hold_the_merge_open)
    outcomes = {}
    try:
        merge = threading.Thread(target=_run, args=(
            lambda: services.team_merge(team=Team.objects.get(pk=world.c2.pk), into=Team.objects.get(pk=world.c1.pk),
                                        actor=world.coord_district), outcomes, "merge"))
        merge.start()
        assert merging.wait(10)
        assign = threading.Thread(target=_run, args=(
            lambda: task_services.task_assign(task=task, actor=world.coord_district, teams=[world.district]),
            outcomes, "assign"))
        assign.start()
        merge.join(30)
        assign.join(30)
    finally:
        hooks.teams_merged.disconnect(hold_the_merge_open)

    assert outcomes == {"merge": "ok", "assign": "ok"}, outcomes
    rows = dict(Assignment.objects.filter(task=task).values_list("assignee_id", "team_id"))
    expected = {world.member_v1a.pk, world.member_v1a_2.pk, world.member_v1b.pk, world.member_v2a.pk,
                *(p.pk for p in people)}
    assert set(rows) == expected
    assert not Assignment.objects.filter(team=world.c2).exists()
    assert {rows[p.pk] for p in people} == {world.c1.pk}
    live = {(r["team_id"], r["task_id"], r["status"]): r["n"] for r in
            Assignment.objects.values("team_id", "task_id", "status").annotate(n=Count("id")).order_by()}
    assert {(t.team_id, t.task_id, t.status): t.n for t in AssignmentTally.objects.exclude(n=0)} == live


def test_without_the_lock_the_same_race_would_lose_work(world):
    """The test above can fail: with the merge's lock taken away, the fan-out assigns through
    the emptied team (this proves the lock is what keeps the work)."""
    from tasks.services import tasks_lock_for_merge

    person = MemberFactory(full_name="Người Nam Dong")
    MembershipFactory(member=person, team=world.c2, role=Role.MEMBER)
    task = make_task(world.district, world.coord_district)
    merging = threading.Event()

    def hold_the_merge_open(**kwargs):
        merging.set()
        time.sleep(1.0)

    hooks.teams_merging.disconnect(tasks_lock_for_merge)
    hooks.teams_merged.connect(hold_the_merge_open)
    outcomes = {}
    try:
        merge = threading.Thread(target=_run, args=(
            lambda: services.team_merge(team=Team.objects.get(pk=world.c2.pk), into=Team.objects.get(pk=world.c1.pk),
                                        actor=world.coord_district), outcomes, "merge"))
        merge.start()
        assert merging.wait(10)
        assign = threading.Thread(target=_run, args=(
            lambda: task_services.task_assign(task=task, actor=world.coord_district, teams=[world.district]),
            outcomes, "assign"))
        assign.start()
        merge.join(30)
        assign.join(30)
    finally:
        hooks.teams_merged.disconnect(hold_the_merge_open)
        hooks.teams_merging.connect(tasks_lock_for_merge)
    assert outcomes == {"merge": "ok", "assign": "ok"}, outcomes
    assert Assignment.objects.get(task=task, assignee=person).team_id == world.c2.pk  # lost on the merged team
