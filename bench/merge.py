"""The team-merge figure (issue 10): a commune of 10,000 members and 100,000 assignments
merged into its neighbour (target <= 5 s on PostgreSQL).

    province "Bench merge" > commune "Xã Bench A" (10,000 members, 5 empty villages)
                           > commune "Xã Bench B" (1,000 members, all of them also in A)
    10 province tasks, each fanned out to A's 10,000 members: 100,000 assignments with team A

The seed is written once (COPY on PostgreSQL) and found again by its name. Each timed
merge runs in a transaction that is rolled back (after firing the deferred foreign-key
checks, which a commit would run), then the tables are vacuumed, so every run starts
from the same rows. Each statement's time is taken from the captured queries,
grouped by its verb and table: what the merge costs, statement by statement (a
statement's triggers count in its time).

Before the timed runs the connection makes single-row writes to assignments, memberships
and people, as a web worker's connection has before someone merges: PL/pgSQL keeps the
plan of a trigger's static statement for the session, made for the first call's
transition tables, and a merge must not depend on being a connection's first write.
"""
from __future__ import annotations

import os
import re
import statistics
import time
from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import rollup_sql
from scale.writers import TableWriter
from tasks.models import Assignment, Task
from teams import services
from teams.choices import Level, Role
from teams.models import Member, Membership, Team

PROVINCE = "Bench merge"
MEMBERS, SHARED, TASKS = 10_000, 1_000, 10
# +84961...: the national seed (scale.seeding) takes +8497..., the console +8499..., surveys +84960000001
PHONE_BASE = 961_000_000
# The former merge (rollup triggers of version 1) is cancelled after this long in one statement.
BEFORE_TIMEOUT_S = int(os.environ.get("BENCH_MERGE_BEFORE_TIMEOUT_S", "60"))


class Rollback(Exception):
    pass


def _team(name, level, parent):
    team = Team.objects.create(name=name, level=level, parent=parent)
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    return team


def _seed() -> dict:
    province = Team.objects.filter(name=PROVINCE, level=Level.PROVINCE).first()
    if province is not None:
        a = Team.objects.get(parent=province, name="Xã Bench A")
        b = Team.objects.get(parent=province, name="Xã Bench B")
        coordinator = Membership.objects.get(team=province, role=Role.COORDINATOR).member
        if a.is_active and Assignment.objects.filter(team=a).count() == MEMBERS * TASKS:
            return {"province": province, "a": a, "b": b, "coordinator": coordinator}
        raise RuntimeError("the merge seed was changed; drop the bench database and run again")
    with transaction.atomic():
        province = _team(PROVINCE, Level.PROVINCE, None)
        a = _team("Xã Bench A", Level.COMMUNE, province)
        b = _team("Xã Bench B", Level.COMMUNE, province)
        for n in range(5):
            _team(f"Thôn A{n}", Level.VILLAGE, a)
        password = make_password("bench-merge-pass")
        coordinator = Member.objects.create(phone=f"+84{PHONE_BASE}", full_name="Điều phối tỉnh", password=password)
        Membership.objects.create(member=coordinator, team=province, role=Role.COORDINATOR)
        people = Member.objects.bulk_create([
            Member(phone=f"+84{PHONE_BASE + 1 + n}", full_name=f"Thành viên {n}", password=password,
                   search_name=f"thanh vien {n}") for n in range(MEMBERS)
        ], batch_size=2000)
        Membership.objects.bulk_create([Membership(member=m, team=a, role=Role.MEMBER) for m in people],
                                       batch_size=2000)
        Membership.objects.bulk_create([
            Membership(member=m, team=b, role=Role.OBSERVER if n % 10 == 0 else Role.MEMBER)
            for n, m in enumerate(people[:SHARED])
        ], batch_size=2000)
        tasks = Task.objects.bulk_create([
            Task(title=f"Nhiệm vụ {n}", kind="share", platform="facebook", team=province, created_by=coordinator)
            for n in range(TASKS)
        ])
        now = timezone.now()
        writer = TableWriter(Assignment, ["task", "assignee", "team", "status", "created_at", "updated_at"])
        writer.write((task.pk, m.pk, a.pk, "completed" if m.pk % 3 == 0 else "assigned", now, now)
                     for task in tasks for m in people)
    with connection.cursor() as cursor:
        for table in ("tasks_assignment", "teams_membership", "teams_team", "reports_assignmenttally"):
            cursor.execute(f"ANALYZE {table}")
    return {"province": province, "a": a, "b": b, "coordinator": coordinator}


def _vacuum():
    if connection.vendor != "postgresql":
        return
    # The whole database: a rolled-back merge leaves dead rows in every table its statements
    # and their triggers wrote (the rollups and member boards of reports/ too), and a list of
    # tables here fell behind the triggers once (reports_subtreemember held 590,000 dead rows
    # for 21,000 live ones after a few runs, and each run was slower than the one before).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


DEFERRED = "SET CONSTRAINTS ALL IMMEDIATE (the deferred foreign-key checks)"
STATEMENT = re.compile(r'^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.I)


def _label(sql: str) -> str:
    if sql.startswith("SET CONSTRAINTS"):
        return DEFERRED
    match = STATEMENT.match(sql)
    if not match:
        return sql.split()[0].upper() if sql.strip() else "?"
    verb, table = match.groups()
    if verb.upper() == "SELECT":
        found = re.search(r'\bFROM\s+"?(\w+)"?', sql, re.I)
        table = found.group(1) if found else table
    return f"{verb.upper()} {table}"


def _warm_in_transaction(world) -> None:
    now = timezone.now()
    one = Assignment.objects.filter(team=world["a"]).order_by("pk").values_list("pk", flat=True)[:1]
    Assignment.objects.filter(pk__in=list(one)).update(updated_at=now)
    one = Membership.objects.filter(team=world["a"]).order_by("pk").values_list("pk", flat=True)[:1]
    Membership.objects.filter(pk__in=list(one)).update(updated_at=now)
    Member.objects.filter(pk=world["coordinator"].pk).update(updated_at=now)


def _warm(world) -> None:
    """One single-row UPDATE of each table whose triggers a merge fires, rolled back."""
    try:
        with transaction.atomic():
            _warm_in_transaction(world)
            raise Rollback
    except Rollback:
        pass


def _cpu_seconds() -> float | None:
    """CPU time used so far by this process and its PostgreSQL backend (when the server runs
    on this machine): the merge's work whatever else the shared cores are doing."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + time.process_time()


def _one_merge(world) -> tuple[float, dict[str, float], int, float | None]:
    statements: dict[str, float] = defaultdict(float)
    _warm(world)  # after each VACUUM ANALYZE, which makes the triggers plan again
    try:
        with transaction.atomic():
            cpu_started = _cpu_seconds()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                services.team_merge(team=Team.objects.get(pk=world["a"].pk), into=Team.objects.get(pk=world["b"].pk),
                                    actor=world["coordinator"])
                if connection.vendor == "postgresql":
                    # The foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks run at
                    # COMMIT. The run is rolled back, so they are fired here and counted.
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                seconds = time.perf_counter() - started
            cpu_ended = _cpu_seconds()
            moved = Assignment.objects.filter(team=world["b"]).count()
            raise Rollback
    except Rollback:
        pass
    for query in queries.captured_queries:
        statements[_label(query["sql"])] += float(query["time"])
    cpu = cpu_ended - cpu_started if cpu_started is not None and cpu_ended is not None else None
    return seconds, statements, moved, cpu


def _before(world, timeout_s: int) -> tuple[float, bool, dict[str, float]]:
    """One merge with the rollup functions of reports.rollup_sql version 1 (the merge's
    former cost), swapped in inside the rolled-back transaction, on a warmed connection.
    A statement running longer than `timeout_s` is cancelled: (seconds until then, False)."""
    if connection.vendor != "postgresql":
        return 0.0, True, {}
    complete = True
    statements: dict[str, float] = defaultdict(float)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(rollup_sql.PG_V2_UNDO)
                cursor.execute("SET LOCAL statement_timeout = %s", [f"{timeout_s}s"])
            _warm_in_transaction(world)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                try:
                    services.team_merge(team=Team.objects.get(pk=world["a"].pk),
                                        into=Team.objects.get(pk=world["b"].pk), actor=world["coordinator"])
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                except OperationalError:  # statement_timeout
                    complete = False
                seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    for query in queries.captured_queries:
        statements[_label(query["sql"])] += float(query["time"])
    return seconds, complete, statements


def measure(out: dict, details: dict, repeats: int = 3) -> None:
    world = _seed()
    _vacuum()
    runs = []
    for _ in range(repeats):
        runs.append(_one_merge(world))
        _vacuum()
    seconds = statistics.median(r[0] for r in runs)
    by_statement = defaultdict(list)
    for _s, statements, _m, _c in runs:
        for label, t in statements.items():
            by_statement[label].append(t)
    costs = {label: round(statistics.median(ts), 3) for label, ts in by_statement.items()}
    before_s, before_complete, before_statements = _before(world, BEFORE_TIMEOUT_S)
    _vacuum()
    out.update({"members": MEMBERS, "assignments": MEMBERS * TASKS, "seconds": round(seconds, 2),
                "assignments_moved": runs[-1][2], "before_seconds": round(before_s, 2),
                "before_complete": before_complete,
                "ratio_vs_before": round(seconds / before_s, 3) if before_s else None})
    details["team_merge"] = {
        "how": "teams.services.team_merge of a commune (10,000 members, 1,000 of them also in the other "
               "commune, 100,000 assignments with its team, 5 child villages) into its neighbour, as the "
               "province's coordinator, on a connection that has made single-row writes first (as a web "
               "worker's has); median of %d runs, each rolled back and followed by VACUUM ANALYZE" % repeats,
        "runs_s": [round(r[0], 2) for r in runs],
        "runs_cpu_s": [round(r[3], 2) if r[3] is not None else None for r in runs],
        "cpu": "CPU seconds of the bench process and its PostgreSQL backend during each run (/proc): "
               "the merge's own work, near what it takes on idle cores",
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "seconds_by_statement": dict(sorted(costs.items(), key=lambda kv: -kv[1])),
        "before": "the same merge, once, with the rollup trigger functions of reports.rollup_sql version 1 "
                  "(plans kept for the session) swapped in inside its rolled-back transaction after the same "
                  "single-row writes; a statement still running after %d s is cancelled (before_complete "
                  "false: before_seconds is then a lower bound)" % BEFORE_TIMEOUT_S,
        "before_seconds_by_statement": dict(sorted(((k, round(v, 3)) for k, v in before_statements.items()
                                                    if v >= 0.01), key=lambda kv: -kv[1])),
        "target": "<= 5 s on PostgreSQL",
    }
