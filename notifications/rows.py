"""The feed's shape from `values()` rows (api/rows.py): what NotificationSerializer writes,
key for key; the serializer stays the schema's source (tests/api/test_hot_rows.py)."""
from __future__ import annotations

from api.rows import datetime_formatter

from .messages import render
from .serializers import notification_params

COLUMNS = ("id", "kind", "params", "task_id", "assignment_id", "read_at", "created_at", "updated_at")


def notification_shaper(request):
    """row -> NotificationSerializer's dict (title and body in the active language)."""
    dt = datetime_formatter()

    def shape(r: dict) -> dict:
        params = r["params"]
        text = render(r["kind"], params if isinstance(params, dict) else {})
        read_at = r["read_at"]
        return {
            "id": r["id"], "kind": r["kind"], "title": text.title, "body": text.body, "task": r["task_id"],
            "assignment": r["assignment_id"], "params": notification_params(params), "is_read": read_at is not None,
            "read_at": dt(read_at), "created_at": dt(r["created_at"]), "updated_at": dt(r["updated_at"]),
        }

    return shape
