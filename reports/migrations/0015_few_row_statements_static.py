"""PostgreSQL: the rollup triggers plan nothing for a statement of a few rows (reports.rollup_sql,
version 5): with an empty transition table a function returns at once, with up to eight rows
(a step's one row, its week and month periods) it runs its statements static (plans cached
for the session), with more it plans them per call as versions 2 to 4 did. The functions
are replaced in place; the triggers that call them stay. SQLite's row triggers are unchanged.

Measured on the bench seed (a one-row UPDATE of an assignment to completed, its triggers):
2.79 ms before, 0.87 ms after; reports_rollup_update alone 2.4 to 0.7 ms.
"""
from django.db import migrations

from reports import rollup_sql


def replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V5)


def undo(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V5_UNDO)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0014_first_role_refresh_grouped'),
    ]

    operations = [migrations.RunPython(replace, undo, elidable=False)]
