"""Baseline: a coordinator's first 100 assignments by one hand-written SQL query.

Same rows and fields as `GET /api/v1/assignments/?page_size=100` (the task
inline, assignee, team, review fields, is_overdue), fetched straight through the
database driver (psycopg on PostgreSQL, sqlite3 otherwise) and serialized with
the JSON library and encoder DRF's renderer uses. The caller's team paths are
given: resolving them is part of "ours" only.
"""
from __future__ import annotations

import datetime
import json
import sqlite3

from django.conf import settings
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

SQL = """
SELECT a.id, a.status, a.evidence_url, a.evidence_image, a.note, a.completed_at,
       a.reviewed_by_id, a.reviewed_at, a.review_note, a.updated_at,
       t.id, t.title, t.kind, t.platform, t.reference_url, t.due_at, t.status, t.priority,
       m.id, m.full_name, a.team_id, tm.name,
       (t.status = 'open' AND t.due_at < {p} AND a.status IN ('assigned', 'in_progress', 'rejected')) AS is_overdue
FROM tasks_assignment a
JOIN teams_team tm ON tm.id = a.team_id
JOIN tasks_task t ON t.id = a.task_id
JOIN teams_member m ON m.id = a.assignee_id
WHERE tm.path LIKE {p}
ORDER BY a.id DESC
LIMIT {p}
"""


OWN_SQL = SQL.replace("WHERE tm.path LIKE {p}", "WHERE a.assignee_id = {p}")


class RawAssignmentList:
    """`conn`: an open DB-API connection to use (tests pass Django's own); default: a new one."""

    def __init__(self, alias: str = "default", conn=None):
        db = settings.DATABASES[alias]
        self.owns_connection = conn is None
        if conn is None:
            if db["ENGINE"].endswith("postgresql"):
                import psycopg

                conn = psycopg.connect(
                    dbname=db["NAME"], user=db["USER"] or None, password=db["PASSWORD"] or None,
                    host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True,
                )
            else:
                conn = sqlite3.connect(db["NAME"])
        self.conn = conn
        self.driver = "sqlite3" if isinstance(conn, sqlite3.Connection) else "psycopg"
        self.sql = SQL.format(p="?" if self.driver == "sqlite3" else "%s")
        self.own_sql = OWN_SQL.format(p="?" if self.driver == "sqlite3" else "%s")

    def close(self):
        if self.owns_connection:
            self.conn.close()

    def page(self, team_path: str, page_size: int = 100) -> bytes:
        """The first page of the assignments of a team's subtree."""
        return self._page(self.sql, team_path + "%", page_size)

    def own_page(self, member_id: int, page_size: int = 50) -> bytes:
        """The first page of one member's own assignments (the phone's feed)."""
        return self._page(self.own_sql, member_id, page_size)

    def _page(self, sql, where, page_size) -> bytes:
        now = timezone.now()
        if self.driver == "sqlite3":
            # Django keeps SQLite datetimes as naive UTC text.
            now = now.astimezone(datetime.timezone.utc).replace(tzinfo=None).isoformat(" ")
        cursor = self.conn.cursor()
        cursor.execute(sql, (now, where, page_size))
        results = [
            {
                "id": r[0],
                "task": {"id": r[10], "title": r[11], "kind": r[12], "platform": r[13], "reference_url": r[14],
                         "due_at": r[15], "status": r[16], "priority": r[17]},
                "assignee": {"id": r[18], "full_name": r[19]},
                "team": {"id": r[20], "name": r[21]},
                "status": r[1], "evidence_url": r[2], "evidence_image": r[3] or None, "note": r[4],
                "completed_at": r[5], "reviewed_by": r[6], "reviewed_at": r[7], "review_note": r[8],
                "is_overdue": bool(r[22]), "updated_at": r[9],
            }
            for r in cursor.fetchall()
        ]
        cursor.close()
        return json.dumps({"results": results}, cls=JSONEncoder, ensure_ascii=False,
                          separators=(",", ":")).encode()
