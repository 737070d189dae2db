"""PostgreSQL: the member-board triggers (reports.rollup_sql, version 3) refresh a person's
first member role under each enclosing team in one grouped pass and write only the rows
whose date changes, instead of a correlated sub-select for every touched row (a merge of a
commune with 10,000 members spent 1.7 s of its membership UPDATE there). The functions are
replaced in place; the triggers that call them stay. SQLite's row triggers are reinstalled
after every `migrate` and keep their per-row refresh (one person at a time there).
"""
from django.db import migrations

from reports import rollup_sql


def replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V3_FUNCTIONS)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0013_subtree_periods'),
    ]

    # Backwards: the functions of this text stay (they give the same rows as the former ones).
    operations = [migrations.RunPython(replace, migrations.RunPython.noop, elidable=False)]
