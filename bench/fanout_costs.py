"""What one fan-out row costs on PostgreSQL, piece by piece (issue 16).

    DATABASE_URL=postgres://.../bench_db .venv/bin/python -m bench.fanout_costs

On the bench seed (make bench first), times the fan-out's INSERT ... SELECT of one
task to the first district's members, in transactions that are rolled back, with one
piece taken away at a time: each index of tasks_assignment, the reference triggers (or
the foreign keys, where they are still there), the tally trigger, and with the old
per-assignment "assigned" event added back. Variants run round-robin with a VACUUM
before each, so drift and dead tuples weigh on all alike; the median of BENCH_REPEATS
(default 3) rounds is printed and merged into bench/results.details.json
("fanout_costs"). The machine is shared: read the deltas against `as_is` of the
same run, not the absolute times.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

DETAILS = Path(__file__).resolve().parent / "results.details.json"
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))

INSERT = """INSERT INTO tasks_assignment (task_id, assignee_id, team_id, status, evidence_url, evidence_image,
    note, decline_reason, review_note, assigned_by_id, joined_late, created_at, updated_at)
SELECT %s, ms.member_id, MAX(ms.team_id), 'assigned', '', '', '', '', '', %s, false, now(), now()
FROM teams_membership ms JOIN teams_team t ON t.id = ms.team_id JOIN teams_member m ON m.id = ms.member_id
WHERE t.path LIKE %s AND ms.role = 'member' AND m.is_active GROUP BY ms.member_id"""
EVENTS = """INSERT INTO tasks_assignmentevent (assignment_id, from_status, kind, to_status, actor_id, note, created_at)
SELECT id, status, 'assigned', 'assigned', %s, '', now() FROM tasks_assignment WHERE task_id = %s"""


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def variants() -> dict[str, tuple[list[str], bool]]:
    indexes = [name for (name,) in _rows(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'tasks_assignment' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'tasks_assignment'::regclass AND contype IN ('p', 'u'))"
        " ORDER BY 1")]
    fks = [name for (name,) in _rows("SELECT conname FROM pg_constraint WHERE conrelid = "
                                     "'tasks_assignment'::regclass AND contype = 'f' ORDER BY 1")]
    triggers = {name for (name,) in _rows("SELECT tgname FROM pg_trigger WHERE tgrelid = "
                                          "'tasks_assignment'::regclass AND NOT tgisinternal")}
    out = {"as_is": ([], False), "plus_assigned_event_rows": ([], True)}
    if "tasks_assignment_references_insert" in triggers:
        out["no_reference_triggers"] = (["ALTER TABLE tasks_assignment DISABLE TRIGGER tasks_assignment_references_insert"], False)
    if fks:
        out["no_foreign_keys"] = ([f'ALTER TABLE tasks_assignment DROP CONSTRAINT "{n}"' for n in fks], False)
    if "reports_tally_insert" in triggers:
        out["no_tally_trigger"] = (["ALTER TABLE tasks_assignment DISABLE TRIGGER reports_tally_insert"], False)
    for name in indexes:
        out[f"no_index_{name}"] = ([f'DROP INDEX "{name}"'], False)
    out["only_pk_and_unique"] = ([f'DROP INDEX "{n}"' for n in indexes], False)
    return out


def main() -> int:
    (district, path), = _rows("SELECT id, path FROM teams_team WHERE parent_id = "
                              "(SELECT id FROM teams_team WHERE parent_id IS NULL ORDER BY id LIMIT 1) ORDER BY id LIMIT 1")
    (actor,), = _rows("SELECT id FROM teams_member ORDER BY id LIMIT 1")
    plan = variants()
    samples: dict[str, list[float]] = {name: [] for name in plan}
    rows = 0
    for round_ in range(REPEATS):
        for name, (setup, events) in plan.items():
            with connection.cursor() as cursor:
                cursor.execute("VACUUM tasks_assignment")
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in setup:
                    cursor.execute(sql)
                cursor.execute(
                    "INSERT INTO tasks_task (title, instructions, kind, platform, reference_url, team_id, status, "
                    "priority, created_by_id, search_name, created_at, updated_at) VALUES ('bench', '', 'share', "
                    "'facebook', '', %s, 'open', 'normal', %s, '', now(), now()) RETURNING id", [district, actor])
                task = cursor.fetchone()[0]
                started = time.perf_counter()
                cursor.execute(INSERT, [task, actor, path + "%"])
                rows = cursor.rowcount
                if events:
                    cursor.execute(EVENTS, [actor, task])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                samples[name].append(time.perf_counter() - started)
                transaction.set_rollback(True)
        print(f"round {round_ + 1}/{REPEATS} done", flush=True)
    base = statistics.median(samples["as_is"])
    result = {"rows": rows, "repeats": REPEATS, "variants": {}}
    for name, values in samples.items():
        seconds = statistics.median(values)
        result["variants"][name] = {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
                                    "delta_vs_as_is_s": round(seconds - base, 3)}
        print(f"{name:60} {seconds:7.3f} s {rows / seconds:9,.0f} rows/s  {seconds - base:+.3f} s vs as_is")
    details = json.loads(DETAILS.read_text()) if DETAILS.exists() else {}
    details["fanout_costs"] = result
    DETAILS.write_text(json.dumps(details, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
