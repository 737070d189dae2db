"""The SQL that keeps the rollups (reports.models: DailyTally, TeamDay, MemberTally, MemberPeriod).

Kept by the database itself, in the transaction of every write to tasks_assignment
(ORM saves, QuerySet.update, INSERT ... SELECT fan-outs, COPY, deletes), so a rollup
is the live count at every snapshot and a rolled-back write leaves it untouched:

- PostgreSQL: statement-level triggers with transition tables. A fan-out of 100,000
  rows costs one grouped upsert per rollup (a few hundred keys), never a write per
  person: the per-person rollups take only rows that carry completed/verified work or
  a handed-in date, which a fan-out's new `assigned` rows never do.
- SQLite (development): row triggers doing the same arithmetic.

Versions are frozen: a migration installs `V1` (or a later version defined below it:
`V2` plans the statements that join a transition table per call),
so an old migration keeps meaning what it meant. Days are Asia/Ho_Chi_Minh days
(UTC+7 all year, no daylight saving since 1975: SQLite adds seven hours).
"""
from __future__ import annotations

ZONE = "Asia/Ho_Chi_Minh"
ROLLUP_TABLES = ("reports_dailytally", "reports_teamday", "reports_membertally", "reports_memberperiod")
DONE = ("completed", "verified")


# PostgreSQL -----------------------------------------------------------------------------------

def _pg_day(col: str) -> str:
    return f"(({col}) AT TIME ZONE '{ZONE}')::date"


def _pg_trunc(unit: str, col: str) -> str:
    return f"date_trunc('{unit}', ({col}) AT TIME ZONE '{ZONE}')::date"


def _pg_upserts(rows: str) -> str:
    """The statements that add the signed rows `rows` (columns of tasks_assignment and d = +1/-1).

    Each first groups by the raw timestamps and only then turns them into local days:
    the rows of one fan-out share one creation time, so 100,000 rows need a hundred
    time-zone conversions instead of 100,000.
    """
    return f"""
    INSERT INTO reports_dailytally (team_id, task_id, day, status, n)
    SELECT team_id, task_id, {_pg_day('created_at')} AS day, status, sum(d) FROM (
        SELECT team_id, task_id, created_at, status, sum(d) AS d FROM ({rows}) r
        GROUP BY team_id, task_id, created_at, status
    ) c GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (team_id, task_id, day, status) DO UPDATE SET n = reports_dailytally.n + EXCLUDED.n;

    INSERT INTO reports_teamday (team_id, day, created, handed_in, verified)
    SELECT team_id, {_pg_day('at')} AS day, sum(c), sum(h), sum(v) FROM (
        SELECT team_id, created_at AS at, sum(d) AS c, 0 AS h, 0 AS v FROM ({rows}) r GROUP BY 1, 2
        UNION ALL
        SELECT team_id, completed_at, 0, sum(d), 0 FROM ({rows}) r WHERE completed_at IS NOT NULL GROUP BY 1, 2
        UNION ALL
        SELECT team_id, reviewed_at, 0, 0, sum(d) FROM ({rows}) r
        WHERE status = 'verified' AND reviewed_at IS NOT NULL GROUP BY 1, 2
    ) c GROUP BY 1, 2 HAVING sum(c) <> 0 OR sum(h) <> 0 OR sum(v) <> 0
    ORDER BY 1, 2
    ON CONFLICT (team_id, day) DO UPDATE SET created = reports_teamday.created + EXCLUDED.created,
        handed_in = reports_teamday.handed_in + EXCLUDED.handed_in,
        verified = reports_teamday.verified + EXCLUDED.verified;

    INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT assignee_id, team_id, coalesce(sum(d) FILTER (WHERE status = 'completed'), 0),
           coalesce(sum(d) FILTER (WHERE status = 'verified'), 0)
    FROM ({rows}) r WHERE status IN ('completed', 'verified')
    GROUP BY assignee_id, team_id
    HAVING coalesce(sum(d) FILTER (WHERE status = 'completed'), 0) <> 0
        OR coalesce(sum(d) FILTER (WHERE status = 'verified'), 0) <> 0
    ORDER BY assignee_id, team_id
    ON CONFLICT (member_id, team_id) DO UPDATE SET completed = reports_membertally.completed + EXCLUDED.completed,
        verified = reports_membertally.verified + EXCLUDED.verified;

    INSERT INTO reports_memberperiod (member_id, team_id, period, starts_on, handed_in)
    SELECT assignee_id, team_id, period, starts_on, sum(d) FROM (
        SELECT assignee_id, team_id, 'week' AS period, {_pg_trunc('week', 'completed_at')} AS starts_on, d
        FROM handed c
        UNION ALL
        SELECT assignee_id, team_id, 'month', {_pg_trunc('month', 'completed_at')}, d FROM handed c
    ) c GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (member_id, team_id, period, starts_on)
    DO UPDATE SET handed_in = reports_memberperiod.handed_in + EXCLUDED.handed_in;
""".replace("FROM handed c", f"FROM (SELECT assignee_id, team_id, completed_at, sum(d) AS d FROM ({rows}) r "
                                 "WHERE completed_at IS NOT NULL GROUP BY 1, 2, 3) h")


# Someone whose work at a team is not covered by an active member-role membership there
# gets a (member, team) row with zeros, so the member board still lists them. A fan-out
# reaches only active member-role people: two hashed look-ups (the member-role memberships
# through their index, the few inactive people), no row written.
_PG_PRESENCE = """
    INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT DISTINCT r.assignee_id, r.team_id, 0, 0 FROM ({rows}) r
    WHERE (r.assignee_id, r.team_id) NOT IN (SELECT member_id, team_id FROM teams_membership WHERE role = 'member')
       OR r.assignee_id IN (SELECT id FROM teams_member WHERE NOT is_active)
    ORDER BY 1, 2
    ON CONFLICT (member_id, team_id) DO NOTHING;
"""
_A_COLUMNS = "id, team_id, task_id, assignee_id, status, created_at, completed_at, reviewed_at"
_NEW = f"SELECT {_A_COLUMNS}, 1 AS d FROM new_rows"
_OLD = f"SELECT {_A_COLUMNS}, -1 AS d FROM old_rows"
_MOVED = ("SELECT n.assignee_id, n.team_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
          "WHERE o.team_id <> n.team_id OR o.assignee_id <> n.assignee_id")

# A person who loses the role (membership deleted or changed, person deactivated) keeps
# their line on the boards of the teams where they have work.
_PG_LOST_ROLE = """
    INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT DISTINCT a.assignee_id, a.team_id, 0, 0 FROM tasks_assignment a
    JOIN ({lost}) l ON a.assignee_id = l.member_id {same_team}
    ORDER BY 1, 2
    ON CONFLICT (member_id, team_id) DO NOTHING;
"""

PG_V1 = f"""
LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION reports_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_upserts(_NEW)} {_PG_PRESENCE.format(rows=_NEW)} RETURN NULL; END $$;
CREATE FUNCTION reports_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_upserts(_NEW + " UNION ALL " + _OLD)} {_PG_PRESENCE.format(rows=_MOVED)} RETURN NULL; END $$;
CREATE FUNCTION reports_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_upserts(_OLD)} RETURN NULL; END $$;
CREATE FUNCTION reports_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM reports_dailytally; DELETE FROM reports_teamday; DELETE FROM reports_membertally;
      DELETE FROM reports_memberperiod; RETURN NULL; END $$;

CREATE TRIGGER reports_rollup_insert AFTER INSERT ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_insert();
CREATE TRIGGER reports_rollup_update AFTER UPDATE ON tasks_assignment
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_update();
CREATE TRIGGER reports_rollup_delete AFTER DELETE ON tasks_assignment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_delete();
CREATE TRIGGER reports_rollup_truncate AFTER TRUNCATE ON tasks_assignment
    FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_truncate();

CREATE FUNCTION reports_rollup_membership_lost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_PG_LOST_ROLE.format(lost="SELECT member_id, team_id FROM old_rows WHERE role = 'member'",
                           same_team="AND a.team_id = l.team_id")} RETURN NULL; END $$;
CREATE FUNCTION reports_rollup_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_PG_LOST_ROLE.format(lost="SELECT o.member_id, o.team_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
                                 "WHERE o.role = 'member' AND (n.role <> 'member' OR n.team_id <> o.team_id "
                                 "OR n.member_id <> o.member_id)",
                           same_team="AND a.team_id = l.team_id")} RETURN NULL; END $$;
CREATE FUNCTION reports_rollup_member_lost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_PG_LOST_ROLE.format(lost="SELECT o.id AS member_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
                                 "WHERE o.is_active AND NOT n.is_active", same_team="")} RETURN NULL; END $$;
CREATE TRIGGER reports_rollup_membership_update AFTER UPDATE ON teams_membership
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_rollup_membership_changed();
CREATE TRIGGER reports_rollup_membership_delete AFTER DELETE ON teams_membership
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_membership_lost();
CREATE TRIGGER reports_rollup_member_update AFTER UPDATE ON teams_member
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_rollup_member_lost();
"""

PG_V1_DROP = """
DROP TRIGGER IF EXISTS reports_rollup_insert ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_rollup_update ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_rollup_delete ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_rollup_truncate ON tasks_assignment;
DROP TRIGGER IF EXISTS reports_rollup_membership_update ON teams_membership;
DROP TRIGGER IF EXISTS reports_rollup_membership_delete ON teams_membership;
DROP TRIGGER IF EXISTS reports_rollup_member_update ON teams_member;
DROP FUNCTION IF EXISTS reports_rollup_insert();
DROP FUNCTION IF EXISTS reports_rollup_update();
DROP FUNCTION IF EXISTS reports_rollup_delete();
DROP FUNCTION IF EXISTS reports_rollup_truncate();
DROP FUNCTION IF EXISTS reports_rollup_membership_lost();
DROP FUNCTION IF EXISTS reports_rollup_membership_changed();
DROP FUNCTION IF EXISTS reports_rollup_member_lost();
"""


# Version 2 (PostgreSQL): the statements that join a transition table are planned for the
# statement at hand. PL/pgSQL keeps the plan of a static statement for the whole session,
# made for the transition tables of the first call (a row or none). A team merge moving
# 9,000 memberships then joined them to their 90,000 assignments and those to the 9,000
# new rows in a nested loop: 810 million comparisons, 129 s of bench/merge.py (27 s
# when the connection's first write had been one row); a move of 100,000 assignments
# to a team their people are not in joined new rows to old ones the same way (cancelled
# after 90 s). EXECUTE plans each call knowing the row counts: hash joins for a merge,
# index probes for a single write. The look-up of the member role is a NOT EXISTS (as
# in the fill), so a single write probes membership_one_per_member_team instead of
# hashing every member-role membership (a one-row UPDATE took 15 ms with 11,000
# memberships, 4.6 ms now). The upserts only group: any plan does, they stay static.

def _pg_dynamic(statement: str) -> str:
    body = statement.strip().rstrip(";")
    assert "$sql$" not in body
    return f"EXECUTE $sql$ {body} $sql$;"


_PG_PRESENCE_V2 = """
    INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT DISTINCT r.assignee_id, r.team_id, 0, 0 FROM ({rows}) r
    WHERE NOT EXISTS (
        SELECT 1 FROM teams_membership ms JOIN teams_member m ON m.id = ms.member_id
        WHERE ms.member_id = r.assignee_id AND ms.team_id = r.team_id AND ms.role = 'member' AND m.is_active)
    ORDER BY 1, 2
    ON CONFLICT (member_id, team_id) DO NOTHING
"""
_LOST_MEMBERSHIP_DELETED = {"lost": "SELECT member_id, team_id FROM old_rows WHERE role = 'member'",
                            "same_team": "AND a.team_id = l.team_id"}
_LOST_MEMBERSHIP_CHANGED = {"lost": "SELECT o.member_id, o.team_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
                                    "WHERE o.role = 'member' AND (n.role <> 'member' OR n.team_id <> o.team_id "
                                    "OR n.member_id <> o.member_id)",
                            "same_team": "AND a.team_id = l.team_id"}
_LOST_MEMBER_DEACTIVATED = {"lost": "SELECT o.id AS member_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
                                    "WHERE o.is_active AND NOT n.is_active", "same_team": ""}


def _pg_functions(bodies: dict[str, str]) -> str:
    return "".join(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN {body} RETURN NULL; END $$;\n" for name, body in bodies.items())


PG_V2 = _pg_functions({
    "reports_rollup_insert": _pg_upserts(_NEW) + _pg_dynamic(_PG_PRESENCE_V2.format(rows=_NEW)),
    "reports_rollup_update": _pg_upserts(_NEW + " UNION ALL " + _OLD)
    + _pg_dynamic(_PG_PRESENCE_V2.format(rows=_MOVED)),
    "reports_rollup_membership_lost": _pg_dynamic(_PG_LOST_ROLE.format(**_LOST_MEMBERSHIP_DELETED)),
    "reports_rollup_membership_changed": _pg_dynamic(_PG_LOST_ROLE.format(**_LOST_MEMBERSHIP_CHANGED)),
    "reports_rollup_member_lost": _pg_dynamic(_PG_LOST_ROLE.format(**_LOST_MEMBER_DEACTIVATED)),
})
# Back to version 1's functions (the triggers themselves are the same in both).
PG_V2_UNDO = _pg_functions({
    "reports_rollup_insert": _pg_upserts(_NEW) + _PG_PRESENCE.format(rows=_NEW),
    "reports_rollup_update": _pg_upserts(_NEW + " UNION ALL " + _OLD) + _PG_PRESENCE.format(rows=_MOVED),
    "reports_rollup_membership_lost": _PG_LOST_ROLE.format(**_LOST_MEMBERSHIP_DELETED),
    "reports_rollup_membership_changed": _PG_LOST_ROLE.format(**_LOST_MEMBERSHIP_CHANGED),
    "reports_rollup_member_lost": _PG_LOST_ROLE.format(**_LOST_MEMBER_DEACTIVATED),
})


# SQLite -----------------------------------------------------------------------------------

def _sq_day(col: str) -> str:
    return f"date({col}, '+7 hours')"


def _sq_week(col: str) -> str:
    # The Monday of the week: forward to Sunday (or stay on it), back six days.
    return f"date({col}, '+7 hours', 'weekday 0', '-6 days')"


def _sq_month(col: str) -> str:
    return f"date({col}, '+7 hours', 'start of month')"


def _sq_upserts(r: str, d: str) -> list[str]:
    """The statements adding one row (`r` is NEW or OLD) with sign `d`."""
    return [
        f"""INSERT INTO reports_dailytally (team_id, task_id, day, status, n)
            VALUES ({r}.team_id, {r}.task_id, {_sq_day(f'{r}.created_at')}, {r}.status, {d})
            ON CONFLICT (team_id, task_id, day, status) DO UPDATE SET n = n + excluded.n""",
        f"""INSERT INTO reports_teamday (team_id, day, created, handed_in, verified)
            VALUES ({r}.team_id, {_sq_day(f'{r}.created_at')}, {d}, 0, 0)
            ON CONFLICT (team_id, day) DO UPDATE SET created = created + excluded.created""",
        f"""INSERT INTO reports_teamday (team_id, day, created, handed_in, verified)
            SELECT {r}.team_id, {_sq_day(f'{r}.completed_at')}, 0, {d}, 0 WHERE {r}.completed_at IS NOT NULL
            ON CONFLICT (team_id, day) DO UPDATE SET handed_in = handed_in + excluded.handed_in""",
        f"""INSERT INTO reports_teamday (team_id, day, created, handed_in, verified)
            SELECT {r}.team_id, {_sq_day(f'{r}.reviewed_at')}, 0, 0, {d}
            WHERE {r}.status = 'verified' AND {r}.reviewed_at IS NOT NULL
            ON CONFLICT (team_id, day) DO UPDATE SET verified = verified + excluded.verified""",
        f"""INSERT INTO reports_membertally (member_id, team_id, completed, verified)
            SELECT {r}.assignee_id, {r}.team_id, CASE WHEN {r}.status = 'completed' THEN {d} ELSE 0 END,
                   CASE WHEN {r}.status = 'verified' THEN {d} ELSE 0 END
            WHERE {r}.status IN ('completed', 'verified')
            ON CONFLICT (member_id, team_id) DO UPDATE SET completed = completed + excluded.completed,
                verified = verified + excluded.verified""",
        f"""INSERT INTO reports_memberperiod (member_id, team_id, period, starts_on, handed_in)
            SELECT {r}.assignee_id, {r}.team_id, 'week', {_sq_week(f'{r}.completed_at')}, {d}
            WHERE {r}.completed_at IS NOT NULL
            ON CONFLICT (member_id, team_id, period, starts_on) DO UPDATE SET handed_in = handed_in + excluded.handed_in""",
        f"""INSERT INTO reports_memberperiod (member_id, team_id, period, starts_on, handed_in)
            SELECT {r}.assignee_id, {r}.team_id, 'month', {_sq_month(f'{r}.completed_at')}, {d}
            WHERE {r}.completed_at IS NOT NULL
            ON CONFLICT (member_id, team_id, period, starts_on) DO UPDATE SET handed_in = handed_in + excluded.handed_in""",
    ]


_SQ_PRESENCE = """INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT NEW.assignee_id, NEW.team_id, 0, 0 WHERE NOT EXISTS (
        SELECT 1 FROM teams_membership ms JOIN teams_member m ON m.id = ms.member_id
        WHERE ms.member_id = NEW.assignee_id AND ms.team_id = NEW.team_id AND ms.role = 'member' AND m.is_active
    ) ON CONFLICT (member_id, team_id) DO NOTHING"""
_SQ_LOST = """INSERT INTO reports_membertally (member_id, team_id, completed, verified)
    SELECT DISTINCT a.assignee_id, a.team_id, 0, 0 FROM tasks_assignment a WHERE {where}
    ON CONFLICT (member_id, team_id) DO NOTHING"""


def _sq_trigger(name: str, event: str, table: str, statements: list[str], when: str = "") -> str:
    body = ";\n".join(statements)
    when = f" WHEN {when}" if when else ""
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN\n{body};\nEND"


SQLITE_V1 = [
    _sq_trigger("reports_rollup_insert", "INSERT", "tasks_assignment", _sq_upserts("NEW", "1") + [_SQ_PRESENCE]),
    _sq_trigger("reports_rollup_update", "UPDATE", "tasks_assignment",
                _sq_upserts("OLD", "-1") + _sq_upserts("NEW", "1") + [_SQ_PRESENCE]),
    _sq_trigger("reports_rollup_delete", "DELETE", "tasks_assignment", _sq_upserts("OLD", "-1")),
    _sq_trigger("reports_rollup_membership_update", "UPDATE", "teams_membership",
                [_SQ_LOST.format(where="a.assignee_id = OLD.member_id AND a.team_id = OLD.team_id")],
                when="OLD.role = 'member' AND (NEW.role <> 'member' OR NEW.team_id <> OLD.team_id "
                     "OR NEW.member_id <> OLD.member_id)"),
    _sq_trigger("reports_rollup_membership_delete", "DELETE", "teams_membership",
                [_SQ_LOST.format(where="a.assignee_id = OLD.member_id AND a.team_id = OLD.team_id")],
                when="OLD.role = 'member'"),
    _sq_trigger("reports_rollup_member_update", "UPDATE", "teams_member",
                [_SQ_LOST.format(where="a.assignee_id = OLD.id")], when="OLD.is_active AND NOT NEW.is_active"),
]
SQLITE_V1_DROP = [
    f"DROP TRIGGER IF EXISTS {name}" for name in (
        "reports_rollup_insert", "reports_rollup_update", "reports_rollup_delete",
        "reports_rollup_membership_update", "reports_rollup_membership_delete", "reports_rollup_member_update",
    )
]


# Filling from the assignments (the migration, `manage.py rebuild_rollups`) ---------------------

def _fill(day, week, month) -> list[str]:
    role_held = """EXISTS (
        SELECT 1 FROM teams_membership ms JOIN teams_member m ON m.id = ms.member_id
        WHERE ms.member_id = a.assignee_id AND ms.team_id = a.team_id AND ms.role = 'member' AND m.is_active)"""
    completed = "SUM(CASE WHEN a.status = 'completed' THEN 1 ELSE 0 END)"
    verified = "SUM(CASE WHEN a.status = 'verified' THEN 1 ELSE 0 END)"
    return [
        f"""INSERT INTO reports_dailytally (team_id, task_id, day, status, n)
            SELECT team_id, task_id, {day('created_at')}, status, COUNT(*) FROM tasks_assignment
            GROUP BY team_id, task_id, {day('created_at')}, status""",
        f"""INSERT INTO reports_teamday (team_id, day, created, handed_in, verified)
            SELECT team_id, day, SUM(c), SUM(h), SUM(v) FROM (
                SELECT team_id, {day('created_at')} AS day, 1 AS c, 0 AS h, 0 AS v FROM tasks_assignment
                UNION ALL
                SELECT team_id, {day('completed_at')}, 0, 1, 0 FROM tasks_assignment WHERE completed_at IS NOT NULL
                UNION ALL
                SELECT team_id, {day('reviewed_at')}, 0, 0, 1 FROM tasks_assignment
                WHERE status = 'verified' AND reviewed_at IS NOT NULL
            ) c GROUP BY team_id, day""",
        f"""INSERT INTO reports_membertally (member_id, team_id, completed, verified)
            SELECT a.assignee_id, a.team_id, {completed}, {verified} FROM tasks_assignment a
            GROUP BY a.assignee_id, a.team_id
            HAVING {completed} > 0 OR {verified} > 0 OR NOT {role_held}""",
        f"""INSERT INTO reports_memberperiod (member_id, team_id, period, starts_on, handed_in)
            SELECT assignee_id, team_id, period, starts_on, COUNT(*) FROM (
                SELECT assignee_id, team_id, 'week' AS period, {week('completed_at')} AS starts_on
                FROM tasks_assignment WHERE completed_at IS NOT NULL
                UNION ALL
                SELECT assignee_id, team_id, 'month', {month('completed_at')}
                FROM tasks_assignment WHERE completed_at IS NOT NULL
            ) c GROUP BY assignee_id, team_id, period, starts_on""",
    ]


PG_FILL_V1 = _fill(_pg_day, lambda col: _pg_trunc("week", col), lambda col: _pg_trunc("month", col))
SQLITE_FILL_V1 = _fill(_sq_day, _sq_week, _sq_month)
EMPTY = [f"DELETE FROM {table}" for table in ROLLUP_TABLES]
