"""Rebuilding the rollups from the assignments (`manage.py rebuild_rollups`).

The triggers (reports.rollup_sql) keep them exact, so a rebuild is for repair: after
a restore of the assignments alone, or a manual edit with the triggers disabled. It
locks the assignments against writes (reads go on), empties the rollups and fills
them again, in one transaction: nobody ever reads a half-built rollup.
"""
from __future__ import annotations

from django.db import connection, connections, transaction

from . import rollup_sql


TABLES = (*rollup_sql.ROLLUP_TABLES, rollup_sql.SUBTREE_TABLE, rollup_sql.PERIOD_TABLE)


def fill_statements(vendor: str) -> list[str]:
    """Empty and fill every rollup. reports_subtreemember and reports_subtreeperiod go last:
    they are made from reports_membertally and reports_memberperiod (whose triggers keep
    them meanwhile; they are then filled afresh)."""
    if vendor == "postgresql":
        v1, v2, v3 = rollup_sql.PG_FILL_V1, rollup_sql.PG_FILL_V3, rollup_sql.PG_FILL_V4
    else:
        v1, v2, v3 = rollup_sql.SQLITE_FILL_V1, rollup_sql.SQLITE_FILL_V3, rollup_sql.SQLITE_FILL_V4
    return [*rollup_sql.EMPTY, *v1, f"DELETE FROM {rollup_sql.SUBTREE_TABLE}", *v2,
            f"DELETE FROM {rollup_sql.PERIOD_TABLE}", *v3]


@transaction.atomic
def rollups_rebuild() -> dict[str, int]:
    """Empty and refill every rollup from tasks_assignment; returns the rows per rollup table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE")
        for statement in fill_statements(connection.vendor):
            cursor.execute(statement)
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"ANALYZE {table}")
    return counts


# SQLite (development) -----------------------------------------------------------------------
# Django rebuilds a SQLite table for many schema changes (create a copy, drop, rename):
# that drops the triggers on the table and fails on triggers that name it. So on SQLite
# the triggers are taken away before every `migrate` and put back after it, with the
# rollups rebuilt from the assignments (a development database is small).

def _sqlite_ready(using: str) -> bool:
    tables = set(connections[using].introspection.table_names())
    return {"tasks_assignment", "teams_member", "teams_membership", *TABLES} <= tables


def sqlite_triggers_drop(using: str = "default", **kwargs) -> None:
    """pre_migrate (on SQLite): no rollup trigger while tables are rebuilt."""
    if connections[using].vendor != "sqlite":
        return
    with connections[using].cursor() as cursor:
        for statement in rollup_sql.SQLITE_V1_DROP + rollup_sql.SQLITE_V3_DROP + rollup_sql.SQLITE_V4_DROP:
            cursor.execute(statement)


def sqlite_triggers_install(using: str = "default", **kwargs) -> None:
    """post_migrate (on SQLite): the triggers back, and the rollups rebuilt to match."""
    if connections[using].vendor != "sqlite" or not _sqlite_ready(using):
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Filled first, then the triggers: no row trigger runs for the fill's rows.
        for statement in rollup_sql.SQLITE_V1_DROP + rollup_sql.SQLITE_V3_DROP + rollup_sql.SQLITE_V4_DROP + fill_statements("sqlite"):
            cursor.execute(statement)
        for statement in rollup_sql.SQLITE_V1 + rollup_sql.SQLITE_V3 + rollup_sql.SQLITE_V4:
            cursor.execute(statement)
