"""The transactional outbox: work a change owes to the outside, kept until it is done.

A write that owes something (a notification, a push, later an SMS or a report
delivery) calls `outbox_enqueue(kind, payload, key)` inside its own transaction:
the row commits or rolls back with the change, so nothing is owed for a change
that did not happen and nothing owed is forgotten because the broker was down.

Once the transaction commits the row is handed to Celery at once (eagerly, in
the same process, when no broker is configured). That hand-over happens on a
background thread and may fail (broker down or frozen) without the request
noticing. Whatever was lost on the way (the broker restarted empty, a worker
died mid-task, the message was dropped) is handed over again by the relay
(`outbox_relay`, on the beat schedule every OUTBOX_RELAY_SECONDS): every row
not done whose `available_at` has passed. `manage.py outbox` shows what is owed
and re-drives it.

Consumers are registered by the app that owns the effect, from its
`AppConfig.ready()`: `register("tasks.assigned", handler)`. A consumer runs in
one transaction with the row's `done_at`, under the row's lock: a redelivery of
a message whose effect committed finds it done and does nothing; two deliveries
at once run one after the other. Handlers must still be idempotent per effect
(a unique key on what they write), since they may run again after a crash that
rolled nothing back outside the database.
"""
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .compiled import insert_row
from .models import OutboxMessage
from .postgresql import prepared_cursor

logger = logging.getLogger(__name__)

Handler = Callable[[dict], object]
_handlers: dict[str, list[Handler]] = {}


def register(kind: str, handler: Handler) -> None:
    """Run `handler(payload)` for every outbox row of `kind` (called from AppConfig.ready())."""
    handlers = _handlers.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def handlers_for(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, ()))


def _retry_after() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_RETRY_SECONDS)


def outbox_enqueue(kind: str, payload: dict, key: str, not_before=None) -> None:
    """Owe `kind(payload)` once this transaction commits; `key` names the piece of work.

    Must run inside the writer's transaction (RuntimeError otherwise: written on its
    own, the row could outlive a change that rolled back). The same key twice is one
    row (one INSERT ... ON CONFLICT DO NOTHING). The row is handed over on commit,
    or, with `not_before` in the future (a push held through the quiet hours), by the
    first relay run after that time.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_enqueue() belongs inside the transaction of the change it follows.")
    now = timezone.now()
    key = key[:255]
    later = not_before is not None and not_before > now
    available_at = not_before if later else now + _retry_after()
    # One INSERT ... ON CONFLICT DO NOTHING, as bulk_create(ignore_conflicts=True) writes it,
    # without the instance and the batch (every workflow step writes one).
    insert_row(OutboxMessage, {"kind": kind, "payload": payload, "key": key, "created_at": now,
                               "available_at": available_at, "attempts": 0, "last_error": ""},
               ignore_conflicts=True)
    if not later:
        transaction.on_commit(lambda: hand_over(key), robust=True)


# Handing rows to Celery ------------------------------------------------------------

def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


class _Publisher:
    """One daemon thread per process that publishes ids to the broker.

    A request never waits for the broker: it drops the id into a bounded queue and
    returns. A full queue or a failed publish leaves the row owed; the relay sends it.
    """

    def __init__(self):
        self._queue: queue.Queue[str] = queue.Queue(maxsize=10_000)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures = 0

    def submit(self, message_key: str) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbox-publisher", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait(message_key)
        except queue.Full:
            logger.warning("outbox publisher queue full; message %s is left to the relay", message_key)

    def _run(self):
        while True:
            key = self._queue.get()
            try:
                self.publish(key)
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float) -> bool:
        """For tests that change the broker settings: True once every id handed over has been
        tried (a publish in flight to a frozen broker must finish before the settings change
        under it, or it would run the consumer in this thread)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self._queue.unfinished_tasks

    def publish(self, message_key: str) -> bool:
        return bool(publish([message_key]))


def publish(keys: list[str]) -> list[str]:
    """Send one consumer message per key over a fresh broker connection; the keys sent.

    A fresh connection each time: a pooled one can be left broken by a broker restart
    (kombu then fails on it until the process restarts), and the whole point here is to
    recover by itself. Stops at the first refusal; what was not sent stays owed.
    """
    from celery import current_app

    sent: list[str] = []
    try:
        with current_app.connection_for_write() as conn:
            for key in keys:
                outbox_deliver.apply_async((key,), connection=conn, retry=False)
                sent.append(key)
    except Exception as exc:  # broker down or frozen: the relay sends the rest later
        _publisher.failures += 1
        logger.warning("outbox: broker refused (%s); %d of %d messages stay owed for the relay",
                       exc.__class__.__name__, len(keys) - len(sent), len(keys))
    return sent


_publisher = _Publisher()


def hand_over(message_key: str) -> None:
    """Give one committed row to a consumer: in place when eager, else through the broker."""
    if _eager():
        try:
            deliver(message_key)
        except Exception:  # left owed; `manage.py outbox --redrive` or the relay retries it
            logger.exception("outbox message %s failed; it stays owed", message_key)
        return
    _publisher.submit(message_key)


# Consuming ---------------------------------------------------------------------------

def _claim(message_key: str) -> tuple[str, dict] | None:
    """Mark the owed row done and give its (kind, payload); None when it is done already.

    One UPDATE ... RETURNING instead of a SELECT ... FOR UPDATE and an UPDATE after the
    handlers: the UPDATE takes the row's lock, so a delivery of the same key at the same
    time waits, then finds it done and does nothing. Inside the delivery's transaction, a
    handler that fails rolls the mark back with everything else."""
    meta, quote = OutboxMessage._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("kind", "payload", "key", "done_at",
                                                                   "last_error")}
    with prepared_cursor(connection) as cursor:  # one text for every key: prepared once
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {column['done_at']} = %s, {column['last_error']} = '' "
            f"WHERE {column['key']} = %s AND {column['done_at']} IS NULL "
            f"RETURNING {column['kind']}, {column['payload']}",
            [connection.ops.adapt_datetimefield_value(timezone.now()), message_key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    payload = meta.get_field("payload").from_db_value(row[1], None, connection)
    return row[0], payload


def deliver(message_key: str) -> bool:
    """Run the handlers of one row and mark it done, in one transaction; False if already done."""
    try:
        with transaction.atomic():
            claimed = _claim(message_key)
            if claimed is None:
                return False
            kind, payload = claimed
            handlers = handlers_for(kind)
            if not handlers:
                raise LookupError(f"no consumer is registered for outbox kind {kind!r}")
            for handler in handlers:
                handler(payload)
    except Exception as exc:
        _note_failure(message_key, exc)
        raise
    return True


def _note_failure(message_key: str, exc: Exception) -> None:
    try:
        OutboxMessage.objects.filter(key=message_key).update(
            attempts=F("attempts") + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:500]
        )
    except DatabaseError:
        pass  # the database is what failed; the row keeps its last state


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, BrokerError, ConnectionError, TimeoutError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=10,
)
def outbox_deliver(message_key: str) -> bool:
    """Consume one outbox row (retried with backoff on database and broker errors)."""
    return deliver(message_key)


# The relay ---------------------------------------------------------------------------

def relay(*, limit: int = 1000, now=None) -> int:
    """Hand every owed row whose time has come to a consumer again; returns how many.

    Rows are claimed with SKIP LOCKED (a row being consumed right now is left alone),
    published, and only then pushed OUTBOX_RETRY_SECONDS into the future, so a broker
    that refuses leaves them due for the next run.
    """
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, available_at__lte=now)
            .order_by("available_at", "id")
            .values_list("key", flat=True)[:limit]
        )
        if not due:
            return 0
        eager = _eager()
        published = list(due) if eager else publish(due)
        OutboxMessage.objects.filter(key__in=published).update(
            available_at=now + _retry_after(), attempts=F("attempts") + 1
        )
        sent = len(published)
    if eager:
        for key in published:
            hand_over(key)
    return sent


@shared_task
def outbox_relay() -> int:
    return relay()


def outbox_stats(now=None) -> dict:
    """What is owed: counts per kind, how many are past their retry time, the oldest's age."""
    now = now or timezone.now()
    owed = OutboxMessage.objects.filter(done_at__isnull=True)
    summary = owed.aggregate(owed=Count("id"), oldest=Min("created_at"),
                             overdue=Count("id", filter=Q(available_at__lt=now)))
    by_kind = dict(owed.values_list("kind").annotate(n=Count("id")).order_by())
    oldest = summary["oldest"]
    return {
        "owed": summary["owed"],
        "overdue": summary["overdue"],
        "oldest_owed_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "by_kind": by_kind,
        "failing": owed.exclude(last_error="").count(),
        "publish_failures_this_process": _publisher.failures,
    }


def prune_done(now=None) -> int:
    """Delete rows done longer than OUTBOX_KEEP_DAYS ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=cutoff).delete()
    return deleted


def wait_until_drained(timeout: float = 30.0, poll: float = 0.2) -> bool:
    """For tools and tests: True once nothing is owed (within `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OutboxMessage.objects.filter(done_at__isnull=True).exists():
            return True
        time.sleep(poll)
    return False
