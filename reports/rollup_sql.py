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

import re

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


# Version 3: people per enclosing team (reports.models.SubtreeMember) ----------------------------
# One row per (team, person) for every team on the path of the person's member-role
# memberships and of their reports_membertally rows: the member board of any subtree
# is then an index range scan of its root's rows, and the subtree's active members a
# count of them. Kept from what already changes rarely: reports_membertally (only when
# work is handed in, verified, moved or a role is lost, never by a fan-out), the
# memberships, a person's `is_active` and a team's `path` (a move or a merge re-roots
# the rows of the teams it moves). Each statement's changes are summed per (team,
# person) before they are written, so a change inside one subtree leaves its
# ancestors' rows untouched.

SUBTREE_TABLE = "reports_subtreemember"


def _pg_ancestors(path: str) -> str:
    """The ids on a materialized path ('/1/4/17/' -> 1, 4, 17), read from the text alone
    (a move rewrites the paths one statement at a time; no other team's path is consulted)."""
    return f"unnest(string_to_array(trim(both '/' from {path}), '/')::bigint[])"


def _pg_board_apply(deltas: str) -> str:
    """Add the signed rows `deltas` (member_id, path, c, v, r, tl) to every team on their path
    (planned per call, like version 2's statements: a merge's rows are not a single write's)."""
    return _pg_dynamic(f"""
    INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies)
    SELECT a.team_id, d.member_id, sum(d.c), sum(d.v), sum(d.r), sum(d.tl)
    FROM ({deltas}) d CROSS JOIN LATERAL {_pg_ancestors('d.path')} AS a(team_id)
    GROUP BY 1, 2 HAVING sum(d.c) <> 0 OR sum(d.v) <> 0 OR sum(d.r) <> 0 OR sum(d.tl) <> 0
    ORDER BY 1, 2
    ON CONFLICT (team_id, member_id) DO UPDATE SET
        completed = reports_subtreemember.completed + EXCLUDED.completed,
        verified = reports_subtreemember.verified + EXCLUDED.verified,
        roles = reports_subtreemember.roles + EXCLUDED.roles,
        tallies = reports_subtreemember.tallies + EXCLUDED.tallies
""")


# The first member role a person's active memberships give them under each team: read again
# for the people a statement touched (a few memberships each, through their member index).
_FIRST_ROLE = """(
    SELECT MIN(ms.created_at) FROM teams_membership ms
    JOIN teams_member m ON m.id = ms.member_id AND m.is_active
    JOIN teams_team t ON t.id = ms.team_id
    JOIN teams_team anc ON anc.id = reports_subtreemember.team_id
    WHERE ms.member_id = reports_subtreemember.member_id AND ms.role = 'member'
      AND substr(t.path, 1, length(anc.path)) = anc.path)"""


def _first_role_refresh(members: str) -> str:
    return f"""
    UPDATE reports_subtreemember SET first_role_at = {_FIRST_ROLE}
    WHERE member_id IN ({members});
"""


def _pg_first_role_refresh(members: str) -> str:
    """PostgreSQL: the same refresh in one grouped pass (hash joins over every touched row)
    instead of a correlated sub-select per row, and only the rows whose date changes are
    written. A merge moving 9,000 people touched 27,000 rows with a sub-select each (1.7 s of
    the membership UPDATE under load); most of them keep their date (the province above both
    communes still holds the person from the same day), so most are no longer rewritten."""
    return _pg_dynamic(f"""
    UPDATE reports_subtreemember s SET first_role_at = f.first_at
    FROM (
        SELECT s2.id, MIN(ms.created_at) AS first_at
        FROM reports_subtreemember s2
        JOIN teams_team anc ON anc.id = s2.team_id
        LEFT JOIN (teams_membership ms
                   JOIN teams_member m ON m.id = ms.member_id AND m.is_active
                   JOIN teams_team t ON t.id = ms.team_id)
          ON ms.member_id = s2.member_id AND ms.role = 'member'
             AND substr(t.path, 1, length(anc.path)) = anc.path
        WHERE s2.member_id IN ({members})
        GROUP BY s2.id
    ) f
    WHERE s.id = f.id AND s.first_role_at IS DISTINCT FROM f.first_at
""")


_PG_ACTIVE = "member_id NOT IN (SELECT id FROM teams_member WHERE NOT is_active)"
_PG_TALLY_NEW = ("SELECT n.member_id, t.path, n.completed AS c, n.verified AS v, 0 AS r, 1 AS tl "
                 "FROM new_rows n JOIN teams_team t ON t.id = n.team_id")
_PG_TALLY_OLD = ("SELECT o.member_id, t.path, -o.completed AS c, -o.verified AS v, 0 AS r, -1 AS tl "
                 "FROM old_rows o JOIN teams_team t ON t.id = o.team_id")
_PG_ROLE_NEW = (f"SELECT n.member_id, t.path, 0 AS c, 0 AS v, 1 AS r, 0 AS tl FROM new_rows n "
                f"JOIN teams_team t ON t.id = n.team_id WHERE n.role = 'member' AND n.{_PG_ACTIVE}")
_PG_ROLE_OLD = (f"SELECT o.member_id, t.path, 0 AS c, 0 AS v, -1 AS r, 0 AS tl FROM old_rows o "
                f"JOIN teams_team t ON t.id = o.team_id WHERE o.role = 'member' AND o.{_PG_ACTIVE}")
# Memberships whose role, team, person or start changed (an update of `updated_at` alone changes nothing).
_PG_ROLE_CHANGED = ("SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.role <> n.role "
                    "OR o.team_id <> n.team_id OR o.member_id <> n.member_id OR o.created_at <> n.created_at")
_PG_TEAM_MOVED = "SELECT n.id, o.path AS old_path, n.path AS new_path FROM new_rows n JOIN old_rows o ON o.id = n.id " \
                 "WHERE o.path <> n.path"

PG_V3 = f"""
LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE teams_membership IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE teams_member IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE teams_team IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION reports_subtree_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(_PG_TALLY_NEW)} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(_PG_TALLY_NEW + " UNION ALL " + _PG_TALLY_OLD)} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(_PG_TALLY_OLD)} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_tally_insert AFTER INSERT ON reports_membertally
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_tally_insert();
CREATE TRIGGER reports_subtree_tally_update AFTER UPDATE ON reports_membertally
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_tally_update();
CREATE TRIGGER reports_subtree_tally_delete AFTER DELETE ON reports_membertally
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_tally_delete();

CREATE FUNCTION reports_subtree_role_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(_PG_ROLE_NEW)}
      {_pg_first_role_refresh("SELECT member_id FROM new_rows WHERE role = 'member'")} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_role_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(
          _PG_ROLE_NEW.replace("WHERE n.role", f"WHERE n.id IN ({_PG_ROLE_CHANGED}) AND n.role") + " UNION ALL "
          + _PG_ROLE_OLD.replace("WHERE o.role", f"WHERE o.id IN ({_PG_ROLE_CHANGED}) AND o.role"))}
      {_pg_first_role_refresh(f"SELECT member_id FROM old_rows WHERE id IN ({_PG_ROLE_CHANGED}) UNION "
                           f"SELECT member_id FROM new_rows WHERE id IN ({_PG_ROLE_CHANGED})")} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_role_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(_PG_ROLE_OLD)}
      {_pg_first_role_refresh("SELECT member_id FROM old_rows WHERE role = 'member'")} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_role_insert AFTER INSERT ON teams_membership
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_role_insert();
CREATE TRIGGER reports_subtree_role_update AFTER UPDATE ON teams_membership
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_role_update();
CREATE TRIGGER reports_subtree_role_delete AFTER DELETE ON teams_membership
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_role_delete();

-- A person turned active or inactive: their member roles count again, or stop counting.
CREATE FUNCTION reports_subtree_person_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(
          "SELECT ms.member_id, t.path, 0 AS c, 0 AS v, CASE WHEN n.is_active THEN 1 ELSE -1 END AS r, 0 AS tl "
          "FROM new_rows n JOIN old_rows o ON o.id = n.id AND o.is_active <> n.is_active "
          "JOIN teams_membership ms ON ms.member_id = n.id AND ms.role = 'member' "
          "JOIN teams_team t ON t.id = ms.team_id")}
      {_pg_first_role_refresh("SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
                           "AND o.is_active <> n.is_active")} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_person_update AFTER UPDATE ON teams_member
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_person_update();

-- A team moved (its path rewritten): what hangs on it leaves the old path's teams for the new one's.
CREATE FUNCTION reports_subtree_team_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_board_apply(
          f"SELECT ms.member_id, p.path, 0 AS c, 0 AS v, p.sign AS r, 0 AS tl FROM ("
          f"SELECT id, new_path AS path, 1 AS sign FROM ({_PG_TEAM_MOVED}) x UNION ALL "
          f"SELECT id, old_path, -1 FROM ({_PG_TEAM_MOVED}) y) p "
          f"JOIN teams_membership ms ON ms.team_id = p.id AND ms.role = 'member' AND ms.{_PG_ACTIVE} "
          f"UNION ALL "
          f"SELECT mt.member_id, p.path, p.sign * mt.completed, p.sign * mt.verified, 0, p.sign FROM ("
          f"SELECT id, new_path AS path, 1 AS sign FROM ({_PG_TEAM_MOVED}) x UNION ALL "
          f"SELECT id, old_path, -1 FROM ({_PG_TEAM_MOVED}) y) p "
          f"JOIN reports_membertally mt ON mt.team_id = p.id")}
      {_pg_first_role_refresh(f"SELECT ms.member_id FROM teams_membership ms WHERE ms.role = 'member' "
                           f"AND ms.team_id IN (SELECT id FROM ({_PG_TEAM_MOVED}) z)")} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_team_update AFTER UPDATE ON teams_team
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_team_update();
"""

PG_V3_DROP = """
DROP TRIGGER IF EXISTS reports_subtree_tally_insert ON reports_membertally;
DROP TRIGGER IF EXISTS reports_subtree_tally_update ON reports_membertally;
DROP TRIGGER IF EXISTS reports_subtree_tally_delete ON reports_membertally;
DROP TRIGGER IF EXISTS reports_subtree_role_insert ON teams_membership;
DROP TRIGGER IF EXISTS reports_subtree_role_update ON teams_membership;
DROP TRIGGER IF EXISTS reports_subtree_role_delete ON teams_membership;
DROP TRIGGER IF EXISTS reports_subtree_person_update ON teams_member;
DROP TRIGGER IF EXISTS reports_subtree_team_update ON teams_team;
DROP FUNCTION IF EXISTS reports_subtree_tally_insert();
DROP FUNCTION IF EXISTS reports_subtree_tally_update();
DROP FUNCTION IF EXISTS reports_subtree_tally_delete();
DROP FUNCTION IF EXISTS reports_subtree_role_insert();
DROP FUNCTION IF EXISTS reports_subtree_role_update();
DROP FUNCTION IF EXISTS reports_subtree_role_delete();
DROP FUNCTION IF EXISTS reports_subtree_person_update();
DROP FUNCTION IF EXISTS reports_subtree_team_update();
"""


# SQLite: the teams on a path are those whose id is one of its segments (instr on the text,
# so a move that rewrites the paths one row at a time never consults a half-moved path).
def _sq_first_role_refresh(members: str) -> str:
    return _first_role_refresh(members).strip().rstrip(";")


def _sq_board_add(member: str, path: str, c: str, v: str, r: str, tl: str, where: str = "1") -> str:
    return f"""INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies)
        SELECT anc.id, {member}, {c}, {v}, {r}, {tl} FROM teams_team anc
        WHERE instr({path}, '/' || anc.id || '/') > 0 AND ({where})
        ON CONFLICT (team_id, member_id) DO UPDATE SET completed = completed + excluded.completed,
            verified = verified + excluded.verified, roles = roles + excluded.roles,
            tallies = tallies + excluded.tallies"""


def _sq_team_path(team: str) -> str:
    return f"(SELECT path FROM teams_team WHERE id = {team})"


def _sq_active(member: str) -> str:
    return f"EXISTS (SELECT 1 FROM teams_member WHERE id = {member} AND is_active)"


def _sq_role(r: str, sign: str) -> str:
    return _sq_board_add(f"{r}.member_id", _sq_team_path(f"{r}.team_id"), "0", "0", sign, "0",
                         where=f"{r}.role = 'member' AND {_sq_active(f'{r}.member_id')}")


def _sq_tally(r: str, sign: str) -> str:
    return _sq_board_add(f"{r}.member_id", _sq_team_path(f"{r}.team_id"), f"{sign} * {r}.completed",
                         f"{sign} * {r}.verified", "0", sign)


def _sq_moved(path: str, sign: str) -> list[str]:
    return [
        f"""INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies)
            SELECT anc.id, ms.member_id, 0, 0, {sign}, 0 FROM teams_membership ms JOIN teams_team anc
            ON instr({path}, '/' || anc.id || '/') > 0
            WHERE ms.team_id = NEW.id AND ms.role = 'member' AND {_sq_active('ms.member_id')}
            ON CONFLICT (team_id, member_id) DO UPDATE SET roles = roles + excluded.roles""",
        f"""INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies)
            SELECT anc.id, mt.member_id, {sign} * mt.completed, {sign} * mt.verified, 0, {sign}
            FROM reports_membertally mt JOIN teams_team anc ON instr({path}, '/' || anc.id || '/') > 0
            WHERE mt.team_id = NEW.id
            ON CONFLICT (team_id, member_id) DO UPDATE SET completed = completed + excluded.completed,
                verified = verified + excluded.verified, tallies = tallies + excluded.tallies""",
    ]


_SQ_ROLE_CHANGED = ("OLD.role IS NOT NEW.role OR OLD.team_id IS NOT NEW.team_id OR OLD.member_id IS NOT NEW.member_id "
                    "OR OLD.created_at IS NOT NEW.created_at")

SQLITE_V3 = [
    _sq_trigger("reports_subtree_tally_insert", "INSERT", "reports_membertally", [_sq_tally("NEW", "1")]),
    _sq_trigger("reports_subtree_tally_update", "UPDATE", "reports_membertally",
                [_sq_tally("OLD", "-1"), _sq_tally("NEW", "1")]),
    _sq_trigger("reports_subtree_tally_delete", "DELETE", "reports_membertally", [_sq_tally("OLD", "-1")]),
    _sq_trigger("reports_subtree_role_insert", "INSERT", "teams_membership",
                [_sq_role("NEW", "1"), _sq_first_role_refresh("NEW.member_id")], when="NEW.role = 'member'"),
    _sq_trigger("reports_subtree_role_update", "UPDATE", "teams_membership",
                [_sq_role("OLD", "-1"), _sq_role("NEW", "1"), _sq_first_role_refresh("OLD.member_id, NEW.member_id")],
                when=_SQ_ROLE_CHANGED),
    _sq_trigger("reports_subtree_role_delete", "DELETE", "teams_membership",
                [_sq_role("OLD", "-1"), _sq_first_role_refresh("OLD.member_id")], when="OLD.role = 'member'"),
    _sq_trigger("reports_subtree_person_update", "UPDATE", "teams_member", [
        f"""INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies)
            SELECT anc.id, ms.member_id, 0, 0, CASE WHEN NEW.is_active THEN 1 ELSE -1 END, 0
            FROM teams_membership ms JOIN teams_team t ON t.id = ms.team_id
            JOIN teams_team anc ON instr(t.path, '/' || anc.id || '/') > 0
            WHERE ms.member_id = NEW.id AND ms.role = 'member'
            ON CONFLICT (team_id, member_id) DO UPDATE SET roles = roles + excluded.roles""",
        _sq_first_role_refresh("NEW.id"),
    ], when="OLD.is_active IS NOT NEW.is_active"),
    _sq_trigger("reports_subtree_team_update", "UPDATE", "teams_team",
                _sq_moved("OLD.path", "-1") + _sq_moved("NEW.path", "1") + [_sq_first_role_refresh(
                    "SELECT member_id FROM teams_membership WHERE team_id = NEW.id AND role = 'member'")],
                when="OLD.path IS NOT NEW.path"),
]
SQLITE_V3_DROP = [
    f"DROP TRIGGER IF EXISTS {name}" for name in (
        "reports_subtree_tally_insert", "reports_subtree_tally_update", "reports_subtree_tally_delete",
        "reports_subtree_role_insert", "reports_subtree_role_update", "reports_subtree_role_delete",
        "reports_subtree_person_update", "reports_subtree_team_update",
    )
]


def _subtree_fill(ancestors_join: str) -> list[str]:
    """Fill reports_subtreemember from reports_membertally and the memberships (after the V1 fill)."""
    return [
        f"""INSERT INTO reports_subtreemember (team_id, member_id, completed, verified, roles, tallies, first_role_at)
            SELECT anc_id, s.member_id, SUM(s.c), SUM(s.v), SUM(s.r), SUM(s.tl), MIN(s.since) FROM (
                SELECT member_id, team_id, completed AS c, verified AS v, 0 AS r, 1 AS tl, NULL AS since
                FROM reports_membertally
                UNION ALL
                SELECT ms.member_id, ms.team_id, 0, 0, 1, 0, ms.created_at FROM teams_membership ms
                JOIN teams_member m ON m.id = ms.member_id WHERE ms.role = 'member' AND m.is_active
            ) s JOIN teams_team t ON t.id = s.team_id {ancestors_join}
            GROUP BY anc_id, s.member_id""",
    ]


PG_FILL_V3 = _subtree_fill(f"CROSS JOIN LATERAL {_pg_ancestors('t.path')} AS a(anc_id)")
SQLITE_FILL_V3 = [sql.replace("anc_id", "anc.id") for sql in _subtree_fill(
    "JOIN teams_team anc ON instr(t.path, '/' || anc.id || '/') > 0")]


# Version 4: work handed in per (enclosing team, person, week or month) ---------------------------
# reports_memberperiod summed onto every team on the path of the work's team
# (reports.models.SubtreePeriod): a subtree's active people in a period are then a count
# of its root's rows, not a DISTINCT over every team's rows. Kept from reports_memberperiod
# (written only when work is handed in or its hand-in undone, never by a fan-out) and from
# a team's `path` (a move or a merge re-roots the rows of the teams it moves).

PERIOD_TABLE = "reports_subtreeperiod"


def _pg_period_apply(deltas: str) -> str:
    """Add the signed rows `deltas` (member_id, path, period, starts_on, h) to every team on their path."""
    return _pg_dynamic(f"""
    INSERT INTO reports_subtreeperiod (team_id, member_id, period, starts_on, handed_in)
    SELECT a.team_id, d.member_id, d.period, d.starts_on, sum(d.h)
    FROM ({deltas}) d CROSS JOIN LATERAL {_pg_ancestors('d.path')} AS a(team_id)
    GROUP BY 1, 2, 3, 4 HAVING sum(d.h) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (team_id, member_id, period, starts_on)
    DO UPDATE SET handed_in = reports_subtreeperiod.handed_in + EXCLUDED.handed_in
""")


_PG_PERIOD_NEW = ("SELECT n.member_id, t.path, n.period, n.starts_on, n.handed_in AS h "
                  "FROM new_rows n JOIN teams_team t ON t.id = n.team_id")
_PG_PERIOD_OLD = ("SELECT o.member_id, t.path, o.period, o.starts_on, -o.handed_in AS h "
                  "FROM old_rows o JOIN teams_team t ON t.id = o.team_id")

PG_V4 = f"""
LOCK TABLE tasks_assignment IN SHARE ROW EXCLUSIVE MODE;
LOCK TABLE teams_team IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION reports_subtree_period_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_period_apply(_PG_PERIOD_NEW)} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_period_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_period_apply(_PG_PERIOD_NEW + " UNION ALL " + _PG_PERIOD_OLD)} RETURN NULL; END $$;
CREATE FUNCTION reports_subtree_period_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_period_apply(_PG_PERIOD_OLD)} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_period_insert AFTER INSERT ON reports_memberperiod
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_period_insert();
CREATE TRIGGER reports_subtree_period_update AFTER UPDATE ON reports_memberperiod
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_period_update();
CREATE TRIGGER reports_subtree_period_delete AFTER DELETE ON reports_memberperiod
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_subtree_period_delete();

CREATE FUNCTION reports_subtree_period_team_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_pg_period_apply(
          f"SELECT mp.member_id, p.path, mp.period, mp.starts_on, p.sign * mp.handed_in AS h FROM ("
          f"SELECT id, new_path AS path, 1 AS sign FROM ({_PG_TEAM_MOVED}) x UNION ALL "
          f"SELECT id, old_path, -1 FROM ({_PG_TEAM_MOVED}) y) p "
          f"JOIN reports_memberperiod mp ON mp.team_id = p.id")} RETURN NULL; END $$;
CREATE TRIGGER reports_subtree_period_team_update AFTER UPDATE ON teams_team
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION reports_subtree_period_team_update();
"""

PG_V4_DROP = """
DROP TRIGGER IF EXISTS reports_subtree_period_insert ON reports_memberperiod;
DROP TRIGGER IF EXISTS reports_subtree_period_update ON reports_memberperiod;
DROP TRIGGER IF EXISTS reports_subtree_period_delete ON reports_memberperiod;
DROP TRIGGER IF EXISTS reports_subtree_period_team_update ON teams_team;
DROP FUNCTION IF EXISTS reports_subtree_period_insert();
DROP FUNCTION IF EXISTS reports_subtree_period_update();
DROP FUNCTION IF EXISTS reports_subtree_period_delete();
DROP FUNCTION IF EXISTS reports_subtree_period_team_update();
"""


def _sq_period_add(r: str, sign: str) -> str:
    return f"""INSERT INTO reports_subtreeperiod (team_id, member_id, period, starts_on, handed_in)
        SELECT anc.id, {r}.member_id, {r}.period, {r}.starts_on, {sign} * {r}.handed_in FROM teams_team anc
        WHERE instr({_sq_team_path(f'{r}.team_id')}, '/' || anc.id || '/') > 0
        ON CONFLICT (team_id, member_id, period, starts_on) DO UPDATE SET handed_in = handed_in + excluded.handed_in"""


def _sq_period_moved(path: str, sign: str) -> str:
    return f"""INSERT INTO reports_subtreeperiod (team_id, member_id, period, starts_on, handed_in)
        SELECT anc.id, mp.member_id, mp.period, mp.starts_on, {sign} * mp.handed_in
        FROM reports_memberperiod mp JOIN teams_team anc ON instr({path}, '/' || anc.id || '/') > 0
        WHERE mp.team_id = NEW.id
        ON CONFLICT (team_id, member_id, period, starts_on) DO UPDATE SET handed_in = handed_in + excluded.handed_in"""


SQLITE_V4 = [
    _sq_trigger("reports_subtree_period_insert", "INSERT", "reports_memberperiod", [_sq_period_add("NEW", "1")]),
    _sq_trigger("reports_subtree_period_update", "UPDATE", "reports_memberperiod",
                [_sq_period_add("OLD", "-1"), _sq_period_add("NEW", "1")]),
    _sq_trigger("reports_subtree_period_delete", "DELETE", "reports_memberperiod", [_sq_period_add("OLD", "-1")]),
    _sq_trigger("reports_subtree_period_team_update", "UPDATE", "teams_team",
                [_sq_period_moved("OLD.path", "-1"), _sq_period_moved("NEW.path", "1")],
                when="OLD.path IS NOT NEW.path"),
]
SQLITE_V4_DROP = [
    f"DROP TRIGGER IF EXISTS {name}" for name in (
        "reports_subtree_period_insert", "reports_subtree_period_update", "reports_subtree_period_delete",
        "reports_subtree_period_team_update",
    )
]


def _period_fill(ancestors_join: str) -> list[str]:
    return [
        f"""INSERT INTO reports_subtreeperiod (team_id, member_id, period, starts_on, handed_in)
            SELECT anc_id, mp.member_id, mp.period, mp.starts_on, SUM(mp.handed_in) FROM reports_memberperiod mp
            JOIN teams_team t ON t.id = mp.team_id {ancestors_join}
            GROUP BY anc_id, mp.member_id, mp.period, mp.starts_on""",
    ]


PG_FILL_V4 = _period_fill(f"CROSS JOIN LATERAL {_pg_ancestors('t.path')} AS a(anc_id)")
SQLITE_FILL_V4 = [sql.replace("anc_id", "anc.id") for sql in _period_fill(
    "JOIN teams_team anc ON instr(t.path, '/' || anc.id || '/') > 0")]


def _replaced_functions(script: str) -> str:
    """Every function a version's script creates, as CREATE OR REPLACE (its triggers stay)."""
    bodies = re.findall(r"CREATE FUNCTION .*?\$\$;", script, re.S)
    return "\n".join(body.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1) for body in bodies)


# Migration 0014: version 3's functions with the grouped first-role refresh.
PG_V3_FUNCTIONS = _replaced_functions(PG_V3)


# Version 5 (PostgreSQL): a statement of one row plans nothing. Version 2 made the statements
# that join a transition table dynamic, planned for the statement at hand, because a cached plan
# is the one made for the session's first call. A workflow step writes one row, and planning
# those statements was most of what its triggers cost (an UPDATE of one assignment: 2.6 ms, of
# which the two tally tables' board and period statements, planned three times, took 1.6 ms).
# Each function now counts its transition table (reading at most SMALL + 1 rows): with none
# it returns at once (an upsert fires both its INSERT and its UPDATE trigger, and one of them
# has no rows); with at most SMALL (a step's one row, its week and month periods) it runs the
# same statements static, their plans cached for the session and only ever used for a few
# rows, where any join order costs a few dozen probes; with more it plans them per call.

SMALL = 8

def _pg_sized_function(name: str, body: str) -> str:
    rows = "new_rows" if "new_rows" in body else "old_rows"
    body = re.sub(r"EXECUTE \$sql\$(.*?)\$sql\$;",
                  lambda m: f"IF seen <= {SMALL} THEN {m.group(1).strip()}; ELSE EXECUTE $sql${m.group(1)}$sql$; END IF;",
                  body, flags=re.S)
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"DECLARE seen int;\nBEGIN\n"
            f"  SELECT count(*) INTO seen FROM (SELECT 1 FROM {rows} LIMIT {SMALL + 1}) r;\n"
            f"  IF seen = 0 THEN RETURN NULL; END IF;\n"
            f"  {body.strip()} RETURN NULL; END $$;\n")


def _pg_sized(*scripts: str) -> str:
    """Every trigger function of `scripts` that reads a transition table, rewritten as above."""
    out = []
    for script in scripts:
        for name, body in re.findall(r"CREATE (?:OR REPLACE )?FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE "
                                     r"plpgsql AS \$\$\s*BEGIN(.*?)RETURN NULL; END \$\$;", script, re.S):
            if "new_rows" in body or "old_rows" in body:
                out.append(_pg_sized_function(name, body))
    return "".join(out)


# The functions as they stand after migration 0014 (version 2's on tasks_assignment and the
# memberships, version 3's as 0014 replaced them, version 4's), and the same made sized.
PG_V4_FUNCTIONS = _replaced_functions(PG_V4)
PG_V5_UNDO = PG_V2 + PG_V3_FUNCTIONS + PG_V4_FUNCTIONS
PG_V5 = _pg_sized(PG_V2, PG_V3_FUNCTIONS, PG_V4_FUNCTIONS)
