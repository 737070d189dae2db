"""PostgreSQL: a phone's idle poll (`mine=true&updated_since=...`) answered by one function whose
plans are made once per connection.

The poll asks "did any of my assignments, or any of their tasks, change since my cursor?"
(api/rows.py, delta_template). As one ad-hoc statement, PostgreSQL planned it on every call: the
task half's best plan depends on the values (from the few tasks changed since the cursor, or
from the caller's own assignments), so the generic plan was never chosen, and planning took
about two thirds of the statement's 0.18 ms.

The function asks in three steps whose plans suit every caller, so they are forced generic and
cached for the session (`SET plan_cache_mode` holds inside the function only):

1. the caller's own rows changed since: (assignee, updated_at), a person's few index entries;
2. how many tasks changed since, counted up to RECENT through tasks.updated_at's index (none, for
   an idle poll that follows its last cursor: the answer is then no);
3. with fewer than RECENT changed tasks, each is looked up among the caller's assignments
   through (task, assignee), at most RECENT index probes however much the caller was given;
   with more (a phone back after days away), the same question is planned for its values, as
   it always was.
"""
from django.db import migrations

# At most this many changed tasks are each probed for the caller's assignment (step 3).
RECENT = 200

FUNCTION = f"""
CREATE OR REPLACE FUNCTION tasks_own_assignments_changed_since(member bigint, since timestamptz)
RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan AS $$
DECLARE changed int; found boolean;
BEGIN
  IF EXISTS (SELECT 1 FROM tasks_assignment WHERE assignee_id = member AND updated_at >= since) THEN
    RETURN true;
  END IF;
  -- ORDER BY keeps the generic plan on the updated_at index (a range's default estimate of a
  -- third of the table would otherwise make it a sequential scan).
  SELECT count(*) INTO changed
    FROM (SELECT 1 FROM tasks_task WHERE updated_at >= since ORDER BY updated_at LIMIT {RECENT}) t;
  IF changed = 0 THEN
    RETURN false;
  END IF;
  IF changed < {RECENT} THEN
    -- LATERAL with LIMIT is never turned into a join that starts from the caller's assignments.
    RETURN EXISTS (
      SELECT 1 FROM (
        SELECT 1 FROM tasks_task t
        CROSS JOIN LATERAL (SELECT 1 FROM tasks_assignment a
                            WHERE a.task_id = t.id AND a.assignee_id = member LIMIT 1) mine
        WHERE t.updated_at >= since ORDER BY t.updated_at LIMIT 1
      ) hit);
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id '
          'WHERE a.assignee_id = $1 AND t.updated_at >= $2)' INTO found USING member, since;
  RETURN found;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tasks_own_assignments_changed_since(bigint, timestamptz)")


class Migration(migrations.Migration):

    dependencies = [("tasks", "0008_assignment_references_few_rows_static")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
