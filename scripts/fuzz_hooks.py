"""schemathesis hooks for scripts/fuzz.sh: dates and times at the edges of the calendar.

Every `format: date` and `format: date-time` value the fuzzer sends is drawn partly from the
edges (year 1 and year 9999, the offsets of +14:00 and -12:00, leap days), where a naive
conversion to UTC or local time, or the day an `until` adds, overflows Python's calendar.
The server must answer them with a 400 or a result, never a 500.
"""
from datetime import datetime

import schemathesis
from hypothesis import strategies as st

EDGE_DAYS = ["0001-01-01", "0001-01-02", "1970-01-01", "2000-02-29", "2024-02-29", "9999-12-30", "9999-12-31"]
EDGE_MOMENTS = [
    "0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "0001-01-02T00:00:00+00:00",
    "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999Z",
    "9999-12-30T00:00:00+07:00", "2024-02-29T23:59:59+07:00", "1970-01-01T00:00:00Z",
]
OFFSETS = ["Z", "+00:00", "+07:00", "+14:00", "-12:00", "+05:45"]

moments = st.builds(
    lambda moment, offset: moment.isoformat() + offset,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.sampled_from(OFFSETS),
)
days = st.dates().map(lambda day: day.isoformat())

schemathesis.openapi.format("date", st.one_of(st.sampled_from(EDGE_DAYS), days))
schemathesis.openapi.format("date-time", st.one_of(st.sampled_from(EDGE_MOMENTS), moments))
