"""Timestamps from PostgreSQL come through psycopg's C loader, exactly as Django's own loader gave them."""
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.utils import timezone

from api.pgtypes import _c_loader, use_c_timestamps
from notifications.models import Notification

TIMESTAMPTZ_OID = 1184
SAMPLES = ["2026-12-02 13:23:19.086235+00", "2019-12-31 23:59:59.5+07", "0001-01-01 00:00:00+00",
           "9999-12-31 23:59:59.999999+00", "1975-04-30 11:30:00-03:30"]


def _django_loader():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class DjangoUtc(BaseTzLoader):
        timezone = dt_timezone.utc

    return DjangoUtc


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_connection_reads_timestamps_with_the_c_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, 0)
    assert loader.__name__ == "UtcTimestampLoader" and loader.timezone is dt_timezone.utc
    instance = loader(TIMESTAMPTZ_OID, connection.connection)
    assert type(instance.load.__self__) is _c_loader()  # psycopg's C class does the parsing


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_c_loader_gives_what_djangos_loader_gave():
    connection.ensure_connection()
    ours = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, 0)(TIMESTAMPTZ_OID, connection.connection)
    django = _django_loader()(TIMESTAMPTZ_OID, connection.connection)
    for text in SAMPLES:
        mine, theirs = ours.load(text.encode()), django.load(text.encode())
        assert mine == theirs and mine.tzinfo is dt_timezone.utc and theirs.tzinfo is dt_timezone.utc, text
        assert mine.isoformat() == theirs.isoformat()
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz, NULL::timestamptz", [SAMPLES[1]])
        value, nothing = cursor.fetchone()
    assert value == datetime(2019, 12, 31, 16, 59, 59, 500000, tzinfo=dt_timezone.utc) and nothing is None


@pytest.mark.postgres
@pytest.mark.django_db
def test_model_datetimes_stay_aware_utc(world):
    moment = timezone.now().replace(microsecond=123456)
    note = Notification.objects.create(recipient=world.member_v1a, kind="assigned", params={"task": "T"})
    Notification.objects.filter(pk=note.pk).update(created_at=moment + timedelta(days=1))
    read = Notification.objects.get(pk=note.pk)
    assert read.created_at == moment + timedelta(days=1) and read.created_at.tzinfo is dt_timezone.utc


@pytest.mark.postgres
@pytest.mark.django_db
def test_another_session_zone_keeps_djangos_loader():
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Ho_Chi_Minh'")
    try:
        before = raw.adapters.get_loader(TIMESTAMPTZ_OID, 0)
        assert use_c_timestamps(connection=connection) is False
        assert raw.adapters.get_loader(TIMESTAMPTZ_OID, 0) is before
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")


@pytest.mark.django_db
def test_sqlite_and_other_databases_are_left_alone():
    if connection.vendor == "postgresql":
        pytest.skip("the other databases' case")
    assert use_c_timestamps(connection=connection) is False
