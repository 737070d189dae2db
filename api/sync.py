"""Delta sync: `?updated_since=<cursor>` on lists, and the next cursor in `X-Sync-Cursor`.

How a row committed late is never missed
----------------------------------------
`updated_at` is stamped when a row is written, but the row becomes visible only
when its transaction commits. A reader that lists rows at instant R and hands the
client cursor R would skip a row stamped at T < R whose transaction commits after
R: the next sync asks for rows updated since R and the row is older than that.

So the cursor is not R but the earliest moment at which a row the reader could not
see may have been stamped, minus an overlap:

    cursor = min(R, start of the oldest open transaction that has written) - SYNC_OVERLAP

taken *before* the list query runs. On PostgreSQL the open writing transactions are
read from `pg_stat_activity` (same database; `backend_xid` is set once a
transaction writes; a role sees these columns for its own sessions, and for other
roles' only with pg_read_all_stats, so the API's writers should share its role).
Any row stamped before the cursor was therefore committed before the list query's
snapshot and was in this response.

The reading of the open writers need not be fresh: taken at any moment P before
the list's snapshot, `min(P, the oldest writer open at P)` is still a safe bound
(a transaction open at the snapshot was either open at P, and then listed, or
began after P, and stamps its rows after P). So a process keeps its last reading
for SYNC_WRITERS_READING_SECONDS (1 s) and lists in the meantime cost no extra
query: their cursor is at most that much earlier, which a client only pays for
with a few repeated rows. `SYNC_OVERLAP` (5 s by default) covers clock
differences between app servers and the instant between stamping a row and
sending it to the database. On SQLite (development) the overlap alone applies:
a write transaction held open longer than it could be missed there.

`updated_since` keeps rows with `updated_at >= cursor`: a delta may repeat rows the
client already has; clients upsert by id, so a repeat is harmless and nothing is lost.
When a delta spans several pages, the client keeps the cursor of the *first* page
for its next sync: whatever changed while it was paging is then fetched again.
"""
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from .fields import OUT_OF_RANGE, in_calendar

SYNC_PARAM = "updated_since"
SYNC_HEADER = "X-Sync-Cursor"

_OLDEST_WRITER_SQL = """
SELECT min(xact_start) FROM pg_stat_activity
WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()
"""


# This process's last reading of the open writers: (the moment it was taken, the oldest
# writer's start or None). One per process: gunicorn's workers each keep their own.
_reading: tuple[datetime, datetime | None] | None = None


def _writers_bound(now: datetime) -> datetime:
    """min(P, the oldest writer open at P) for a reading taken at P <= now: reused while it is
    younger than SYNC_WRITERS_READING_SECONDS, else taken anew (one query)."""
    global _reading
    reading = _reading
    if reading is None or not 0 <= (now - reading[0]).total_seconds() < settings.SYNC_WRITERS_READING_SECONDS:
        taken = timezone.now()  # before the query: the reading is at least this recent
        with connection.cursor() as cursor:
            cursor.execute(_OLDEST_WRITER_SQL)
            reading = _reading = (taken, cursor.fetchone()[0])
    taken, oldest = reading
    return oldest if oldest is not None and oldest < taken else taken


def forget_writers_reading() -> None:
    """The next cursor reads the open writers anew (tests; a process after a fork)."""
    global _reading
    _reading = None


def sync_cursor(now: datetime | None = None) -> datetime:
    """The cursor a client may send back as `updated_since` to miss nothing (see the module doc)."""
    moment = now or timezone.now()
    if connection.vendor == "postgresql":
        moment = min(moment, _writers_bound(moment))
    return moment - settings.SYNC_OVERLAP


def format_cursor(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_updated_since(raw: str) -> datetime:
    """An ISO 8601 timestamp with a zone offset (a cursor as sent in X-Sync-Cursor); 400 otherwise."""
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is not None and timezone.is_aware(moment) and not in_calendar(moment):
        raise ValidationError({SYNC_PARAM: [str(OUT_OF_RANGE)]})
    if moment is None or timezone.is_naive(moment):
        raise ValidationError({SYNC_PARAM: [_("Send an ISO 8601 date-time with a time zone, such as the "
                                              "X-Sync-Cursor of the previous response.")]})
    return moment


class DeltaSyncMixin:
    """For list viewsets: honours `updated_since` and sends `X-Sync-Cursor`.

    `sync_field` names the timestamp column (`updated_at`). Rows that left the
    client's interest (cancelled, finished) must keep being listed so a delta brings
    them back: the viewset's queryset must not hide them.
    """

    sync_field = "updated_at"
    # None: the viewset's filterset applies `updated_since` itself (e.g. with wider
    # semantics, such as an assignment whose task changed); only the cursor is added.

    def list(self, request, *args, **kwargs):
        # Taken before the list query: see the module docstring.
        cursor = sync_cursor()
        response = super().list(request, *args, **kwargs)
        response[SYNC_HEADER] = format_cursor(cursor)
        return response

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        raw = self.request.query_params.get(SYNC_PARAM)
        if self.sync_field and self.action == "list" and raw not in (None, ""):
            queryset = queryset.filter(**{f"{self.sync_field}__gte": parse_updated_since(raw)})
        return queryset
