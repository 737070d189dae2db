"""Rebuilding the rollups from the assignments (`manage.py rebuild_rollups`).

The triggers (reports.rollup_sql) keep them exact, so a rebuild is for repair: after
a restore of the assignments alone, or a manual edit with the triggers disabled. It
locks the assignments against writes (reads go on), empties the rollups and fills
them again, in one transaction: nobody ever reads a half-built rollup.
"""
from __future__ import annotations

from django.db import connection, transaction

from . import rollup_sql


def fill_statements(vendor: str) -> list[str]:
    return rollup_sql.PG_FILL_V1 if vendor == "postgresql" else rollup_sql.SQLITE_FILL_V1


@transaction.atomic
def rollups_rebuild() -> dict[str, int]:
    """Empty and refill every rollup from tasks_assignment; returns the rows per rollup table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE")
        for statement in rollup_sql.EMPTY + fill_statements(connection.vendor):
            cursor.execute(statement)
        counts = {}
        for table in rollup_sql.ROLLUP_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            for table in rollup_sql.ROLLUP_TABLES:
                cursor.execute(f"ANALYZE {table}")
    return counts
