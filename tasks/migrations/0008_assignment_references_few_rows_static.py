"""PostgreSQL: the per-statement reference checks of tasks_assignment (migration 0006) plan
nothing for a statement of a few rows.

0006 plans each of its five checks per call (EXECUTE), so a fan-out of 100k rows gets hash
anti-joins; but a workflow step writes one row, and planning the five checks was most of the
0.35 ms the trigger added to it. The function now counts its transition table (reading at most
SMALL + 1 rows): with none it returns, with a few it runs the same checks static (their plans,
cached for the session, are index probes for any few rows), with more it plans them per call.
"""
from django.db import migrations

COLUMNS = {  # column -> referenced table (as in 0006)
    "task_id": "tasks_task",
    "assignee_id": "teams_member",
    "team_id": "teams_team",
    "assigned_by_id": "teams_member",
    "reviewed_by_id": "teams_member",
}
FEW_VALUES = {"task_id", "team_id", "assigned_by_id", "reviewed_by_id"}
# Up to this many rows the checks run static: any plan of them is a few index probes.
SMALL = 8


def _missing(column: str, table: str) -> str:
    rows = f"(SELECT DISTINCT {column} AS id FROM new_rows)" if column in FEW_VALUES else \
        f"(SELECT {column} AS id FROM new_rows)"
    return (f"SELECT 1 FROM {rows} n WHERE n.id IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {table} p WHERE p.id = n.id) LIMIT 1")


def _checks(dynamic: bool) -> str:
    return "\n".join(
        (f"    EXECUTE '{_missing(column, table)}' INTO found;" if dynamic
         else f"    {_missing(column, table).replace('SELECT 1 FROM', 'SELECT 1 INTO found FROM', 1)};")
        + f"""
    IF found IS NOT NULL THEN
      RAISE foreign_key_violation USING MESSAGE = 'tasks_assignment.{column} names a row missing from {table}';
    END IF;""" for column, table in COLUMNS.items()
    )


def _function(sized: bool) -> str:
    if not sized:
        body = _checks(dynamic=True)
        declare = "DECLARE found int;"
    else:
        declare = "DECLARE found int; seen int;"
        body = f"""  SELECT count(*) INTO seen FROM (SELECT 1 FROM new_rows LIMIT {SMALL + 1}) r;
  IF seen = 0 THEN RETURN NULL; END IF;
  IF seen <= {SMALL} THEN
{_checks(dynamic=False)}
  ELSE
{_checks(dynamic=True)}
  END IF;"""
    return f"""
CREATE OR REPLACE FUNCTION tasks_assignment_references() RETURNS trigger LANGUAGE plpgsql AS $$
{declare}
BEGIN
{body}
  RETURN NULL;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(sized=True))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(sized=False))


class Migration(migrations.Migration):

    dependencies = [("tasks", "0007_merge_topics_and_fan_out")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
