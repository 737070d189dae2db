"""A real Celery worker against Redis turns a new assignment into a recorded push.

Runs on PostgreSQL (the worker is another process and must share the test
database) with a Redis broker at CELERY_TEST_BROKER_URL (default
redis://127.0.0.1:6379/3); skipped with the reason when either is missing.
"""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from api.celery import app
from tests.celery_conf import configure

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
ROOT = Path(__file__).resolve().parents[2]


def _broker_problem():
    try:
        import redis

        redis.Redis.from_url(BROKER, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:  # any failure means "no broker here"
        return f"no Redis broker reachable at {BROKER} ({exc.__class__.__name__}); set CELERY_TEST_BROKER_URL"
    return None


BROKER_PROBLEM = _broker_problem()

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(BROKER_PROBLEM is not None, reason=BROKER_PROBLEM or ""),
]


def _database_url(db):
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),  # the test database itself
        "CELERY_BROKER_URL": BROKER,
        "PUSH_SENDER": "notifications.push.LoggingSender",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        # The worker is another process: the suite's "no quiet hours" (tests/conftest.py) must be
        # said to it too, or from 21:00 local its push waits for the morning.
        "QUIET_HOURS": "off",
    }
    env.pop("TEST_DATABASE_NAME", None)
    # A queue of this run's own: another run using the same broker cannot take its messages.
    # The worker sends the tasks it queues itself (the push after the notification) there too.
    queue = f"test-push-{uuid.uuid4().hex[:12]}"
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    log = open(tmp_path / "worker.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "api", "worker", "-Q", queue, "--pool=solo", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    # this process sends to the same broker instead of running tasks in place
    saved = configure(task_always_eager=False, broker_url=BROKER,
                      task_routes={"notifications.tasks.*": {"queue": queue},
                                   "api.outbox.*": {"queue": queue}})
    try:
        _wait_until_ready(proc, log)
        yield proc, log
    finally:
        configure(**saved)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_worker_delivers_the_push_for_a_new_assignment(world, worker):
    from notifications.models import Device, PushDelivery
    from tasks.services import task_assign
    from tests.factories import TaskFactory

    proc, log = worker
    Device.objects.create(member=world.member_v1a, token="worker-test-token", platform="android", language="en")
    task = TaskFactory(team=world.v1a, title="Đăng bài", created_by=world.coord_v1a)
    # The coordinator's assign commits, then the worker writes the notification and pushes it.
    result = task_assign(task=task, actor=world.coord_v1a, teams=[world.v1a])
    assert result.created == 2

    deadline = time.monotonic() + 90
    delivery = None
    while time.monotonic() < deadline and delivery is None:
        assert proc.poll() is None, _tail(log)
        # reserved as `pending` first, then sent and recorded
        delivery = PushDelivery.objects.filter(notification__recipient=world.member_v1a,
                                               notification__assignment__task=task).exclude(outcome="pending").first()
        time.sleep(0.5)
    assert delivery is not None, "no push recorded within 90 s\n" + _tail(log)
    assert (delivery.outcome, delivery.platform, delivery.body) == ("sent", "android",
                                                                    "You have a new task: Đăng bài")
    log.seek(0)
    ran = log.read()
    # the assign's outbox row, then the push row the consumer owed in its own transaction
    assert ran.count("api.outbox.outbox_deliver") >= 2


def _wait_until_ready(proc, log, timeout=90):
    # Redis drops a message sent to a queue nobody has bound yet: send only once the worker listens.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the worker exited\n" + _tail(log)
        log.seek(0)
        if " ready." in log.read():
            return
        time.sleep(0.3)
    raise AssertionError("the worker was not ready within %d s\n%s" % (timeout, _tail(log)))


def _tail(log):
    log.flush()
    log.seek(0)
    return log.read()[-3000:]
