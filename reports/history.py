"""Reading and completing the change history kept by django-simple-history."""
from __future__ import annotations

from datetime import date, datetime

from django.db import connection
from django.db.models import Q, QuerySet
from simple_history.models import HistoricalRecords
from django.utils import timezone


def record_bulk_change(queryset: QuerySet, *, actor=None, reason: str = "") -> int:
    """Write one "changed" history row per object of `queryset`, as it is now.

    QuerySet.update() and bulk_update() skip save() and so the history signal;
    a service that uses them calls this right after, in the same transaction,
    with a queryset of the rows it touched. One SELECT and one bulk INSERT.
    Without `actor` the request's user (HistoryRequestMiddleware) is taken.
    Returns the number of rows recorded.
    """
    model = queryset.model
    objects = list(queryset)
    if not objects:
        return 0
    created = model.history.bulk_history_create(
        objects, update=True, default_user=actor, default_change_reason=reason,
    )
    return len(created or [])


def _json_value(value) -> str | None:
    """A value as text: one type for every field, so a generated client reads each entry alike."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _tracked_fields(record):
    return [f for f in type(record).tracked_fields if f.name != "id"]


def _changes(record, previous) -> list[dict]:
    if record.history_type == "-":
        return []
    if record.history_type == "+" or previous is None:
        return [
            {"field": f.name, "old": None, "new": _json_value(getattr(record, f.attname))}
            for f in _tracked_fields(record)
            if getattr(record, f.attname) not in (None, "")
        ]
    # Compared field by field rather than with diff_against(), which skips
    # non-editable fields such as a team's path (a move is exactly that).
    changes = []
    for f in _tracked_fields(record):
        old, new = getattr(previous, f.attname), getattr(record, f.attname)
        if old != new:
            changes.append({"field": f.name, "old": _json_value(old), "new": _json_value(new)})
    return changes


def history_of(model, pk) -> QuerySet:
    """The object's historical rows, newest first, with the actor joined in."""
    return (
        model.history.filter(id=pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def history_entries(records: list, full: QuerySet) -> list[dict]:
    """Entries for one page of `full` (newest first): each is diffed against the row before it.

    The row just older than the page is fetched with one query, so every
    entry on the page, the last one included, shows what it changed.
    """
    if not records:
        return []
    last = records[-1]
    older = full.filter(
        Q(history_date__lt=last.history_date) | Q(history_date=last.history_date, history_id__lt=last.history_id)
    ).first()
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else older
        user = record.history_user
        entries.append({
            "id": record.history_id,
            "changed_at": record.history_date,
            "changed_by": {"id": user.pk, "full_name": user.full_name} if user else None,
            "type": record.history_type,
            "reason": record.history_change_reason,
            "changes": _changes(record, previous),
        })
    return entries



def record_subtree_move(*, team, subtree: QuerySet, actor=None) -> int:
    """api.hooks.subtree_moved: the descendants' new paths go into their history."""
    return record_bulk_change(subtree, actor=actor, reason="subtree moved")


def record_bulk_removal(*, queryset: QuerySet, actor=None, reason: str = "") -> int:
    """api.hooks.bulk_deleting: rows about to be deleted go into their history as removed."""
    return record_bulk_rows(queryset=queryset, actor=actor, reason=reason, history_type="-")


def record_bulk_rows(*, queryset: QuerySet, actor=None, reason: str = "", history_type: str = "~") -> int:
    """api.hooks.bulk_changed: rows changed by QuerySet.update() go into their history as
    they are now, in one INSERT ... SELECT: a merge records 10,000 memberships without
    loading them into Python. Models without a history are skipped. Without `actor` the
    request's user (HistoryRequestMiddleware) is taken. Returns the rows recorded."""
    model = queryset.model
    if not hasattr(model, "history"):
        return 0
    history = model.history.model
    if actor is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    tracked = [f.attname for f in history.tracked_fields]
    select_sql, params = queryset.order_by().values_list(*tracked).query.sql_with_params()
    qn = connection.ops.quote_name
    columns = [history._meta.get_field(name).column for name in tracked]
    columns += ["history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"SELECT rows.*, %s, %s, %s, %s FROM ({select_sql}) rows")
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, (stamp, reason, history_type, actor.pk if actor else None, *params))
        return cursor.rowcount
