"""Work handed in per (enclosing team, person, week or month): reports.models.SubtreePeriod
and its triggers (reports.rollup_sql, version 4). Participation counts a subtree's active
and lapsed people from its root's rows instead of a DISTINCT over every team's rows.

PostgreSQL: statement-level triggers on reports_memberperiod and teams_team, installed with
the assignments and teams locked and the rows filled in the same transaction. SQLite's row
triggers come with the others after every `migrate` (reports.rollups.sqlite_triggers_install).
"""
from django.db import migrations, models
from django.db.models import Q

from reports import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V4)
        for statement in rollup_sql.PG_FILL_V4:
            schema_editor.execute(statement)
        schema_editor.execute(f"ANALYZE {rollup_sql.PERIOD_TABLE}")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V4_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0012_offline_quantity_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='SubtreePeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_id', models.BigIntegerField()),
                ('member_id', models.BigIntegerField()),
                ('period', models.CharField(max_length=5)),
                ('starts_on', models.DateField()),
                ('handed_in', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(condition=Q(('handed_in__gt', 0)),
                                         fields=['team_id', 'period', 'starts_on', 'member_id'],
                                         name='subtreeperiod_active')],
                'constraints': [models.UniqueConstraint(fields=('team_id', 'member_id', 'period', 'starts_on'),
                                                        name='subtreeperiod_key')],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
