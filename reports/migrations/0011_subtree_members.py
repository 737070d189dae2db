"""People per enclosing team (reports.models.SubtreeMember) and the triggers that keep them
(reports.rollup_sql, version 3): the member board, the active members and participation's
members and new read a subtree's root row by row in index order instead of grouping
100,000 people's memberships and tallies at every request.

PostgreSQL: statement-level triggers on reports_membertally, teams_membership, teams_member
and teams_team, installed with those tables locked and the rows filled in the same
transaction. SQLite's row triggers come with the others after every `migrate`
(reports.rollups.sqlite_triggers_install). Also a partial index of the people who left
the boards (`show_on_boards` off), which every board query leaves out (PostgreSQL).
"""
from django.db import migrations, models
from django.db.models import Q

from reports import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V3)
        for statement in rollup_sql.PG_FILL_V3:
            schema_editor.execute(statement)
        schema_editor.execute(f"ANALYZE {rollup_sql.SUBTREE_TABLE}")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS reports_member_hidden ON teams_member (id) "
                              "WHERE NOT show_on_boards")


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(rollup_sql.PG_V3_DROP)
        schema_editor.execute("DROP INDEX IF EXISTS reports_member_hidden")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0010_rollup_triggers_plan_per_statement'),
        ('teams', '0005_merge_kinds_and_boards'),
    ]

    operations = [
        migrations.CreateModel(
            name='SubtreeMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('team_id', models.BigIntegerField()),
                ('member_id', models.BigIntegerField()),
                ('completed', models.IntegerField(default=0)),
                ('verified', models.IntegerField(default=0)),
                ('roles', models.IntegerField(default=0)),
                ('tallies', models.IntegerField(default=0)),
                ('first_role_at', models.DateTimeField(null=True)),
            ],
            options={
                'indexes': [
                    models.Index(condition=Q(('roles__gt', 0), ('tallies__gt', 0), _connector='OR'),
                                 fields=['team_id', '-verified', '-completed', 'member_id'], name='subtreemember_board'),
                    models.Index(condition=Q(('roles__gt', 0)), fields=['team_id', 'first_role_at'],
                                 name='subtreemember_roles'),
                ],
                'constraints': [models.UniqueConstraint(fields=('team_id', 'member_id'), name='subtreemember_key')],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
