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


def _race(world, task, *, until_assigned=False) -> dict[str, str]:
    """Merge c2 into c1 in one thread, held open after everything moved (before the check
    for rows left behind and the commit), while another thread fans `task` out to the
    district; returns how each ended ("ok" or the error). The merge is held 1 s, or, with
    `until_assigned`, until the fan-out has committed (only possible when nothing makes
    the fan-out wait for the merge)."""
    merging, assigned = threading.Event(), threading.Event()

    def hold_the_merge_open(**kwargs):
        merging.set()
        if until_assigned:
            assert assigned.wait(20)
        else:
            time.sleep(1.0)

    def assign():
        try:
            task_services.task_assign(task=task, actor=world.coord_district, teams=[world.district])
        finally:
            assigned.set()

    hooks.teams_merged.connect(hold_the_merge_open)
    outcomes = {}
    try:
        merge = threading.Thread(target=_run, args=(
            lambda: services.team_merge(team=Team.objects.get(pk=world.c2.pk), into=Team.objects.get(pk=world.c1.pk),
                                        actor=world.coord_district), outcomes, "merge"))
        merge.start()
        assert merging.wait(10)
        fan_out = threading.Thread(target=_run, args=(assign, outcomes, "assign"))
        fan_out.start()
        merge.join(30)
        fan_out.join(30)
    finally:
        hooks.teams_merged.disconnect(hold_the_merge_open)
    return outcomes


def test_a_merge_racing_a_fan_out_loses_nothing(world):
    people = [MemberFactory(full_name=f"Người Nam Dong {i}") for i in range(5)]
    for person in people:
        MembershipFactory(member=person, team=world.c2, role=Role.MEMBER)
    task = make_task(world.district, world.coord_district)

    outcomes = _race(world, task)

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


def test_without_the_lock_the_fan_out_lands_on_the_emptied_team(world):
    """The test above can fail: with the merge's lock taken away, the fan-out reads the
    memberships as they were and assigns through the team being emptied (this proves the
    lock is what keeps the work). Only the merge's last check (no row left on the merged
    team) stops it: the merge fails whole, and the work stays where it landed."""
    person = MemberFactory(full_name="Người Nam Dong")
    MembershipFactory(member=person, team=world.c2, role=Role.MEMBER)
    task = make_task(world.district, world.coord_district)

    hooks.teams_merging.disconnect(task_services.tasks_lock_for_merge)
    try:
        outcomes = _race(world, task, until_assigned=True)
    finally:
        hooks.teams_merging.connect(task_services.tasks_lock_for_merge)

    assert outcomes["assign"] == "ok", outcomes
    assert outcomes["merge"].startswith("RuntimeError('team_merge left rows on team") and \
        "tasks.Assignment.team" in outcomes["merge"], outcomes
    assert Assignment.objects.get(task=task, assignee=person).team_id == world.c2.pk  # on the merged team
    assert Team.objects.get(pk=world.c2.pk).is_active  # the merge was rolled back whole
