"""The delta-sync cursor: server clock, overlap, and a row committed late is not missed."""
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from api.sync import format_cursor, sync_cursor
from notifications.models import Notification

FEED = "/api/v1/notifications/"


@pytest.mark.django_db
def test_cursor_is_the_server_clock_minus_the_overlap(world, client_for, settings):
    settings.SYNC_OVERLAP = timedelta(seconds=5)
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        response = client_for(world.member_v1a).get(FEED, HTTP_DATE="Thu, 01 Jan 1970 00:00:00 GMT")
    assert parse_datetime(response["X-Sync-Cursor"]) == moment - timedelta(seconds=5)


@pytest.mark.django_db
def test_rows_updated_exactly_at_the_cursor_are_included(world, client_for):
    n = Notification.objects.create(recipient=world.member_v1a, kind="assigned", params={"task": "T"})
    results = client_for(world.member_v1a).get(FEED, {"updated_since": format_cursor(n.updated_at)}).json()
    assert [r["id"] for r in results["results"]] == [n.pk]


@contextmanager
def _slow_writer(world):
    """A transaction on another connection that writes a notification for member_v1a and holds
    it uncommitted while the body runs (1.5 s after the write: its stamp is that much older
    than the reads); yields the row's id and updated_at, and commits it on the way out."""
    written, release, done = threading.Event(), threading.Event(), threading.Event()
    slow = {}

    def write():
        try:
            with transaction.atomic():
                row = Notification.objects.create(recipient=world.member_v1a, kind="assigned",
                                                  params={"task": "Chậm"})
                slow["id"], slow["updated_at"] = row.pk, row.updated_at
                written.set()
                release.wait(timeout=30)  # holds the row uncommitted while the reader syncs
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert written.wait(timeout=30)
        time.sleep(1.5)
        yield slow
    finally:
        release.set()
        done.wait(timeout=30)
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_committed_late_by_a_slow_writer_reaches_the_next_sync(world, client_for, settings):
    # A short overlap (it covers the instant between stamping a row and sending it) and a writer
    # that holds its row far longer: only the look at open transactions can protect it.
    settings.SYNC_OVERLAP = timedelta(milliseconds=300)
    client = client_for(world.member_v1a)
    fast = Notification.objects.create(recipient=world.member_v1a, kind="assigned", params={"task": "Nhanh"})
    with _slow_writer(world) as slow:
        read_at = timezone.now()
        first = client.get(FEED)
        # the slow row is stamped before the read, but not visible to it
        assert slow["updated_at"] < read_at
        assert [r["id"] for r in first.json()["results"]] == [fast.pk]
        cursor = first["X-Sync-Cursor"]
        # a cursor taken from the clock alone (minus the overlap) would have skipped it forever
        assert slow["updated_at"] < read_at - settings.SYNC_OVERLAP
        assert parse_datetime(cursor) <= slow["updated_at"]

    second = client.get(FEED, {"updated_since": cursor}).json()["results"]
    assert slow["id"] in [r["id"] for r in second]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_open_writers_the_cursor_is_the_clock(settings):
    settings.SYNC_OVERLAP = timedelta(0)
    before = timezone.now()
    assert before <= sync_cursor() <= timezone.now()


def _writer_readings(queries) -> int:
    return sum("pg_stat_activity" in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_process_reuses_its_reading_of_the_writers_for_a_second(world, client_for, settings):
    settings.SYNC_WRITERS_READING_SECONDS = 1
    client = client_for(world.member_v1a)
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        with CaptureQueriesContext(connection) as first:
            client.get(FEED)
    with time_machine.travel(moment + timedelta(milliseconds=900), tick=False):
        with CaptureQueriesContext(connection) as soon:
            response = client.get(FEED)
        # the cursor is the reading's moment, not the clock's: at most a second earlier
        assert parse_datetime(response["X-Sync-Cursor"]) == moment - settings.SYNC_OVERLAP
    with time_machine.travel(moment + timedelta(seconds=1), tick=False):
        with CaptureQueriesContext(connection) as later:
            client.get(FEED)
    assert [_writer_readings(q) for q in (first, soon, later)] == [1, 0, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reading_taken_before_a_slow_writer_began_still_catches_its_row(world, client_for, settings):
    # The reading is reused while a writer that began after it holds a row stamped long before
    # the list: the cursor stays at the reading's moment, before the row.
    settings.SYNC_OVERLAP = timedelta(milliseconds=300)
    settings.SYNC_WRITERS_READING_SECONDS = 600
    client = client_for(world.member_v1a)
    client.get(FEED)  # the reading: no writer is open yet
    with _slow_writer(world) as slow:
        with CaptureQueriesContext(connection) as queries:
            first = client.get(FEED)
        assert _writer_readings(queries) == 0  # the earlier reading served
        assert slow["id"] not in [r["id"] for r in first.json()["results"]]
        cursor = first["X-Sync-Cursor"]
        assert parse_datetime(cursor) <= slow["updated_at"]

    second = client.get(FEED, {"updated_since": cursor}).json()["results"]
    assert slow["id"] in [r["id"] for r in second]
