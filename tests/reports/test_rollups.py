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
from django.utils import timezone

from reports import rollup_sql
from reports.models import DailyTally, MemberPeriod, MemberTally, SubtreeMember, SubtreePeriod, TeamDay
from tasks import services
from tasks.models import Assignment, AssignmentEvent
from teams.choices import Role
from teams import services as team_services
from teams.models import Member, Membership, Team
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


def live_subtree():
    """reports_subtreemember recomputed: for every team on the path of a person's work and
    roles, their completed and verified work below it (from the assignments), active
    member roles and first role there (from the memberships), reports_membertally rows."""
    paths = dict(Team.objects.values_list("id", "path"))

    def teams_on(team_id):
        return [int(x) for x in paths[team_id].strip("/").split("/")]

    rows = {}

    def row(team_id, member_id):
        return rows.setdefault((team_id, member_id), {"completed": 0, "verified": 0, "roles": 0, "tallies": 0,
                                                       "first_role_at": None})

    for a in Assignment.objects.filter(status__in=("completed", "verified")):
        for team_id in teams_on(a.team_id):
            row(team_id, a.assignee_id)[a.status] += 1
    for mt in MemberTally.objects.all():
        for team_id in teams_on(mt.team_id):
            row(team_id, mt.member_id)["tallies"] += 1
    for ms in Membership.objects.filter(role=Role.MEMBER, member__is_active=True):
        for team_id in teams_on(ms.team_id):
            r = row(team_id, ms.member_id)
            r["roles"] += 1
            r["first_role_at"] = min(filter(None, [r["first_role_at"], ms.created_at]))
    return rows


def live_subtree_periods():
    """reports_subtreeperiod recomputed: work handed in per person, week and month, on every
    team on the path of the work's team (from the assignments)."""
    paths = dict(Team.objects.values_list("id", "path"))
    periods = Counter()
    for (member_id, team_id, period, starts_on), n in live()["period"].items():
        for team in paths[team_id].strip("/").split("/"):
            periods[(int(team), member_id, period, starts_on)] += n
    return +periods


def rolled_subtree():
    return {(r.team_id, r.member_id): {"completed": r.completed, "verified": r.verified, "roles": r.roles,
                                      "tallies": r.tallies, "first_role_at": r.first_role_at}
            for r in SubtreeMember.objects.all() if (r.completed, r.verified, r.roles, r.tallies) != (0, 0, 0, 0)}


def assert_in_step():
    expected, actual = live(), rolled()
    for name in ("daily", "team_day", "member", "period"):
        assert actual[name] == expected[name], name
    assert rolled_subtree() == live_subtree()
    assert {(r.team_id, r.member_id, r.period, r.starts_on): r.handed_in
            for r in SubtreePeriod.objects.exclude(handed_in=0)} == live_subtree_periods()
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
    joins 100,000 rows to 100,000 in a nested loop (bench/merge.py). Since version 5 each
    also runs static, but only for a statement of at most SMALL rows (its cached plan is
    only ever used for a few rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname IN ("
                       "'reports_rollup_insert', 'reports_rollup_update', 'reports_rollup_membership_lost', "
                       "'reports_rollup_membership_changed', 'reports_rollup_member_lost')")
        sources = dict(cursor.fetchall())
    assert len(sources) == 5
    for name, source in sources.items():
        joins = source.count("DISTINCT")  # each presence / lost-role statement selects DISTINCT people
        # ... twice: static under the guard, and planned per call for more rows
        assert joins and source.count("EXECUTE $sql$") * 2 == joins, name
        assert source.count(f"IF seen <= {rollup_sql.SMALL} THEN") == joins // 2, name
    w = world
    task = make_task(w.district, w.coord_district)
    services.task_assign(task=task, actor=w.coord_district, teams=[w.district])
    a = Assignment.objects.get(task=task, assignee=w.member_v1a)
    services.assignment_complete(assignment=a, actor=w.member_v1a, evidence_url="https://x.vn/1")  # one row
    Membership.objects.filter(member=w.member_v1a, team=w.v1a).update(role=Role.MEMBER)  # one row, no change
    Assignment.objects.filter(team__in=[w.v1b, w.v2a]).update(team=w.v1a)  # then many
    Membership.objects.filter(team__in=[w.v1b, w.v2a]).update(team=w.v1a)
    assert_in_step()


@pytest.mark.postgres
def test_statements_on_either_side_of_the_few_rows_guard_keep_the_rollups(world):
    """Version 5 runs a trigger's statements static for at most SMALL rows and planned per call
    above: the same counts either way, an empty statement included (an upsert's other trigger)."""
    w = world
    ids = []
    while len(ids) < 2 * rollup_sql.SMALL + 1:
        task = make_task(w.district, w.coord_district)
        services.task_assign(task=task, actor=w.coord_district, teams=[w.district])
        ids += list(Assignment.objects.filter(task=task).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    for batch in (ids[:1], ids[1:rollup_sql.SMALL + 1], ids[rollup_sql.SMALL + 1:2 * rollup_sql.SMALL + 2], []):
        moved = Assignment.objects.filter(pk__in=batch).update(status="completed", completed_at=now,
                                                                evidence_url="https://x.vn/p")
        assert moved == len(batch)
        assert_in_step()
    Assignment.objects.filter(pk__in=ids[:rollup_sql.SMALL]).update(status="verified", reviewed_at=now)
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


def test_people_per_enclosing_team_follow_roles_people_and_moves(world):
    """reports_subtreemember after role changes, (de)activations, a move and a merge."""
    w = world
    task = make_task(w.district, w.coord_district)
    services.task_assign(task=task, actor=w.coord_district, teams=[w.district])
    for person in (w.member_v1a, w.member_v1b, w.member_v2a):
        a = Assignment.objects.get(task=task, assignee=person)
        services.assignment_complete(assignment=a, actor=person, evidence_url="https://x.vn/1")
    services.assignment_verify(assignment=Assignment.objects.get(task=task, assignee=w.member_v1b),
                               actor=w.coord_district)
    assert_in_step()
    # A second role in the same subtree, then a role change and a removal.
    extra = Membership.objects.create(member=w.member_v1a, team=w.v1b, role=Role.MEMBER)
    assert_in_step()
    Membership.objects.filter(pk=extra.pk).update(role=Role.OBSERVER)
    assert_in_step()
    Membership.objects.filter(pk=extra.pk).update(role=Role.MEMBER, created_at=extra.created_at - timedelta(days=40))
    assert_in_step()
    Membership.objects.filter(pk=extra.pk).delete()
    assert_in_step()
    # Deactivated and back (one UPDATE of many people, then a save).
    Member.objects.filter(pk__in=[w.member_v1a.pk, w.member_v2a.pk]).update(is_active=False)
    assert_in_step()
    person = Member.objects.get(pk=w.member_v1a.pk)
    person.is_active = True
    person.save()
    assert_in_step()
    # A commune moves to the other district with its villages (one UPDATE of paths).
    team_services.team_update(team=w.c1, actor=w.superuser, parent=w.other_district)
    assert_in_step()
    assert SubtreeMember.objects.get(team_id=w.other_district.pk, member_id=w.member_v1b.pk).verified == 1
    assert SubtreeMember.objects.get(team_id=w.district.pk, member_id=w.member_v1b.pk).roles == 0
    # Two villages merge: their work and people move to the other.
    team_services.team_merge(team=w.v1b, into=w.v1a, actor=w.superuser)
    assert_in_step()


def test_members_active_and_the_board_count_from_people_per_team(work):
    from reports import selectors

    for team in (work.world.district, work.world.c1, work.world.v1a, work.world.province):
        active = (Membership.objects.filter(team__path__startswith=team.path, role=Role.MEMBER,
                                            member__is_active=True).values("member_id").distinct().count())
        assert selectors.members_active(team.path) == active
