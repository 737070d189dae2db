"""Bulk SQL shared by the fan-out and the cancel: set-based writes (INSERT ... SELECT) that
the ORM has no verb for, and the batch size of the ORM's bulk writes. The rules these
writes obey are in rules.py; the callers check them before writing."""

from django.db import connection
from django.db.models import F, QuerySet

from ..models import AssignmentEvent

BATCH_SIZE = 5000


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _insert_events(assignments: QuerySet, *, kind: str, to_status: str, actor, now, note: str = "") -> int:
    """One event per assignment in `assignments`, from the status it has now,
    written by a single INSERT ... SELECT."""
    source = (assignments.order_by()
              .annotate(src_id=F("pk"), src_status=F("status"))
              .values_list("src_id", "src_status"))
    select_sql, select_params = source.query.sql_with_params()
    E = AssignmentEvent
    columns = ", ".join(_column(E, f) for f in
                        ("assignment", "from_status", "kind", "to_status", "actor", "note", "created_at"))
    sql = (f"INSERT INTO {_table(E)} ({columns}) "
           f"SELECT src.src_id, src.src_status, %s, %s, %s, %s, %s FROM ({select_sql}) src")
    params = (kind, to_status, getattr(actor, "pk", None), note,
              connection.ops.adapt_datetimefield_value(now), *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
