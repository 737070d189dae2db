"""The rollups (reports.rollup_sql: triggers on PostgreSQL and SQLite alike) equal the
live counts after every kind of write, and `rebuild_rollups` gives the same rows."""
from collections import Counter
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import ProtectedError

from reports.models import DailyTally, MemberPeriod, MemberTally, TeamDay
from tasks import services
from tasks.models import Assignment, AssignmentEvent
from teams.choices import Role
from teams.models import Membership
from tests.tasks.conftest import make_task

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _day(value):
    return value.astimezone(VN).date()


def _week(value):
    day = _day(value)
    return day - timedelta(days=day.weekday())


def live():
    """Every rollup recomputed in Python from the assignments and memberships."""
    daily, team_day, member, period = Counter(), Counter(), Counter(), Counter()
    holders = set(Membership.objects.filter(role=Role.MEMBER, member__is_active=True)
                  .values_list("member_id", "team_id"))
    presence = set()
    for a in Assignment.objects.all():
        daily[(a.team_id, a.task_id, _day(a.created_at), a.status)] += 1
        team_day[(a.team_id, _day(a.created_at), "created")] += 1
        if a.completed_at:
            team_day[(a.team_id, _day(a.completed_at), "handed_in")] += 1
            period[(a.assignee_id, a.team_id, "week", _week(a.completed_at))] += 1
            period[(a.assignee_id, a.team_id, "month", _day(a.completed_at).replace(day=1))] += 1
        if a.status == "verified" and a.reviewed_at:
            team_day[(a.team_id, _day(a.reviewed_at), "verified")] += 1
        if a.status in ("completed", "verified"):
            member[(a.assignee_id, a.team_id, a.status)] += 1
        if (a.assignee_id, a.team_id) not in holders:
            presence.add((a.assignee_id, a.team_id))
    return {"daily": +daily, "team_day": +team_day, "member": +member, "period": +period, "presence": presence}


def rolled():
    team_day = Counter()
    for row in TeamDay.objects.all():
        for name in ("created", "handed_in", "verified"):
            team_day[(row.team_id, row.day, name)] += getattr(row, name)
    member = Counter()
    for row in MemberTally.objects.all():
        member[(row.member_id, row.team_id, "completed")] += row.completed
        member[(row.member_id, row.team_id, "verified")] += row.verified
    return {
        "daily": +Counter({(r.team_id, r.task_id, r.day, r.status): r.n for r in DailyTally.objects.all()}),
        "team_day": +team_day,
        "member": +member,
        "period": +Counter({(r.member_id, r.team_id, r.period, r.starts_on): r.handed_in
                            for r in MemberPeriod.objects.all()}),
        "presence": set(MemberTally.objects.values_list("member_id", "team_id")),
    }


def assert_in_step():
    expected, actual = live(), rolled()
    for name in ("daily", "team_day", "member", "period"):
        assert actual[name] == expected[name], name
    # A presence row may outlive the reason it was written (a role regained): never one missing.
    assert expected["presence"] <= actual["presence"]


def test_rollups_follow_every_kind_of_write(world):
    w = world
    assert_in_step()
    task = make_task(w.district, w.coord_district)
    services.task_assign(task=task, actor=w.coord_district, teams=[w.district])  # INSERT ... SELECT fan-out
    assert_in_step()
    services.task_assign(task=task, actor=w.coord_district, members=[w.coord_c1])  # direct, no member role
    assert_in_step()
    assert (w.coord_c1.pk, w.c1.pk) in rolled()["presence"]
    a = Assignment.objects.get(task=task, assignee=w.member_v1a)
    services.assignment_start(assignment=a, actor=w.member_v1a)
    services.assignment_complete(assignment=a, actor=w.member_v1a, evidence_url="https://x.vn/1")
    assert_in_step()
    services.assignment_reject(assignment=a, actor=w.coord_district, reason="Thiếu ảnh")
    services.assignment_complete(assignment=a, actor=w.member_v1a, evidence_url="https://x.vn/2")
    services.assignment_verify(assignment=a, actor=w.coord_district)
    assert_in_step()
    b = Assignment.objects.get(task=task, assignee=w.member_v1b)
    services.assignment_decline(assignment=b, actor=w.member_v1b, reason="Bận")
    c = Assignment.objects.get(task=task, assignee=w.member_v2a)
    services.assignment_complete(assignment=c, actor=w.member_v2a, evidence_url="https://x.vn/3")
    assert_in_step()
    services.task_cancel(task=task, actor=w.coord_district)  # QuerySet.update of many rows
    assert_in_step()
    # A merge moves work to another team (one UPDATE of many rows), the people with it.
    Assignment.objects.filter(team=w.v1b).update(team=w.v1a)
    Membership.objects.filter(team=w.v1b).update(team=w.v1a)
    assert_in_step()
    # Someone who loses the role keeps their line where they have work.
    Membership.objects.filter(member=w.member_v2a).delete()
    w.member_v1a_2.is_active = False
    w.member_v1a_2.save()
    assert_in_step()
    assert {(w.member_v2a.pk, w.v2a.pk), (w.member_v1a_2.pk, w.v1a.pk)} <= rolled()["presence"]


@pytest.mark.postgres
def test_bulk_moves_after_single_writes_are_planned_for_their_own_rows(world):
    """PL/pgSQL keeps a static statement's plan for the session, made for the first call's
    transition tables: the statements that join them (presence, lost role) must be
    planned per call (EXECUTE), or a merge after one `complete` on the same connection
    joins 100,000 rows to 100,000 in a nested loop (bench/merge.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname IN ("
                       "'reports_rollup_insert', 'reports_rollup_update', 'reports_rollup_membership_lost', "
                       "'reports_rollup_membership_changed', 'reports_rollup_member_lost')")
        sources = dict(cursor.fetchall())
    assert len(sources) == 5
    for name, source in sources.items():
        joins = source.count("DISTINCT")  # each presence / lost-role statement selects DISTINCT people
        assert joins and source.count("EXECUTE $sql$") == joins, name
    w = world
    task = make_task(w.district, w.coord_district)
    services.task_assign(task=task, actor=w.coord_district, teams=[w.district])
    a = Assignment.objects.get(task=task, assignee=w.member_v1a)
    services.assignment_complete(assignment=a, actor=w.member_v1a, evidence_url="https://x.vn/1")  # one row
    Membership.objects.filter(member=w.member_v1a, team=w.v1a).update(role=Role.MEMBER)  # one row, no change
    Assignment.objects.filter(team__in=[w.v1b, w.v2a]).update(team=w.v1a)  # then many
    Membership.objects.filter(team__in=[w.v1b, w.v2a]).update(team=w.v1a)
    assert_in_step()


def test_refused_and_rolled_back_writes_leave_the_rollups_as_they_were(world):
    w = world
    task = make_task(w.c1, w.coord_c1)
    services.task_assign(task=task, actor=w.coord_c1, teams=[w.c1])
    # a fresh assignment's row stands for its "assigned" step: the work handed in is its timeline
    started = Assignment.objects.get(task=task, assignee=w.member_v1a_2)
    services.assignment_complete(assignment=started, actor=w.member_v1a_2, evidence_url="https://x.vn/0")
    before = rolled()
    with pytest.raises(ProtectedError):  # assignments with a timeline cannot be deleted
        with transaction.atomic():
            Assignment.objects.filter(task=task).delete()
    assert rolled() == before
    with transaction.atomic():
        a = Assignment.objects.get(task=task, assignee=w.member_v1a)
        services.assignment_complete(assignment=a, actor=w.member_v1a, evidence_url="https://x.vn/1")
        services.task_assign(task=make_task(w.c1, w.coord_c1), actor=w.coord_c1, teams=[w.c1])
        transaction.set_rollback(True)
    assert rolled() == before
    assert_in_step()


def test_deleting_assignments_takes_them_out(world):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    a = Assignment.objects.get(task=task, assignee=world.member_v1a)
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    AssignmentEvent.objects.filter(assignment__task=task).delete()
    Assignment.objects.filter(task=task).delete()
    assert_in_step()
    assert not TeamDay.objects.exclude(created=0, handed_in=0, verified=0).exists()


def test_rebuild_gives_the_same_rollups(world):
    task = make_task(world.district, world.coord_district)
    services.task_assign(task=task, actor=world.coord_district, teams=[world.district])
    a = Assignment.objects.get(task=task, assignee=world.member_v1a)
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    kept = rolled()
    DailyTally.objects.all().delete()
    TeamDay.objects.update(created=99)
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "reports_dailytally" in out.getvalue()
    assert rolled() == kept
    assert_in_step()


def test_the_board_from_the_rollups_is_the_live_board(work):
    from reports import selectors

    for team in (work.world.district, work.world.c1, work.world.v1a, work.world.province):
        flt = selectors.StatsFilter(path=team.path)
        rolled_board = list(selectors.board(flt))
        live_board = list(selectors.member_board(flt))
        selectors.add_medians(rolled_board, flt)
        selectors.add_medians(live_board, flt)
        assert selectors.member_board_rows(rolled_board) == selectors.member_board_rows(live_board)
        assert selectors.board(flt).count() == selectors.member_board(flt).count()
        page = selectors.board(flt)[1:3]
        assert [m.pk for m in page] == [m.pk for m in live_board[1:3]]
