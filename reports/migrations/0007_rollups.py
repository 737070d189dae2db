"""The report rollups and the triggers that keep them (reports.rollup_sql, version 1).

PostgreSQL: statement-level triggers (the table is locked while they are created and
the rollups filled, so no write slips between the two). SQLite's row triggers are put
in place after every `migrate` instead (reports.rollups.sqlite_triggers_install): a
SQLite table rebuild by a later migration would drop or break them.
"""
from django.db import migrations, models

from reports import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V1)
        for statement in rollup_sql.PG_FILL_V1:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V1_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_task_publish_at'),
        ('tasks', '0002_assignment_indexes_for_sync_and_fan_out'),
        ('teams', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DailyTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_id', models.BigIntegerField()),
                ('task_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('status', models.CharField(max_length=20)),
                ('n', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['team_id', 'day'], name='dailytally_team_day')],
                'constraints': [models.UniqueConstraint(fields=('team_id', 'task_id', 'day', 'status'), name='dailytally_key')],
            },
        ),
        migrations.CreateModel(
            name='MemberPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('member_id', models.BigIntegerField()),
                ('team_id', models.BigIntegerField()),
                ('period', models.CharField(max_length=5)),
                ('starts_on', models.DateField()),
                ('handed_in', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['team_id', 'period', 'starts_on', 'member_id'], name='memberperiod_team')],
                'constraints': [models.UniqueConstraint(fields=('member_id', 'team_id', 'period', 'starts_on'), name='memberperiod_key')],
            },
        ),
        migrations.CreateModel(
            name='MemberTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('member_id', models.BigIntegerField()),
                ('team_id', models.BigIntegerField()),
                ('completed', models.IntegerField(default=0)),
                ('verified', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['team_id'], name='membertally_team')],
                'constraints': [models.UniqueConstraint(fields=('member_id', 'team_id'), name='membertally_key')],
            },
        ),
        migrations.CreateModel(
            name='TeamDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('created', models.IntegerField(default=0)),
                ('handed_in', models.IntegerField(default=0)),
                ('verified', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('team_id', 'day'), name='teamday_key')],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
