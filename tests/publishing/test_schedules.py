"""Schedules (issue 11, point 4): each occurrence becomes one task assigned to the targets, once,
with time travel over local (Asia/Ho_Chi_Minh, UTC+7 all year) times."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from publishing import occurrences, services
from publishing.models import Schedule, ScheduleRun
from publishing.tasks import run_due_schedules
from tasks.models import Assignment, Task

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MON = date(2026, 11, 30)  # a Monday


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=VN)


def make(world, *, at=time(7, 30), repeat="daily", **fields):
    fields.setdefault("targets", {"teams": [world.v1a]})
    fields.setdefault("starts_on", MON)
    return services.schedule_create(actor=world.coord_c1, team=world.c1, title="Chia sẻ bản tin", kind="share",
                                    platform="facebook", repeat=repeat, time=at, due_hours=12, **fields)


def run(now):
    with time_machine.travel(now, tick=False):
        return services.schedules_run_due()


def test_monday_is_monday():
    assert MON.weekday() == 0


# Occurrences (pure) ---------------------------------------------------------------

@pytest.mark.parametrize("repeat,weekday,after,expected", [
    ("daily", None, local(MON, 6), local(MON, 7, 30)),
    ("daily", None, local(MON, 7, 30), local(MON + timedelta(days=1), 7, 30)),  # strictly after
    ("weekdays", None, local(MON + timedelta(days=4), 8), local(MON + timedelta(days=7), 7, 30)),  # Fri -> Mon
    ("weekdays", None, local(MON + timedelta(days=5), 6), local(MON + timedelta(days=7), 7, 30)),  # Sat -> Mon
    ("weekly", 2, local(MON, 6), local(MON + timedelta(days=2), 7, 30)),  # Wednesday
    ("weekly", 0, local(MON, 8), local(MON + timedelta(days=7), 7, 30)),  # next Monday
])
def test_next_occurrence(repeat, weekday, after, expected):
    schedule = Schedule(repeat=repeat, weekday=weekday, time=time(7, 30), starts_on=MON - timedelta(days=30))
    assert occurrences.next_after(schedule, after) == expected


def test_local_times_are_utc_plus_seven_all_year_no_dst():
    """Vietnam keeps no daylight saving: 07:30 local is 00:30 UTC in January and in July."""
    for month in (1, 3, 7, 10, 12):
        schedule = Schedule(repeat="daily", time=time(7, 30), starts_on=date(2026, month, 1))
        got = occurrences.next_after(schedule, datetime(2026, month, 1, tzinfo=ZoneInfo("UTC")))
        assert got.astimezone(ZoneInfo("UTC")).time() == time(0, 30)
        assert got.utcoffset() == timedelta(hours=7)


def test_starts_on_and_ends_on_bound_the_occurrences():
    schedule = Schedule(repeat="daily", time=time(7, 30), starts_on=MON + timedelta(days=3),
                        ends_on=MON + timedelta(days=4))
    assert occurrences.next_after(schedule, local(MON, 0)) == local(MON + timedelta(days=3), 7, 30)
    assert occurrences.next_after(schedule, local(MON + timedelta(days=4), 8)) is None
    assert occurrences.latest_until(schedule, local(MON + timedelta(days=20), 8)) == local(MON + timedelta(days=4), 7, 30)
    assert occurrences.latest_until(schedule, local(MON + timedelta(days=3), 7)) is None


# The beat ---------------------------------------------------------------------------

def test_each_occurrence_makes_one_task_assigned_to_the_targets(world):
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    assert schedule.next_run_at == local(MON, 7, 30)
    assert run(local(MON, 7, 29)) == []
    made = run(local(MON, 7, 30))
    assert len(made) == 1
    task = Task.objects.get(pk=made[0])
    assert (task.title, task.team, task.created_by, task.kind) == ("Chia sẻ bản tin", world.c1, world.coord_c1, "share")
    assert task.due_at == local(MON, 19, 30)
    assert set(Assignment.objects.filter(task=task).values_list("assignee_id", flat=True)) == {
        world.member_v1a.pk, world.member_v1a_2.pk}
    # Later runs the same minute and before the next morning make nothing more.
    assert run(local(MON, 7, 31)) == [] and run(local(MON, 23, 59)) == []
    schedule.refresh_from_db()
    assert schedule.next_run_at == local(MON + timedelta(days=1), 7, 30)
    assert schedule.last_run_at == local(MON, 7, 30)
    assert len(run(local(MON + timedelta(days=1), 7, 30))) == 1
    assert ScheduleRun.objects.filter(schedule=schedule).count() == 2


def test_weekdays_skip_the_weekend(world):
    with time_machine.travel(local(MON, 6), tick=False):
        make(world, repeat="weekdays")
    made = 0
    for day in range(7):
        made += len(run(local(MON + timedelta(days=day), 8)))
    assert made == 5


def test_a_missed_occurrence_is_made_once_late_not_once_each(world):
    """The worker was down from Monday 06:00 to Thursday 10:00: one task, for Thursday's occurrence."""
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    thursday = MON + timedelta(days=3)
    made = run(local(thursday, 10))
    assert len(made) == 1
    assert ScheduleRun.objects.get(schedule=schedule).occurs_at == local(thursday, 7, 30)
    # Due 12 hours after it was made (late), not after an occurrence long past.
    assert Task.objects.get(pk=made[0]).due_at == local(thursday, 22)
    assert run(local(thursday, 10, 1)) == [] and run(local(thursday, 23)) == []
    schedule.refresh_from_db()
    assert schedule.next_run_at == local(thursday + timedelta(days=1), 7, 30)


def test_a_run_of_an_occurrence_already_made_makes_nothing(world):
    """The unique key: even with `next_run_at` stale (a second beat that read it before), once."""
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    assert len(run(local(MON, 7, 30))) == 1
    Schedule.objects.filter(pk=schedule.pk).update(next_run_at=local(MON, 7, 30))
    assert run(local(MON, 7, 40)) == []
    assert Task.objects.count() == 1


def test_pause_makes_nothing_and_resume_goes_on_from_the_next_occurrence(world):
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
        schedule = services.schedule_pause(schedule=schedule, actor=world.coord_c1)
    assert schedule.next_run_at is None
    assert run(local(MON + timedelta(days=2), 9)) == []
    with time_machine.travel(local(MON + timedelta(days=2), 9), tick=False):
        schedule = services.schedule_resume(schedule=schedule, actor=world.coord_c1)
    # The occurrences while paused are never made: the next is tomorrow morning.
    assert schedule.next_run_at == local(MON + timedelta(days=3), 7, 30)
    assert run(local(MON + timedelta(days=2), 9, 1)) == []
    assert len(run(local(MON + timedelta(days=3), 7, 30))) == 1


def test_an_occurrence_that_cannot_be_made_says_why_and_the_schedule_goes_on(world):
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    world.coord_c1.memberships.update(role="member")  # the author no longer coordinates
    assert run(local(MON, 8)) == []
    schedule.refresh_from_db()
    assert schedule.last_error and schedule.next_run_at == local(MON + timedelta(days=1), 7, 30)
    assert Task.objects.count() == 0


def test_the_celery_task_runs_the_due_schedules(world):
    with time_machine.travel(local(MON, 6), tick=False):
        make(world)
    with time_machine.travel(local(MON, 7, 31), tick=False):
        assert run_due_schedules.apply().get() == 1


# Two beats racing (PostgreSQL: row locks and the unique key) ---------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_concurrent_runs_make_one_task(world, round_):
    import threading

    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    now = local(MON, 7, 30)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def beat():
        try:
            barrier.wait()
            results.append(services.schedules_run_due(now=now))
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    with time_machine.travel(now, tick=False):
        threads = [threading.Thread(target=beat) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    assert sorted(len(r) for r in results) == [0, 1]
    assert Task.objects.filter(schedule_run__schedule=schedule).count() == 1
    assert Assignment.objects.filter(task__schedule_run__schedule=schedule).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_claiming_the_same_occurrence_insert_one_run(world):
    """The unique key alone (no row lock): the second claim of an occurrence inserts nothing."""
    from publishing.services.schedules import _claim

    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
    assert _claim(schedule, local(MON, 7, 30)) is not None
    assert _claim(schedule, local(MON, 7, 30)) is None
    assert ScheduleRun.objects.filter(schedule=schedule).count() == 1


# The API ------------------------------------------------------------------------------

def _body(world, **extra):
    return {"team": world.c1.pk, "title": "Chia sẻ bản tin", "kind": "share", "platform": "facebook",
            "repeat": "weekly", "weekday": 2, "time": "07:30", "due_hours": 8,
            "targets": {"teams": [world.v1a.pk], "members": [world.member_v1b.pk]}, **extra}


def test_create_through_the_api(world, client_for):
    with time_machine.travel(local(MON, 6), tick=False):
        response = client_for(world.coord_c1).post("/api/v1/schedules/", _body(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["time"] == "07:30" and body["repeat"] == "weekly" and body["weekday"] == 2
    assert body["targets"] == {"teams": [world.v1a.pk], "members": [world.member_v1b.pk]}
    assert body["is_active"] is True and body["last_run_at"] is None
    assert body["next_run_at"].startswith("2026-12-02T07:30:00+07:00")


@pytest.mark.parametrize("extra,field", [
    ({"weekday": None}, "weekday"),                       # weekly needs a weekday
    ({"repeat": "daily"}, "weekday"),                     # a weekday only for weekly
    ({"weekday": 7}, "weekday"),
    ({"time": "25:00"}, "time"),
    ({"time": "7h30"}, "time"),
    ({"repeat": "monthly"}, "repeat"),
    ({"starts_on": "2026-12-10", "ends_on": "2026-12-01"}, "ends_on"),
    ({"starts_on": "0001-01-01"}, "starts_on"),
    ({"ends_on": "9999-12-31"}, "ends_on"),
    ({"due_hours": 0}, "due_hours"),
    ({"targets": {}}, "targets"),
    ({"targets": {"teams": []}}, "targets"),
])
def test_bad_bodies_are_400_naming_the_field(world, client_for, extra, field):
    response = client_for(world.coord_c1).post("/api/v1/schedules/", _body(world, **extra), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()


def test_targets_outside_the_team_or_the_callers_reach_are_400(world, client_for):
    out_of_scope = client_for(world.coord_c1).post("/api/v1/schedules/", _body(world, targets={"teams": [world.v2a.pk]}),
                                                   format="json")
    assert out_of_scope.status_code == 400 and list(out_of_scope.json()["errors"]) == ["targets.teams.0"]
    # The district's coordinator reaches Nam Dong, but it is not inside the schedule's team (c1).
    client = client_for(world.coord_district)
    sibling = client.post("/api/v1/schedules/", _body(world, targets={"teams": [world.v2a.pk]}), format="json")
    assert sibling.status_code == 400 and "targets" in sibling.json()["errors"]
    stranger = client.post("/api/v1/schedules/", _body(world, targets={"members": [world.member_v2a.pk]}),
                           format="json")
    assert stranger.status_code == 400 and "targets" in stranger.json()["errors"]


def test_errors_are_vietnamese_by_default_and_english_on_request(world, client_for):
    client = client_for(world.coord_c1)
    vi = client.post("/api/v1/schedules/", _body(world, weekday=None), format="json")
    en = client.post("/api/v1/schedules/", _body(world, weekday=None), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["errors"]["weekday"] == ["A weekly schedule needs a weekday (0 Monday .. 6 Sunday)."]
    assert vi.json()["errors"]["weekday"] != en.json()["errors"]["weekday"]
    paused = services.schedule_pause(schedule=make(world), actor=world.coord_c1)
    again = client.post(f"/api/v1/schedules/{paused.pk}/pause/")
    assert again.status_code == 409 and again.json()["code"] == "schedule_paused"
    assert again.json()["detail"] != "This schedule is already paused."


def test_who_sees_schedules(world, client_for):
    schedule = make(world)
    sibling = services.schedule_create(actor=world.coord_c2, team=world.c2, title="Nam Dong", kind="share",
                                       platform="zalo", repeat="daily", time=time(8, 0),
                                       targets={"teams": [world.v2a]})

    def listed(person):
        return {row["id"] for row in client_for(person).get("/api/v1/schedules/").json()["results"]}

    assert listed(world.coord_c1) == {schedule.pk}
    assert listed(world.coord_c2) == {sibling.pk}
    assert listed(world.observer_district) == {schedule.pk, sibling.pk}
    assert listed(world.superuser) == {schedule.pk, sibling.pk}
    assert listed(world.member_v1a) == set() and listed(world.coord_v1a) == set()
    assert client_for(world.member_v1a).get(f"/api/v1/schedules/{schedule.pk}/").status_code == 404
    assert client_for(world.coord_c2).get(f"/api/v1/schedules/{schedule.pk}/").status_code == 404
    assert client_for(world.coord_c2).patch(f"/api/v1/schedules/{schedule.pk}/", {"title": "x"},
                                            format="json").status_code == 404
    assert client_for(world.observer_district).post(f"/api/v1/schedules/{schedule.pk}/pause/").status_code == 403


def test_patch_replans_and_pause_resume_through_the_api(world, client_for):
    client = client_for(world.coord_c1)
    with time_machine.travel(local(MON, 6), tick=False):
        schedule = make(world)
        body = client.patch(f"/api/v1/schedules/{schedule.pk}/", {"time": "18:00"}, format="json").json()
        assert body["next_run_at"].startswith("2026-11-30T18:00:00+07:00")
        assert client.patch(f"/api/v1/schedules/{schedule.pk}/", {"team": world.v1a.pk},
                            format="json").status_code == 400
        paused = client.post(f"/api/v1/schedules/{schedule.pk}/pause/").json()
        assert paused["is_active"] is False and paused["next_run_at"] is None
        assert client.post(f"/api/v1/schedules/{schedule.pk}/resume/").json()["is_active"] is True
        assert client.post(f"/api/v1/schedules/{schedule.pk}/resume/").status_code == 409


def test_a_merge_moves_schedules_and_their_targets(world):
    from teams import services as team_services

    schedule = make(world, targets={"teams": [world.v1a]})
    team_services.team_merge(team=world.v1a, into=world.v1b, actor=world.coord_c1)
    assert list(schedule.target_teams.all()) == [world.v1b]
