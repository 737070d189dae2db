"""PostgreSQL: the rollup triggers' statements that join a transition table are planned
per call (reports.rollup_sql, version 2).

PL/pgSQL kept the plan made for the first call of the session: a team merge then joined
the memberships it moved to their assignments and to their new rows in a nested loop
(bench/merge.py: 27 to 129 s). Only the functions change; the triggers and the rollups'
rows stay as they are (both versions count the same).
"""
from django.db import migrations

from reports import rollup_sql


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V2)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V2_UNDO)


class Migration(migrations.Migration):

    dependencies = [("reports", "0009_merge_rollups_topics_kinds")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
