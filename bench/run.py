"""make bench: the figures of issue 7 against DATABASE_URL (PostgreSQL for the published ones).

Seeds a national-size tree once (or reuses a seed of the same shape already in
the database), then measures each figure as the median of repeated runs in this
one process and writes:

  bench/results.json          exactly the keys the issue names (null = not measured)
  bench/results.details.json  how each figure was taken, references, notes, the machine

A figure whose endpoint or service is not in this build is reported as such,
never a crash. Environment:

  BENCH_SHAPE    districts,communes,villages,members,tasks,busy_tasks
                 default 1,10,10,1000,10,100100: 100,000 members and 1,100,110
                 assignments in one district, one member with 100,110 of them
  BENCH_REPEATS  timed runs per figure (default 11; the naive baseline and the
                 fan-out take fewer, they are slow)
  BENCH_ONLY     comma-separated figures to measure (e.g. survey_results_100k); `console`
                 or `team_merge` alone: each on its own small seed, no national one;
                 the others keep their earlier values in results.json. `fanout_background`
                 runs only when named here, on a database of its own (OWN_DATABASE)
  BENCH_MERGE_BEFORE_TIMEOUT_S  how long the merge's baseline (the former rollup triggers)
                 may run in one statement before it is cancelled (default 60)
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
import traceback
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from bench.baselines.raw import RawAssignmentList  # noqa: E402
from scale.seeding import Shape, find_seeded, seed_scale  # noqa: E402
from scale.writers import TableWriter  # noqa: E402
from tasks.models import Assignment, Task  # noqa: E402
from teams.models import Membership  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
DETAILS = HERE / "results.details.json"
DEFAULT_SHAPE = "1,10,10,1000,10,100100"
DEEP_ROWS = 100_000
REPEATS = int(os.environ.get("BENCH_REPEATS", "11"))
PASSWORD = "scale-2026-pass"


# Figures whose seed would change every other figure's: measured only when BENCH_ONLY names
# them, on a database of their own (fanout_background adds 1,000,000 people and their
# board rows; with them in the same database the merge took 6.2 s instead of 3.9 and the
# member board 238 ms instead of 48).
OWN_DATABASE = {"fanout_background"}


class NotMeasured(Exception):
    """A figure this build cannot produce; the message says why."""


def median_ms(fn, repeats=REPEATS, warmup=2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def require_route(path: str, what: str) -> None:
    try:
        resolve(urlparse(path).path)
    except Resolver404:
        raise NotMeasured(f"{what}: {urlparse(path).path} is not routed in this build") from None


class Api:
    """The full stack through Django's test client, with a real JWT like the mobile app sends."""

    def __init__(self, user):
        self.client = Client()
        self.user = user
        self.header = f"Bearer {AccessToken.for_user(user)}"

    def get(self, url: str):
        response = self.client.get(url, HTTP_AUTHORIZATION=self.header)
        if response.status_code != 200:
            raise NotMeasured(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    def json(self, url: str):
        return json.loads(self.get(url).content)


# Seed ---------------------------------------------------------------------------------------

def ensure_seed(details) -> object:
    shape = Shape(*[int(x) for x in os.environ.get("BENCH_SHAPE", DEFAULT_SHAPE).split(",")])
    seeded = find_seeded(shape)
    if seeded is not None:
        details["seed"] = {"shape": shape.label, "reused": True, "province_id": seeded.province.pk}
        print(f"seed: reusing {shape.label} (province #{seeded.province.pk})")
        return seeded
    print(f"seed: {shape.label}, {shape.expected_assignments:,} assignments ...", flush=True)
    seeded = seed_scale(shape, password=PASSWORD, log=lambda line: print(line, flush=True))
    for line in seeded.summary_lines():
        print(line)
    details["seed"] = {
        "shape": shape.label, "reused": False, "province_id": seeded.province.pk,
        "seconds": round(seeded.seconds, 2),
        "tables": {w.table: {"rows": w.rows, "seconds": round(w.seconds, 2), "rows_per_s": round(w.rows_per_s)}
                   for w in seeded.written},
    }
    return seeded


def vacuum() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_assignment")


# Figures ------------------------------------------------------------------------------------

def list_assignments_100(seeded, out, details):
    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    info = details.setdefault("list_assignments_100", {})
    info["caller"] = f"coordinator of district #{district.pk} ({district.name})"
    info["rows_in_scope"] = Assignment.objects.filter(team__path__startswith=district.path).count()

    raw = RawAssignmentList()
    try:
        raw_ids = [r["id"] for r in json.loads(raw.page(district.path))["results"]]
        out["raw_ms"] = median_ms(lambda: raw.page(district.path))
        info["raw"] = f"one SQL query through {raw.driver} + json.dumps with DRF's encoder"
    finally:
        raw.close()

    api = Api(coordinator)
    naive_url = "/bench/naive/assignments/?page_size=100"
    with CaptureQueriesContext(connection) as naive_queries:
        naive_body = api.json(naive_url)
    # Counted now: every request starts by clearing the connection's query log.
    info["naive_queries"] = len(naive_queries)
    out["naive_drf_ms"] = median_ms(lambda: api.get(naive_url), repeats=max(3, REPEATS // 3), warmup=1)
    info["naive_same_rows_as_raw"] = [r["id"] for r in naive_body["results"]] == raw_ids

    url = "/api/v1/assignments/?page_size=100"
    try:
        require_route(url, "ours")
        body = api.json(url)
        ours_ids = [r["id"] for r in body["results"]]
        info["ours_same_rows_as_raw"] = ours_ids == raw_ids
        if len(ours_ids) != 100:
            info["note"] = f"ours returned {len(ours_ids)} rows, not 100"
        out["ours_ms"] = median_ms(lambda: api.get(url))
        out["ratio_vs_raw"] = round(out["ours_ms"] / out["raw_ms"], 2)
        out["ratio_vs_naive"] = round(out["ours_ms"] / out["naive_drf_ms"], 3)
    except NotMeasured as exc:
        info["ours"] = str(exc)
        details["notes"]["list_assignments_100"] = str(exc)


def member_feed_50(seeded, out, details):
    """The busy member's own feed (`mine=true`), a page of 50, against the same rows by raw SQL."""
    member = seeded.busy_member
    if member is None:
        raise NotMeasured("member_feed_50: the seed has no busy member (BENCH_SHAPE busy_tasks is 0)")
    info = details.setdefault("member_feed_50", {})
    info["caller"] = f"member #{member.pk}, {Assignment.objects.filter(assignee=member).count():,} assignments"
    raw = RawAssignmentList()
    try:
        raw_ids = [r["id"] for r in json.loads(raw.own_page(member.pk, 50))["results"]]
        out["raw_ms"] = median_ms(lambda: raw.own_page(member.pk, 50))
        info["raw"] = f"one SQL query through {raw.driver} + json.dumps with DRF's encoder"
    finally:
        raw.close()
    url = "/api/v1/assignments/?mine=true&page_size=50"
    require_route(url, "member_feed_50")
    api = Api(member)
    info["ours_same_rows_as_raw"] = [r["id"] for r in api.json(url)["results"]] == raw_ids
    out["ours_ms"] = median_ms(lambda: api.get(url))
    out["ratio_vs_raw"] = round(out["ours_ms"] / out["raw_ms"], 2)


def queries_per_list(seeded, out, details):
    api = Api(seeded.district_coordinators[0])
    for key, size in (("page_1", 1), ("page_100", 100)):
        url = f"/api/v1/assignments/?page_size={size}"
        require_route(url, "queries_per_list")
        api.get(url)  # steady state: the caller's token version is cached after a first request
        with CaptureQueriesContext(connection) as queries:
            api.get(url)
        out[key] = len(queries)
        details.setdefault("queries_per_list", {})[key] = [q["sql"][:200] for q in queries.captured_queries]
    out["page_100_with_content"] = _queries_with_content(seeded, api)


class _Rollback(Exception):
    pass


def _queries_with_content(seeded, api) -> int:
    """Issue 11: the same page of 100 when every task of the district carries approved content
    inline (title, body, links on each assignment), in a transaction rolled back afterwards so
    the seed stays as it was. Same number of queries as without: no query per row."""
    from publishing.models import ContentItem, TaskPublication

    url = "/api/v1/assignments/?page_size=100"
    district = seeded.districts[0]
    author, reviewer = seeded.district_coordinators[0], Membership.objects.filter(
        team=district).exclude(member=seeded.district_coordinators[0]).values_list("member", flat=True).first()
    count = None
    try:
        with transaction.atomic():
            item = ContentItem.objects.create(
                team=district, title="Cảnh báo lừa đảo qua điện thoại", body="Không chuyển tiền cho người lạ.",
                links=["https://example.gov.vn/canh-bao"], status="approved", created_by=author,
                reviewed_by_id=reviewer, reviewed_at=timezone.now())
            tasks = Task.objects.filter(team__path__startswith=district.path).values_list("pk", flat=True)
            TaskPublication.objects.bulk_create([TaskPublication(task_id=pk, content=item) for pk in tasks],
                                                ignore_conflicts=True)
            api.get(url)
            with CaptureQueriesContext(connection) as queries:
                body = api.json(url)
            with_material = sum(1 for row in body["results"] if (row.get("task") or {}).get("material"))
            if not with_material:
                raise NotMeasured("queries_per_list: no assignment on the page carries its content inline")
            count = len(queries)
            raise _Rollback
    except _Rollback:
        pass
    return count


def team_stats_district(seeded, out, details):
    district = seeded.districts[0]
    url = f"/api/v1/teams/{district.pk}/stats/"
    require_route(url, "team_stats_district")
    api = Api(seeded.district_coordinators[0])
    body = api.json(url)
    out["assignments"] = body["assignments"]["total"]
    out["ms"] = median_ms(lambda: api.get(url))
    details["team_stats_district"] = {"team": district.pk, "body": body}


def deep_page(seeded, out, details):
    member = seeded.busy_member
    if member is None:
        raise NotMeasured("deep_page: the seed has no busy member (BENCH_SHAPE busy_tasks is 0)")
    total = Assignment.objects.filter(assignee=member).count()
    if total < DEEP_ROWS + 100:
        raise NotMeasured(f"deep_page: the busy member has {total} assignments, fewer than {DEEP_ROWS + 100}")
    first = "/api/v1/assignments/?mine=true&page_size=100"
    require_route(first, "deep_page")
    api = Api(member)
    body = api.json(first)
    if len(body["results"]) != 100:
        raise NotMeasured(f"deep_page: the member feed's first page has {len(body['results'])} rows, not 100 "
                          "(is `mine=true` filtering to the caller's own?)")
    deep, depth, how = find_deep_page(api, first, body)
    deep_body = api.json(deep)
    info = details.setdefault("deep_page", {})
    info.update({"member": member.pk, "feed_rows": total, "deep_url": deep, "reached_by": how,
                 "deep_page_rows": len(deep_body["results"])})
    out["depth_rows"] = depth
    out["page_1_ms"] = median_ms(lambda: api.get(first))
    out["page_deep_ms"] = median_ms(lambda: api.get(deep))
    info["ratio"] = round(out["page_deep_ms"] / out["page_1_ms"], 2)


def find_deep_page(api, first, body):
    """The URL of the page that starts DEEP_ROWS rows into the feed.

    A page-number `next` link (?page=2) lets us jump straight there; an opaque
    cursor has to be followed page by page, as a phone scrolling would.
    """
    next_url = body.get("next")
    if not next_url:
        raise NotMeasured("deep_page: the first page has no `next` link")
    query = parse_qs(urlparse(next_url).query)
    if "page" in query:
        query = {k: v[-1] for k, v in query.items()}
        query["page"] = str(DEEP_ROWS // 100 + 1)
        return f"{urlparse(next_url).path}?{urlencode(query)}", DEEP_ROWS, "page number"
    depth = len(body["results"])
    url = next_url
    while depth < DEEP_ROWS:
        page = api.json(url)
        depth += len(page["results"])
        url = page.get("next")
        if not url:
            raise NotMeasured(f"deep_page: the feed ended after {depth} rows")
    return url, depth, "following the cursor"


def fanout(seeded, out, details):
    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    info = details.setdefault("fanout", {})
    info["district_members"] = (
        Membership.objects.filter(team__path__startswith=district.path, role="member", member__is_active=True)
        .values("member").distinct().count()
    )
    info["method"] = ("each run in a transaction that is rolled back, so the database stays as seeded; "
                      "the deferred foreign-key checks are forced inside the timing")
    repeats = max(3, REPEATS // 4)
    info["raw_insert_select"] = _timed_fanouts(district, coordinator, _raw_insert_select, repeats)
    info["python_bulk_write"] = _timed_fanouts(district, coordinator, _copy_fanout, repeats)
    info["python_bulk_write"]["how"] = "COPY" if connection.vendor == "postgresql" else "bulk_create"
    try:
        from tasks.services import task_assign
    except ImportError as exc:
        raise NotMeasured(f"fanout: tasks.services.task_assign is not in this build ({exc})") from None

    def ours(task):
        result = task_assign(task=task, teams=[district], members=[], actor=coordinator)
        created = result["created"] if isinstance(result, dict) else result.created
        if not created:
            raise NotMeasured(f"fanout: task_assign created no assignment ({result!r})")
        return created

    # The figure is the synchronous fan-out (one statement, all-or-nothing): the district's
    # 100,001 people are past ASSIGN_BACKGROUND_THRESHOLD, which would hand them to a job
    # and time only the 202 (the background figure is fanout_background).
    info["ours_threshold"] = "ASSIGN_BACKGROUND_THRESHOLD raised past the district for this figure"
    with override_settings(ASSIGN_BACKGROUND_THRESHOLD=10**9):
        measured = _timed_fanouts(district, coordinator, ours, repeats)
    info["ours_foreign_key_checks_s"] = measured.pop("of_which_foreign_key_checks_s")
    out.update(measured)
    info["ours"] = "tasks.services.task_assign(task=..., teams=[district], members=[], actor=coordinator)"


def fanout_background(seeded, out, details):
    """On its own seed of 1,000,000 people (bench/background.py), written once."""
    from bench.background import measure

    measure(out, details, log=lambda line: print(line, flush=True))


def _timed_fanouts(district, coordinator, assign, repeats):
    samples, checks, created = [], [], None
    for _ in range(repeats):
        with transaction.atomic():
            task = Task.objects.create(
                title="Bench fan-out", kind="share", platform="facebook", team=district,
                created_by=coordinator, due_at=timezone.now() + timedelta(days=1),
            )
            started = time.perf_counter()
            created = assign(task)
            inserted = time.perf_counter()
            if connection.vendor == "postgresql":
                # The foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks would run at COMMIT.
                # Run them now, inside the timing, so a rolled-back run costs what a committed one does.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            samples.append(time.perf_counter() - started)
            checks.append(time.perf_counter() - inserted)
            transaction.set_rollback(True)
    seconds = statistics.median(samples)
    return {"assignments": created, "seconds": round(seconds, 3), "rows_per_s": round(created / seconds),
            "of_which_foreign_key_checks_s": round(statistics.median(checks), 3)}


def _member_rows_sql():
    return (
        "FROM teams_membership ms JOIN teams_team t ON t.id = ms.team_id "
        "JOIN teams_member m ON m.id = ms.member_id "
        "WHERE t.path LIKE %s AND ms.role = 'member' AND m.is_active"
    )


def _raw_insert_select(task):
    """The database's own speed for the same rows: one INSERT ... SELECT."""
    writer = TableWriter(Assignment, ["task", "assignee", "team", "status", "created_at", "updated_at"])
    now = timezone.now()
    tail = [f.get_db_prep_save(v, connection) for f, v in zip(writer.tail_fields, writer.tail)]
    columns = ", ".join(connection.ops.quote_name(c) for c in writer.columns)
    values = ", ".join(["%s", "ms.member_id", "ms.team_id", "'assigned'", "%s", "%s"] + ["%s"] * len(tail))
    # ON CONFLICT also drops a second row for someone holding two member roles in the subtree.
    sql = f"INSERT INTO tasks_assignment ({columns}) SELECT {values} {_member_rows_sql()} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, [task.pk, now, now, *tail, task.team.path + "%"])
        return cursor.rowcount


def _copy_fanout(task):
    """Read the member ids, then write the rows from Python: COPY on PostgreSQL (what a service can do)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ms.member_id, MIN(ms.team_id) {_member_rows_sql()} GROUP BY ms.member_id",
                       [task.team.path + "%"])
        targets = cursor.fetchall()
    now = timezone.now()
    writer = TableWriter(Assignment, ["task", "assignee", "team", "status", "created_at", "updated_at"])
    return writer.write((task.pk, member, team, "assigned", now, now) for member, team in targets).rows


# Report -------------------------------------------------------------------------------------

def survey_results_100k(seeded, out, details):
    from bench.surveys import results_survey

    survey, coordinator = results_survey(seeded)
    url = f"/api/v1/surveys/{survey.pk}/results/?team={seeded.province.pk}"
    require_route(url, "survey_results_100k")
    api = Api(coordinator)
    body = api.json(url)
    with CaptureQueriesContext(connection) as queries:
        api.get(url)
    out["responses"] = body["responses"]
    out["questions"] = len(body["questions"])
    out["queries"] = len(queries)
    out["ms"] = median_ms(lambda: api.get(url))
    details["survey_results_100k"] = {
        "survey": survey.pk, "team": seeded.province.pk, "caller": "a coordinator of the province",
        "audience_size": body["audience_size"], "suppressed": body["suppressed"],
        "text_answers": [q.get("answers_total") for q in body["questions"] if q["kind"] == "text"],
    }


def channel_stats_90d(seeded, out, details):
    from bench import channels

    channels.measure(seeded, out, details, api_class=Api, median_ms=median_ms, require_route=require_route,
                     capture=CaptureQueriesContext)
def report_figures(seeded, out, details):
    from bench.reports import measure

    measure(seeded, out, details, Api, median_ms, REPEATS)


def machine() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        with open("/proc/meminfo") as f:
            info["ram_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        info["database"] = cursor.fetchone()[0]
    return info


def console_figures(out, details):
    from bench import console

    console.measure(out, details, repeats=REPEATS)


def main() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    if os.environ.get("BENCH_ONLY") == "console":
        return main_console_only()
    if os.environ.get("BENCH_ONLY") == "team_merge":
        return main_merge_only()
    if connection.vendor != "postgresql":
        print("warning: DATABASE_URL is not PostgreSQL; the published figures are PostgreSQL's", file=sys.stderr)
    results = {
        "database": connection.vendor,
        "list_assignments_100": dict.fromkeys(["ours_ms", "raw_ms", "naive_drf_ms", "ratio_vs_raw", "ratio_vs_naive"]),
        "member_feed_50": dict.fromkeys(["ours_ms", "raw_ms", "ratio_vs_raw"]),
        "queries_per_list": dict.fromkeys(["page_1", "page_100", "page_100_with_content"]),
        "fanout": dict.fromkeys(["assignments", "seconds", "rows_per_s"]),
        "fanout_background": dict.fromkeys(["people", "answer_s", "assignments", "once_each", "job_seconds",
                                            "rows_per_s"]),
        "team_stats_district": dict.fromkeys(["assignments", "ms"]),
        "deep_page": dict.fromkeys(["page_1_ms", "page_deep_ms", "depth_rows"]),
        "survey_results_100k": dict.fromkeys(["responses", "questions", "queries", "ms"]),
        "channel_stats_90d": dict.fromkeys(["channels", "posts", "queries", "ms", "raw_ms", "ratio_vs_raw"]),
        "console": dict.fromkeys(["review_queue_1000_ms", "max_ratio", "max_extra_queries", "pages"]),
        "team_merge": dict.fromkeys(MERGE_KEYS),
        "reports": dict.fromkeys(["member_board_ms", "member_board_live_ms", "daily_366_ms", "daily_366_live_ms",
                                  "participation_year_ms", "participation_year_live_ms", "report_month_json_ms",
                                  "report_month_xlsx_ms", "report_month_live_ms"]),
    }
    details = {"machine": machine(), "notes": {}}
    seeded = ensure_seed(details)
    vacuum()
    # The fan-out goes last: its rolled-back rows leave dead tuples that a VACUUM then clears.
    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    for name, measure in [("list_assignments_100", list_assignments_100), ("member_feed_50", member_feed_50),
                          ("queries_per_list", queries_per_list),
                          ("team_stats_district", team_stats_district), ("deep_page", deep_page),
                          ("survey_results_100k", survey_results_100k),
                          ("channel_stats_90d", channel_stats_90d), ("reports", report_figures),
                          ("console", lambda seeded, out, details: console_figures(out, details)),
                          ("team_merge", lambda seeded, out, details: merge_figures(out, details)),
                          ("fanout", fanout), ("fanout_background", fanout_background)]:
        if only and name not in only:
            continue
        if name in OWN_DATABASE and name not in only:
            continue
        print(f"measuring {name} ...", flush=True)
        try:
            measure(seeded, results[name], details)
        except NotMeasured as exc:
            details["notes"][name] = str(exc)
        except Exception as exc:  # a figure that breaks must not hide the others
            details["notes"][name] = f"failed: {exc!r}"
            traceback.print_exc()
    vacuum()
    print("measuring evidence_decode_worst_case ...", flush=True)
    try:
        from bench.images import measure as evidence_decode

        results["evidence_decode_worst_case"] = evidence_decode()
    except Exception as exc:  # a figure that breaks must not hide the others
        details["notes"]["evidence_decode_worst_case"] = f"failed: {exc!r}"
    if RESULTS.exists():
        # `make load` writes its figures beside these; a new bench run keeps them, and a run
        # limited by BENCH_ONLY keeps every figure it did not measure.
        earlier = json.loads(RESULTS.read_text())
        # ... and the figures measured on a database of their own (OWN_DATABASE), with their details.
        carried = ("load", "survey_load", *(k for k in OWN_DATABASE if k not in only),
                   *(k for k in earlier if only and k not in only and k != "database"))
        for key in carried:
            if key in earlier:
                results[key] = earlier[key]
        if not only and DETAILS.exists():
            earlier_details = json.loads(DETAILS.read_text())
            for key in OWN_DATABASE:
                if key in earlier_details:
                    details[key] = earlier_details[key]
        if only and DETAILS.exists():
            kept = json.loads(DETAILS.read_text())
            kept_notes = {k: v for k, v in kept.get("notes", {}).items() if k not in only}
            seed = details.pop("seed", None)  # this run's seed belongs to the figures it measured
            for name in only:
                if isinstance(details.get(name), dict):
                    details[name]["seed"] = seed
            details = {**kept, **details, "notes": {**kept_notes, **details["notes"]}}
            results["database"] = earlier.get("database", results["database"])
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    DETAILS.write_text(json.dumps(details, indent=2, ensure_ascii=False, default=str) + "\n")
    print_table(results, details)
    return 0


def main_console_only() -> int:
    """BENCH_ONLY=console: the console's figures alone, merged into the results already written."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"database": connection.vendor}
    details = json.loads(DETAILS.read_text()) if DETAILS.exists() else {"notes": {}}
    details.setdefault("machine", machine())
    details.setdefault("notes", {}).pop("console", None)
    results["console"] = dict.fromkeys(["review_queue_1000_ms", "max_ratio", "max_extra_queries", "pages"])
    print("measuring console ...", flush=True)
    try:
        console_figures(results["console"], details)
    except Exception as exc:
        details["notes"]["console"] = f"failed: {exc!r}"
        traceback.print_exc()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    DETAILS.write_text(json.dumps(details, indent=2, ensure_ascii=False, default=str) + "\n")
    print_table({"database": results.get("database"), "console": results["console"]}, details)
    return 0


MERGE_KEYS = ["members", "assignments", "seconds", "assignments_moved", "before_seconds", "before_complete",
              "ratio_vs_before"]


def merge_figures(out, details):
    from bench.merge import measure

    measure(out, details)


def main_merge_only() -> int:
    """BENCH_ONLY=team_merge: the merge figure alone (its own seed), merged into the results already written."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"database": connection.vendor}
    details = json.loads(DETAILS.read_text()) if DETAILS.exists() else {"notes": {}}
    details.setdefault("machine", machine())
    details.setdefault("notes", {}).pop("team_merge", None)
    results["team_merge"] = dict.fromkeys(MERGE_KEYS)
    print("measuring team_merge ...", flush=True)
    try:
        merge_figures(results["team_merge"], details)
    except Exception as exc:
        details["notes"]["team_merge"] = f"failed: {exc!r}"
        traceback.print_exc()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    DETAILS.write_text(json.dumps(details, indent=2, ensure_ascii=False, default=str) + "\n")
    print_table({"database": results.get("database"), "team_merge": results["team_merge"]}, details)
    for label, seconds in list(details["team_merge"].get("seconds_by_statement", {}).items())[:12]:
        print(f"{'merge statement':<22} {label:<40} {seconds:>8} s")
    return 0


def print_table(results, details) -> None:
    print()
    print(f"database: {results['database']}  ({details['machine'].get('database', '')[:60]})")
    print(f"machine:  {details['machine'].get('cpu', '?')}, {details['machine']['cpus']} cpus, "
          f"{details['machine'].get('ram_gb', '?')} GB")
    print(f"{'figure':<22} {'key':<16} {'value':>12}   target")
    from bench.targets import TARGETS as targets

    for figure, values in results.items():
        if figure == "database" or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if isinstance(value, dict):  # the console's per-page table, printed below
                continue
            shown = "-" if value is None else (f"{value:,}" if isinstance(value, (int, float)) else str(value))
            print(f"{figure:<22} {key:<16} {shown:>12}   {targets.get((figure, key), '')}")
    for page, row in ((results.get("console") or {}).get("pages") or {}).items():
        print(f"{'console page':<22} {page:<16} {row['console_ms']:>9} ms   API {row['api_ms']} ms (x{row['ratio']}), "
              f"queries {row['console_queries']} vs {row['api_queries']}")
    fan = details.get("fanout", {})
    for ref in ("raw_insert_select", "python_bulk_write"):
        if ref in fan:
            r = fan[ref]
            print(f"{'fanout reference':<22} {ref:<16} {r['rows_per_s']:>12,}   rows/s ({r['assignments']:,} rows "
                  f"in {r['seconds']} s, {r['of_which_foreign_key_checks_s']} s of it foreign-key checks)")
    if details["notes"]:
        print("\nnot measured:")
        for figure, note in details["notes"].items():
            print(f"  {figure}: {note}")
    print(f"\nwrote {RESULTS.relative_to(HERE.parent)} and {DETAILS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    sys.exit(main())
