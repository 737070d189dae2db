"""A date-time from before 1906 (Asia/Ho_Chi_Minh's local mean time, +07:06:40) is served
with an offset a client can parse: RFC 3339 offsets have no seconds (schemathesis found a
campaign starting in year 87 served as ...+07:06:30)."""
from datetime import UTC, datetime

from api.fields import DateTimeField


def test_an_offset_with_seconds_is_written_in_utc():
    ancient = datetime(87, 9, 15, 3, 11, 45, tzinfo=UTC)
    assert DateTimeField().to_representation(ancient) == "0087-09-15T03:11:45Z"


def test_a_modern_moment_keeps_its_local_offset():
    assert DateTimeField().to_representation(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == "2026-12-01T10:00:00+07:00"
