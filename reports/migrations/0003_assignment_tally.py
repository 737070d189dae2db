"""The assignment tally (reports.models.AssignmentTally) and the triggers that keep it.

Statement-level triggers with transition tables: a fan-out of 100,000 rows costs one
grouped upsert, not 100,000 row triggers. Keys are upserted in (team, task, status)
order, so two transactions touching the same keys lock them in the same order.
The table is locked while the triggers are created and the tally is filled from the
existing rows, so no write slips between the two. PostgreSQL only: SQLite counts live.
"""
from django.db import migrations, models

TALLY = "reports_assignmenttally"

UPSERT = f"""
    INSERT INTO {TALLY} (team_id, task_id, status, n)
    SELECT team_id, task_id, status, sum(d) FROM ({{rows}}) AS changed
    GROUP BY team_id, task_id, status HAVING sum(d) <> 0
    ORDER BY team_id, task_id, status
    ON CONFLICT (team_id, task_id, status) DO UPDATE SET n = {TALLY}.n + EXCLUDED.n;
"""
NEW_ROWS = "SELECT team_id, task_id, status, 1 AS d FROM new_rows"
OLD_ROWS = "SELECT team_id, task_id, status, -1 AS d FROM old_rows"

CREATE = f"""
LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION reports_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {UPSERT.format(rows=NEW_ROWS)} RETURN NULL; END $$;
CREATE FUNCTION reports_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {UPSERT.format(rows=NEW_ROWS + " UNION ALL " + OLD_ROWS)} RETURN NULL; END $$;
CREATE FUNCTION reports_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {UPSERT.format(rows=OLD_ROWS)} RETURN NULL; END $$;
CREATE FUNCTION reports_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM {TALLY}; RETURN NULL; END $$;

CREATE TRIGGER reports_tally_insert AFTER INSERT ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_insert();
CREATE TRIGGER reports_tally_update AFTER UPDATE ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_update();
CREATE TRIGGER reports_tally_delete AFTER DELETE ON tasks_assignment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_delete();
CREATE TRIGGER reports_tally_truncate AFTER TRUNCATE ON tasks_assignment
    FOR EACH STATEMENT EXECUTE FUNCTION reports_tally_truncate();

DELETE FROM {TALLY};
INSERT INTO {TALLY} (team_id, task_id, status, n)
    SELECT team_id, task_id, status, count(*) FROM tasks_assignment GROUP BY team_id, task_id, status;
ANALYZE {TALLY};
"""

DROP = """
DROP TRIGGER IF EXISTS reports_tally_insert ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_tally_update ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_tally_delete ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_tally_truncate ON tasks_assignment;
DROP FUNCTION IF EXISTS reports_tally_insert();
DROP FUNCTION IF EXISTS reports_tally_update();
DROP FUNCTION IF EXISTS reports_tally_delete();
DROP FUNCTION IF EXISTS reports_tally_truncate();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_assignment_stats_index"),
        ("tasks", "0002_assignment_indexes_for_sync_and_fan_out"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("team_id", models.BigIntegerField()),
                ("task_id", models.BigIntegerField()),
                ("status", models.CharField(max_length=20)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["task_id"], name="tally_task")],
                "constraints": [models.UniqueConstraint(fields=("team_id", "task_id", "status"), name="tally_key")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
