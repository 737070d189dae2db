"""Offline work's quantities in the assignment tally, and the task's `unit` in its history.

The tally's triggers (migration 0003) are replaced by ones that also sum each row's
`quantity` per (team, task, status), so a subtree's quantity is read from the tally
like its counts. The table is locked while the functions change and the new column is
filled from the existing rows, so no write slips between the two. PostgreSQL only.
"""
from django.db import migrations, models

TALLY = "reports_assignmenttally"

UPSERT = f"""
    INSERT INTO {TALLY} (team_id, task_id, status, n, quantity)
    SELECT team_id, task_id, status, sum(d), sum(q) FROM ({{rows}}) AS changed
    GROUP BY team_id, task_id, status HAVING sum(d) <> 0 OR sum(q) <> 0
    ORDER BY team_id, task_id, status
    ON CONFLICT (team_id, task_id, status)
    DO UPDATE SET n = {TALLY}.n + EXCLUDED.n, quantity = {TALLY}.quantity + EXCLUDED.quantity;
"""
NEW_ROWS = "SELECT team_id, task_id, status, 1 AS d, coalesce(quantity, 0) AS q FROM new_rows"
OLD_ROWS = "SELECT team_id, task_id, status, -1 AS d, -coalesce(quantity, 0) AS q FROM old_rows"


def _functions(upsert, new_rows, old_rows):
    return f"""
CREATE OR REPLACE FUNCTION reports_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {upsert.format(rows=new_rows)} RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION reports_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {upsert.format(rows=new_rows + " UNION ALL " + old_rows)} RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION reports_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {upsert.format(rows=old_rows)} RETURN NULL; END $$;
"""


FORWARD = f"""
LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE;
{_functions(UPSERT, NEW_ROWS, OLD_ROWS)}
UPDATE {TALLY} t SET quantity = s.q FROM (
    SELECT team_id, task_id, status, sum(quantity) AS q FROM tasks_assignment
    WHERE quantity IS NOT NULL GROUP BY team_id, task_id, status
) s WHERE t.team_id = s.team_id AND t.task_id = s.task_id AND t.status = s.status;
"""

# Migration 0003's functions, which know nothing of quantities.
OLD_UPSERT = f"""
    INSERT INTO {TALLY} (team_id, task_id, status, n)
    SELECT team_id, task_id, status, sum(d) FROM ({{rows}}) AS changed
    GROUP BY team_id, task_id, status HAVING sum(d) <> 0
    ORDER BY team_id, task_id, status
    ON CONFLICT (team_id, task_id, status) DO UPDATE SET n = {TALLY}.n + EXCLUDED.n;
"""
BACKWARD = _functions(OLD_UPSERT, "SELECT team_id, task_id, status, 1 AS d FROM new_rows",
                      "SELECT team_id, task_id, status, -1 AS d FROM old_rows")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_member_count_indexes"),
        ("tasks", "0003_offline_work"),
    ]

    operations = [
        # The old functions insert without `quantity`: they give way before the column
        # exists without a default (backward: after it is gone).
        migrations.RunPython(migrations.RunPython.noop, backward, elidable=False),
        migrations.AddField(
            model_name="assignmenttally",
            name="quantity",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="historicaltask",
            name="unit",
            field=models.CharField(blank=True, default="", max_length=50, verbose_name="unit"),
        ),
        migrations.AlterField(
            model_name="historicaltask",
            name="kind",
            field=models.CharField(choices=[("post", "Post"), ("share", "Share"), ("comment", "Comment"),
                                            ("other", "Other"), ("offline", "Offline work")],
                                   max_length=16, verbose_name="kind"),
        ),
    ]
