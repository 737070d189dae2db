"""PostgreSQL: the references of an assignment (task, assignee, team, assigned_by,
reviewed_by) are checked once per statement instead of once per row.

A foreign key checks each inserted row on its own (a trigger call and a locking index
probe per reference, even a null one): for a fan-out of 100k rows that was more than
half of its time (bench/fanout_costs.py). Here the five foreign-key constraints are replaced by
statement-level triggers over the statement's transition table, which check every row
of the statement in one anti-join each and raise foreign_key_violation (IntegrityError)
like the constraint did. The referenced side is guarded too: deleting a task, a team or
a person that an assignment still names is refused. That delete first takes a SHARE lock
on tasks_assignment, so it waits for the transactions writing assignments and then sees
their rows (what the row locks of a foreign key gave).

The model still declares ordinary foreign keys, so SQLite keeps its row-level foreign
keys (the integrity is the same there, only slower) and Django's ORM keeps PROTECT. A
later AlterField of one of these fields would put the constraint back on PostgreSQL:
tests/tasks/test_fanout_postgres.py fails when it does.
"""
from django.db import migrations

COLUMNS = {  # column -> referenced table
    "task_id": "tasks_task",
    "assignee_id": "teams_member",
    "team_id": "teams_team",
    "assigned_by_id": "teams_member",
    "reviewed_by_id": "teams_member",
}
# Columns a statement holds few distinct values of (a fan-out: one task, one actor, a few
# hundred teams, no reviewer): checked over their distinct values.
FEW_VALUES = {"task_id", "team_id", "assigned_by_id", "reviewed_by_id"}


def _missing(column: str, table: str) -> str:
    rows = f"(SELECT DISTINCT {column} AS id FROM new_rows)" if column in FEW_VALUES else \
        f"(SELECT {column} AS id FROM new_rows)"
    return (f"SELECT 1 FROM {rows} n WHERE n.id IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {table} p WHERE p.id = n.id) LIMIT 1")


# EXECUTE plans each check for the statement at hand (the transition table's row count is
# known then): a hash anti-join for 100k rows, an index probe for the one row of `complete`.
# A cached plan would be the one made for whichever statement came first in the session.
CHECK = "\n".join(
    f"""  EXECUTE '{_missing(column, table)}' INTO found;
  IF found IS NOT NULL THEN
    RAISE foreign_key_violation USING MESSAGE = 'tasks_assignment.{column} names a row missing from {table}';
  END IF;""" for column, table in COLUMNS.items()
)

PARENT_CHECKS = {
    table: " OR ".join(f"a.{column} = o.id" for column, t in COLUMNS.items() if t == table)
    for table in sorted(set(COLUMNS.values()))
}

FORWARD = f"""
CREATE FUNCTION tasks_assignment_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE found int;
BEGIN
{CHECK}
  RETURN NULL;
END $$;
CREATE TRIGGER tasks_assignment_references_insert AFTER INSERT ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_assignment_references();
CREATE TRIGGER tasks_assignment_references_update AFTER UPDATE ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_assignment_references();
""" + "".join(f"""
CREATE FUNCTION {table}_kept_by_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE tasks_assignment IN SHARE MODE;
  IF EXISTS (SELECT 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM tasks_assignment a WHERE {condition})) THEN
    RAISE foreign_key_violation USING MESSAGE = 'an assignment still names a deleted row of {table}';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER {table}_kept_by_assignments AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_kept_by_assignments();
""" for table, condition in PARENT_CHECKS.items())

BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS {table}_kept_by_assignments ON {table};\n"
    f"DROP FUNCTION IF EXISTS {table}_kept_by_assignments();\n" for table in PARENT_CHECKS
) + """
DROP TRIGGER IF EXISTS tasks_assignment_references_insert ON tasks_assignment;
DROP TRIGGER IF EXISTS tasks_assignment_references_update ON tasks_assignment;
DROP FUNCTION IF EXISTS tasks_assignment_references();
"""


def _foreign_keys(cursor):
    cursor.execute("""
        SELECT c.conname, a.attname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'tasks_assignment'::regclass AND c.contype = 'f'""")
    return [(name, column) for name, column in cursor.fetchall() if column in COLUMNS]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _column in _foreign_keys(cursor):
            cursor.execute(f'ALTER TABLE tasks_assignment DROP CONSTRAINT "{name}"')
        cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD)
        present = {column for _name, column in _foreign_keys(cursor)}
        for column, table in COLUMNS.items():
            if column not in present:
                cursor.execute(
                    f'ALTER TABLE tasks_assignment ADD CONSTRAINT "tasks_assignment_{column}_fk_{table}" '
                    f"FOREIGN KEY ({column}) REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED")


class Migration(migrations.Migration):

    dependencies = [("tasks", "0005_assignment_stands_for_its_assigned_step")]

    operations = [migrations.RunPython(forward, backward)]
