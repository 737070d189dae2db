"""The outbox: what a write owes to the outside commits with it, and is done exactly once.

Every assignment ends with exactly one "assigned" notification and each device with at
most one push for it, whatever fails between the commit and the consumer: a broker that
refuses, a worker killed mid-task, a redelivery of a run that had committed.
"""
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from api import outbox
from api.celery import app
from api.models import OutboxMessage
from notifications.models import Device, Notification, PushDelivery
from tasks.services import assignment_complete, assignment_reject, task_assign, task_cancel
from tests.celery_conf import configure
from tests.factories import TaskFactory


@pytest.fixture
def task(world):
    return TaskFactory(team=world.c1, created_by=world.coord_c1, title="Chia sẻ bài")


@pytest.fixture
def phones(world):
    for member in (world.member_v1a, world.member_v1a_2, world.member_v1b):
        Device.objects.create(member=member, token=f"phone-{member.pk}", platform="android")


def assigned_per_assignment(task):
    counts = {}
    for assignment_id in Notification.objects.filter(task=task, kind="assigned").values_list("assignment_id",
                                                                                              flat=True):
        counts[assignment_id] = counts.get(assignment_id, 0) + 1
    return counts


def pushes_per_device():
    counts = {}
    for pair in PushDelivery.objects.values_list("notification_id", "device_id"):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def exactly_one_each(task):
    assignments = set(task.assignments.values_list("pk", flat=True))
    counts = assigned_per_assignment(task)
    return assignments and set(counts) == assignments and set(counts.values()) == {1}


@pytest.fixture
def broker(monkeypatch):
    """Celery in broker mode whose publish we control: `broker.down = True` refuses."""

    class Broker:
        down = False
        sent: list = []

        def publish(self, args, **kwargs):
            if self.down:
                raise BrokerError("Error 111 connecting to 127.0.0.1:6391. Connection refused.")
            self.sent.append(args[0])

    fake = Broker()
    fake.sent = []
    saved = configure(task_always_eager=False)
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", fake.publish)
    # the request's hand-over runs on the publisher thread; here, in place, to be deterministic
    monkeypatch.setattr(outbox._publisher, "submit", outbox._publisher.publish)
    yield fake
    configure(**saved)


def test_the_change_and_its_outbox_rows_commit_or_roll_back_together(world, task):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
            assert OutboxMessage.objects.filter(kind="tasks.assigned").count() == 1
            raise RuntimeError("roll back")
    assert not OutboxMessage.objects.exists() and not task.assignments.exists()
    with transaction.atomic():
        task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    row = OutboxMessage.objects.get()
    assert row.kind == "tasks.assigned" and row.payload["task_id"] == task.pk and row.done_at is None


def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        outbox.outbox_enqueue("tasks.assigned", {}, key="x")


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_refuses_fails_no_request_and_loses_nothing(world, task, phones, broker, client_for):
    broker.down = True
    client = client_for(world.coord_c1)
    response = client.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]}, format="json")
    assert response.status_code == 200  # the assign committed; the broker's trouble is not the caller's
    assert Notification.objects.count() == 0
    stats = outbox.outbox_stats()
    assert stats["owed"] == 1 and stats["by_kind"] == {"tasks.assigned": 1}
    # the relay retries while the broker still refuses: the row stays due
    later = timezone.now() + timedelta(seconds=61)
    assert outbox.relay(now=later) == 0
    assert OutboxMessage.objects.get().available_at <= later
    # the broker is back: the relay hands the row over, the worker consumes it
    broker.down = False
    assert outbox.relay(now=later) == 1
    for key in broker.sent:
        outbox.deliver(key)
    for key in OutboxMessage.objects.filter(done_at__isnull=True).values_list("key", flat=True):
        outbox.deliver(key)  # the push row the consumer owed in turn
    assert exactly_one_each(task)
    assert set(pushes_per_device().values()) == {1}
    assert len(pushes_per_device()) == 3  # one per phone of the three members reached
    assert outbox.outbox_stats()["owed"] == 0


class WorkerKilled(BaseException):
    """A pool process killed mid-task: nothing after this point runs, the transaction dies."""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_then_a_redelivery_makes_one_notification_each(world, task, phones,
                                                                                monkeypatch):
    from notifications import services

    with transaction.atomic():
        task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
        key = OutboxMessage.objects.get().key
        # not handed over on commit: the message is with a worker that is about to die
        monkeypatch.setattr(outbox, "hand_over", lambda key: None)
    real = services.notify_assigned

    def die_after_writing(**kwargs):
        real(**kwargs)
        raise WorkerKilled()

    monkeypatch.setattr(services, "notify_assigned", die_after_writing)
    with pytest.raises(WorkerKilled):
        outbox.deliver(key)
    assert Notification.objects.count() == 0  # the worker's transaction died with it
    monkeypatch.undo()
    # reject_on_worker_lost puts the message back (or the relay re-drives it): delivered again
    assert outbox.deliver(key) is True
    for push_key in OutboxMessage.objects.filter(done_at__isnull=True).values_list("key", flat=True):
        outbox.deliver(push_key)
    assert exactly_one_each(task)
    assert set(pushes_per_device().values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_a_redelivery_of_a_run_that_committed_makes_nothing_twice(world, task, phones):
    task_assign(task=task, actor=world.coord_c1, teams=[world.c1])  # eager: consumed on commit
    key = OutboxMessage.objects.get(kind="tasks.assigned").key
    assert exactly_one_each(task)
    pushed = pushes_per_device()
    assert outbox.deliver(key) is False  # the broker redelivers: the row is done, nothing runs
    # even a consumer that runs again (the done mark lost with a restored backup, say)
    # writes each notification once: the unique key per notification holds
    OutboxMessage.objects.update(done_at=None)
    for row_key in OutboxMessage.objects.values_list("key", flat=True):
        outbox.deliver(row_key)
    assert exactly_one_each(task)
    assert pushes_per_device() == pushed and set(pushed.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_the_consumer_leaves_the_row_owed_with_the_reason(world, task, monkeypatch):
    from notifications import consumers

    def database_down(payload):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outbox, "_handlers", {**outbox._handlers, "tasks.assigned": [database_down]})
    task_assign(task=task, actor=world.coord_c1, teams=[world.c1])  # the request still succeeds
    row = OutboxMessage.objects.get()
    assert row.done_at is None and "server closed the connection" in row.last_error
    assert outbox.outbox_stats()["failing"] == 1
    monkeypatch.setattr(outbox, "_handlers", {**outbox._handlers, "tasks.assigned": [consumers.on_assigned]})
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert outbox.relay() == 1  # eager: consumed in place
    assert exactly_one_each(task)
    # and in a worker the task retries by itself, with backoff, on database and broker errors
    assert issubclass(OperationalError, outbox.outbox_deliver.autoretry_for)
    assert issubclass(BrokerError, outbox.outbox_deliver.autoretry_for)
    assert outbox.outbox_deliver.retry_backoff


@pytest.mark.django_db(transaction=True)
def test_reject_and_cancel_are_owed_too_and_each_once(world, task):
    task_assign(task=task, actor=world.coord_c1, members=[world.member_v1a])
    mine = task.assignments.get()
    assignment_complete(assignment=mine, actor=world.member_v1a, evidence_url="https://facebook.com/p/1")
    assignment_reject(assignment=mine, actor=world.coord_c1, reason="Thiếu ảnh")
    task_cancel(task=task, actor=world.coord_c1)
    for key in OutboxMessage.objects.values_list("key", flat=True):
        OutboxMessage.objects.filter(key=key).update(done_at=None)
        outbox.deliver(key)
    kinds = sorted(Notification.objects.filter(recipient=world.member_v1a).values_list("kind", flat=True))
    assert kinds == ["assigned", "rejected", "task_cancelled"]
    assert Notification.objects.get(kind="rejected").params["reason"] == "Thiếu ảnh"


def test_celery_settings_survive_a_lost_worker():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    # a message whose worker died goes back to the queue only after the visibility timeout,
    # which outlasts the longest task (else a running task would be started twice)
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.broker_transport_options["socket_timeout"] <= 5
    assert conf.beat_schedule["outbox-relay"]["task"] == "api.outbox.outbox_relay"
    app.loader.import_default_modules()
    assert "api.outbox.outbox_relay" in app.tasks and "api.outbox.outbox_deliver" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_the_command_shows_what_is_owed_and_redrives_it(world, task, monkeypatch):
    monkeypatch.setattr(outbox, "hand_over", lambda key: None)  # as if every hand-over was lost
    task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    out = io.StringIO()
    call_command("outbox", "--json", stdout=out)
    assert json.loads(out.getvalue())["by_kind"] == {"tasks.assigned": 1}
    out = io.StringIO()
    call_command("outbox", stdout=out)
    assert "owed: 1" in out.getvalue() and "tasks.assigned: 1" in out.getvalue()
    monkeypatch.undo()
    out = io.StringIO()
    call_command("outbox", "--redrive", "--inline", stdout=out)
    assert "consumed" in out.getvalue()
    assert exactly_one_each(task)
    call_command("outbox", "--redrive", stdout=io.StringIO())  # eager: the push rows too
    assert outbox.outbox_stats()["owed"] == 0


@pytest.mark.django_db(transaction=True)
def test_readyz_shows_the_outbox_to_an_operator(world, task, client, monkeypatch):
    monkeypatch.setattr(outbox, "hand_over", lambda key: None)
    task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    body = client.get("/readyz").json()
    assert body["outbox"]["owed"] == 1 and body["outbox"]["by_kind"] == {"tasks.assigned": 1}


def test_done_rows_are_pruned_after_the_keep_days(world, task, settings):
    with transaction.atomic():
        outbox.outbox_enqueue("tasks.assigned", {"task_id": task.pk, "created_at": timezone.now().isoformat()},
                              key="old")
    OutboxMessage.objects.update(done_at=timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS + 1))
    assert outbox.prune_done() == 1


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_row_at_once_run_its_handlers_once(monkeypatch):
    """The delivery claims its row with one UPDATE ... RETURNING (api/outbox.py, _claim): the
    second delivery waits on the row's lock, then finds the row done."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    ran, entered, release = [], threading.Event(), threading.Event()

    def slow_handler(payload):
        ran.append(payload["n"])
        entered.set()
        release.wait(5)

    monkeypatch.setitem(outbox._handlers, "test.once", [slow_handler])
    with transaction.atomic():
        outbox.outbox_enqueue("test.once", {"n": 7}, key="test.once:7", not_before=timezone.now() + timedelta(days=1))
    results = []

    def run():
        try:
            results.append(outbox.deliver("test.once:7"))
        finally:
            connections.close_all()

    first = threading.Thread(target=run)
    first.start()
    assert entered.wait(5)
    second = threading.Thread(target=run)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first delivery's lock
    release.set()
    first.join(5)
    second.join(5)
    assert sorted(results) == [False, True] and ran == [7]
    message = OutboxMessage.objects.get(key="test.once:7")
    assert message.done_at is not None and message.last_error == ""
