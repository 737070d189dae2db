"""Notifications added in v1.1 (issue 11, point 6): work waiting for review (at most one an
hour per coordinator, with the count), work verified, both languages, through the outbox
with unique keys; pushes held through the quiet hours while the feed has them at once."""
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from api import outbox
from api.models import OutboxMessage
from notifications import services
from notifications.messages import render_in
from notifications.models import Notification, PushDelivery
from notifications.quiet import quiet_until
from tasks import services as task_services
from teams.choices import Role
from tests.factories import MemberFactory, MembershipFactory
from tests.notifications.conftest import VN
from tests.tasks.conftest import assignment_of, make_task

EVENING = datetime(2026, 3, 10, 10, 0, tzinfo=VN)  # a working morning: pushes go out


@pytest.fixture
def task(world):
    with time_machine.travel(EVENING, tick=False):
        task = make_task(world.c1, world.coord_c1)
        task_services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


def complete(task, member, at):
    with time_machine.travel(at, tick=False):
        task_services.assignment_complete(assignment=assignment_of(task, member), actor=member,
                                          evidence_url="https://facebook.com/p/1")


def waiting(member):
    return list(Notification.objects.filter(recipient=member, kind="review_waiting").order_by("id"))


# Work waiting for review -----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_coordinators_above_hear_of_waiting_work_at_most_once_an_hour_with_the_count(world, task):
    complete(task, world.member_v1a, EVENING + timedelta(minutes=1))
    for coordinator in (world.coord_v1a, world.coord_c1, world.coord_district):
        assert [n.params["count"] for n in waiting(coordinator)] == [1], coordinator
    assert waiting(world.coord_c2) == [] and waiting(world.coord_other_district) == []
    assert waiting(world.member_v1a) == [] and waiting(world.observer_district) == []
    # Two more within the hour: nothing new yet.
    complete(task, world.member_v1a_2, EVENING + timedelta(minutes=20))
    complete(task, world.member_v1b, EVENING + timedelta(minutes=40))
    assert len(waiting(world.coord_c1)) == 1
    # The beat's sweep sends what was held back once the hour has passed, with the count now.
    with time_machine.travel(EVENING + timedelta(minutes=50), tick=False):
        assert services.notify_review_waiting() == []
    with time_machine.travel(EVENING + timedelta(minutes=65), tick=False):
        services.notify_review_waiting()
        services.notify_review_waiting()  # a second run writes nothing twice
    assert [n.params["count"] for n in waiting(world.coord_c1)] == [1, 3]
    assert [n.params["count"] for n in waiting(world.coord_v1a)] == [1, 2]  # Thôn 2's work is not theirs
    # Nothing new handed in: no reminder of the same queue the next hour.
    with time_machine.travel(EVENING + timedelta(hours=3), tick=False):
        services.notify_review_waiting()
    assert len(waiting(world.coord_c1)) == 2


@pytest.mark.django_db(transaction=True)
def test_review_waiting_leaves_out_the_coordinators_own_work(world):
    with time_machine.travel(EVENING, tick=False):
        task = make_task(world.c1, world.coord_district)
        task_services.task_assign(task=task, actor=world.coord_district, members=[world.coord_c1])
    complete(task, world.coord_c1, EVENING + timedelta(minutes=5))
    assert waiting(world.coord_c1) == []  # nobody reviews their own work
    assert [n.params["count"] for n in waiting(world.coord_district)] == [1]


@pytest.mark.django_db(transaction=True)
def test_a_completion_names_its_teams_path_for_the_reviewers_and_older_rows_still_reach_them(
        world, task, client_for):
    """The step loads the team with the row, so the outbox row carries its path and the
    consumer reads no assignment; a row written without it (before the path went along)
    is delivered by reading the assignment's team, to the same coordinators."""
    a = assignment_of(task, world.member_v1a)
    with time_machine.travel(EVENING + timedelta(minutes=1), tick=False):
        answer = client_for(world.member_v1a).post(f"/api/v1/assignments/{a.pk}/complete/",
                                                   {"evidence_url": "https://facebook.com/p/1"}, format="json")
    assert answer.status_code == 200, answer.content
    row = OutboxMessage.objects.get(kind="tasks.completed")
    assert row.payload["team_path"] == world.v1a.path and row.done_at is not None
    assert [n.params["count"] for n in waiting(world.coord_c1)] == [1]
    # The same completion as an older row: no path in it, delivered an hour later.
    Notification.objects.filter(kind="review_waiting").delete()
    OutboxMessage.objects.filter(pk=row.pk).update(done_at=None, payload={"assignment_id": a.pk,
                                                                          "at": row.payload["at"]})
    with time_machine.travel(EVENING + timedelta(hours=2), tick=False):
        assert outbox.deliver(row.key)
    for coordinator in (world.coord_v1a, world.coord_c1, world.coord_district):
        assert [n.params["count"] for n in waiting(coordinator)] == [1], coordinator
    assert waiting(world.coord_c2) == []


@pytest.mark.django_db(transaction=True)
def test_a_completion_owes_the_reviewers_notice_only_while_one_of_them_may_hear_it(world, task):
    """Within the hour after everyone above was told, a completion writes no outbox row (its
    delivery would tell nobody), and the next ones read nothing either until the first of
    them may hear again (at most the sweep's five minutes). A coordinator appointed meanwhile
    hears from the sweep; once the quiet spell is over, a completion is owed to them again."""
    complete(task, world.member_v1a, EVENING + timedelta(minutes=1))
    assert OutboxMessage.objects.filter(kind="tasks.completed").count() == 1
    complete(task, world.member_v1a_2, EVENING + timedelta(minutes=20))
    assert OutboxMessage.objects.filter(kind="tasks.completed").count() == 1
    newcomer = MemberFactory()
    MembershipFactory(member=newcomer, team=world.c1, role=Role.COORDINATOR)
    with time_machine.travel(EVENING + timedelta(minutes=21), tick=False):
        more = make_task(world.c1, world.coord_c1)
        task_services.task_assign(task=more, actor=world.coord_c1, teams=[world.v1a])
        with CaptureQueriesContext(connection) as queries:  # the same team as the last completion
            task_services.assignment_complete(assignment=assignment_of(more, world.member_v1a),
                                              actor=world.member_v1a, evidence_url="https://facebook.com/p/2")
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert OutboxMessage.objects.filter(kind="tasks.completed").count() == 1 and waiting(newcomer) == []
    with time_machine.travel(EVENING + timedelta(minutes=25), tick=False):
        services.notify_review_waiting()  # the sweep
    assert [n.params["count"] for n in waiting(newcomer)] == [3]
    assert len(waiting(world.coord_c1)) == 1  # still within their hour
    # Past the quiet spell (the sweep's five minutes): read again, and owed to whoever may hear.
    cache.clear()
    complete(task, world.member_v1b, EVENING + timedelta(minutes=27))
    assert OutboxMessage.objects.filter(kind="tasks.completed").count() == 1  # the newcomer was told at :25


def test_two_runs_at_once_write_one_notification(world, task):
    """The key names the previous notification: a second writer with the same view inserts nothing."""
    complete(task, world.member_v1a, EVENING)
    with time_machine.travel(EVENING + timedelta(minutes=5), tick=False):
        first = services.notify_review_waiting()
        Notification.objects.filter(pk__in=first).update(created_at=EVENING - timedelta(hours=2))
    keys = list(Notification.objects.filter(kind="review_waiting").values_list("key", flat=True))
    assert len(keys) == len(set(keys))


# Work verified ---------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_member_hears_their_work_was_verified_once_in_their_language(world, task, client_for):
    complete(task, world.member_v1a, EVENING + timedelta(minutes=1))
    with time_machine.travel(EVENING + timedelta(minutes=10), tick=False):
        task_services.assignment_verify(assignment=assignment_of(task, world.member_v1a), actor=world.coord_c1,
                                        note="Rất tốt")
    verified = Notification.objects.get(recipient=world.member_v1a, kind="verified")
    assert verified.params["note"] == "Rất tốt" and verified.assignment_id == assignment_of(task, world.member_v1a).pk
    # Redelivering the outbox row writes nothing twice.
    key = OutboxMessage.objects.get(kind="tasks.verified").key
    OutboxMessage.objects.filter(key=key).update(done_at=None)
    outbox.deliver(key)
    assert Notification.objects.filter(recipient=world.member_v1a, kind="verified").count() == 1
    feed = client_for(world.member_v1a)
    en = feed.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    vi = feed.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="vi").json()["results"][0]
    assert en["title"] == "Work verified" and "was verified: Rất tốt" in en["body"]
    assert vi["title"] != en["title"] and vi["body"] != en["body"]
    assert en["params"]["note"] == "Rất tốt"


@pytest.mark.parametrize("kind,params", [("review_waiting", {"count": 3}), ("verified", {"task": "Đăng bài"}),
                                         ("verified", {"task": "Đăng bài", "note": "Tốt"})])
def test_both_languages(kind, params):
    en, vi = render_in("en", kind, params), render_in("vi", kind, params)
    assert en.title and en.body and vi.title and vi.body
    assert (en.title, en.body) != (vi.title, vi.body)
    with translation.override("vi"):
        assert "3" in render_in("vi", "review_waiting", {"count": 3}).body


# Quiet hours -----------------------------------------------------------------------------

@pytest.mark.parametrize("local,expected", [
    ((20, 59), None),
    ((21, 0), (11, 7, 0)),
    ((23, 30), (11, 7, 0)),
    ((0, 0), (10, 7, 0)),
    ((6, 59), (10, 7, 0)),
    ((7, 0), None),
])
def test_the_quiet_window_wraps_past_midnight(settings, local, expected):
    settings.QUIET_HOURS = ("21:00", "07:00")
    now = datetime(2026, 3, 10, *local, tzinfo=VN)
    end = quiet_until(now)
    if expected is None:
        assert end is None
    else:
        assert end == datetime(2026, 3, expected[0], expected[1], expected[2], tzinfo=VN)


def test_a_window_within_one_day_and_off(settings):
    settings.QUIET_HOURS = ("12:00", "13:30")
    assert quiet_until(datetime(2026, 3, 10, 12, 15, tzinfo=VN)) == datetime(2026, 3, 10, 13, 30, tzinfo=VN)
    assert quiet_until(datetime(2026, 3, 10, 13, 30, tzinfo=VN)) is None
    settings.QUIET_HOURS = None
    assert quiet_until(datetime(2026, 3, 10, 23, 0, tzinfo=VN)) is None


@pytest.mark.django_db(transaction=True)
def test_push_waits_out_the_quiet_hours_while_the_feed_has_it_at_once(world, task, settings, device_for,
                                                                       client_for):
    settings.QUIET_HOURS = ("21:00", "07:00")
    device_for(world.member_v1a)
    late = datetime(2026, 3, 10, 22, 30, tzinfo=VN)
    complete(task, world.member_v1a, late - timedelta(minutes=5))
    with time_machine.travel(late, tick=False):
        task_services.assignment_verify(assignment=assignment_of(task, world.member_v1a), actor=world.coord_c1)
        feed = client_for(world.member_v1a).get("/api/v1/notifications/").json()["results"]
        assert feed[0]["kind"] == "verified"  # in the feed at once
        outbox.relay()  # the relay during the night hands nothing over
    verified = Notification.objects.get(recipient=world.member_v1a, kind="verified")
    assert not PushDelivery.objects.filter(notification=verified).exists()
    [held] = [m for m in OutboxMessage.objects.filter(kind="notifications.push", done_at__isnull=True)
              if verified.pk in m.payload["ids"]]
    assert held.available_at == datetime(2026, 3, 11, 7, 0, tzinfo=VN)
    with time_machine.travel(datetime(2026, 3, 11, 6, 59, tzinfo=VN), tick=False):
        outbox.relay()
    assert not PushDelivery.objects.filter(notification=verified).exists()
    with time_machine.travel(datetime(2026, 3, 11, 7, 0, 30, tzinfo=VN), tick=False):
        assert outbox.relay() >= 1
        outbox.relay()
    assert PushDelivery.objects.filter(notification=verified, outcome="sent").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_push_row_reaching_the_consumer_in_the_quiet_hours_is_held_again(world, settings, device_for):
    from notifications.consumers import on_push

    settings.QUIET_HOURS = ("21:00", "07:00")
    device_for(world.member_v1a)
    n = Notification.objects.create(recipient=world.member_v1a, kind="verified", params={"task": "x"})
    from django.db import transaction

    with time_machine.travel(datetime(2026, 3, 10, 23, 0, tzinfo=VN), tick=False), transaction.atomic():
        assert on_push({"ids": [n.pk]}) == 0
    assert not PushDelivery.objects.exists()
    assert OutboxMessage.objects.filter(kind="notifications.push", done_at__isnull=True).count() == 1
