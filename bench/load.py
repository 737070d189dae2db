"""make load: wrk against gunicorn with several workers, on the seeded database (issue 7, point 5).

Runs against the same server (settings bench.settings, so /bench/ping exists):
  ceiling   GET /bench/ping: no database, no authentication
  feed      GET /api/v1/assignments/?mine=true&page_size=20 as many different members
  poll      the same feed as a delta poll that finds nothing new (`updated_since` = the
            X-Sync-Cursor of a response taken just before the run): what a phone's idle poll costs
  complete  POST /api/v1/assignments/{id}/complete/ with evidence, the busy member's own work
  answer    POST /api/v1/surveys/{id}/responses/ to a fresh survey, each of ANSWER_PEOPLE members
            sending the same answer again and again: every person must be counted exactly once
            (one 201 each, 409 for every repeat); its figures go under "survey_load"
Each reports requests/s and p95; the figures go to bench/results.json under "load",
with each run's requests/s against the ceiling's and the largest resident memory of a
gunicorn worker after the runs (worker_rss_mb_max).
LOAD_MODES (default ceiling,feed,poll,complete,answer) picks the runs.
The complete run really completes assignments of the busy member (up to the
requests it makes); the rest of the seed stays as it was.

Environment: LOAD_WORKERS (gunicorn workers, default 4), LOAD_SECONDS (15),
LOAD_CONNECTIONS (16), LOAD_THREADS (2), LOAD_PORT (18766), BENCH_SHAPE (as make bench).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from bench.run import RESULTS, ensure_seed  # noqa: E402
from tasks.models import Assignment  # noqa: E402
from teams.models import Member  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "16"))
THREADS = int(os.environ.get("LOAD_THREADS", "2"))
PORT = int(os.environ.get("LOAD_PORT", "18766"))
FEED_MEMBERS = 200
# Few enough that every person sends their answer several times within the run.
ANSWER_PEOPLE = int(os.environ.get("ANSWER_PEOPLE", "200"))
MODES = [m for m in os.environ.get("LOAD_MODES", "ceiling,feed,poll,complete,answer").split(",") if m]


def start_server(workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1", "GUNICORN_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "", "GUNICORN_MAX_REQUESTS": "0",
        # Production keeps connections open; throttles would turn a load run into 429s.
        "DB_CONN_MAX_AGE": "60", "THROTTLE_USER": "100000000/min", "THROTTLE_ANON": "100000000/min",
    }
    log = open(workdir / "gunicorn.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/ping", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not start:\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def sync_cursor(token: str) -> str:
    """The X-Sync-Cursor of one feed request, URL-encoded (its `+` must stay a plus)."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/v1/assignments/?mine=true&page_size=20",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return urllib.parse.quote(response.headers["X-Sync-Cursor"], safe="")


def worker_rss_mb(proc: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(proc.pid) and "VmRSS" in fields:
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def wrk(mode: str, tokens: Path, ids: Path | None = None, **extra) -> dict:
    env = {**os.environ, "LOAD_MODE": mode, "LOAD_TOKENS": str(tokens), "LOAD_IDS": str(ids or ""),
           "LOAD_THREADS": str(THREADS), **extra}
    result = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--timeout", "10s",
         "-s", str(HERE / "load.lua"), f"http://127.0.0.1:{PORT}"],
        env=env, capture_output=True, text=True, check=True,
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOAD "))
    raw = json.loads(line[5:])
    seconds = raw["duration_us"] / 1e6
    figures = {
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "requests": raw["requests"],
        "errors": raw["non2xx"] + raw["socket_errors"],
    }
    if mode == "answer":
        # 409 is the expected answer to a repeat: errors are everything else.
        figures.update(created=raw["created"], conflicts=raw["conflicts"],
                       errors=raw["others"] + raw["socket_errors"])
    return figures


def answer_run(seeded, workdir: Path) -> dict:
    """wrk against the responses endpoint, then the tables: every person exactly once."""
    from bench.surveys import load_body, load_survey
    from surveys.models import Participation, TeamTally

    survey, _coordinator = load_survey(seeded)
    ids = list(Member.objects.filter(memberships__team__path__startswith=seeded.province.path,
                                     memberships__role="member").order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // ANSWER_PEOPLE)  # spread over the villages, as a real survey's answers are
    people = list(Member.objects.filter(pk__in=ids[::step][:ANSWER_PEOPLE]).order_by("pk"))
    tokens = workdir / "answer_tokens"
    tokens.write_text("\n".join(str(AccessToken.for_user(m)) for m in people) + "\n")
    run = wrk("answer", tokens, LOAD_SURVEY=str(survey.pk), LOAD_BODY=load_body(survey))
    participations = Participation.objects.filter(survey=survey).count()
    distinct = Participation.objects.filter(survey=survey).values("member_id").distinct().count()
    counted = sum(TeamTally.objects.filter(survey=survey).values_list("responses", flat=True))
    run.update(people=len(people), participations=participations, counted=counted,
               exactly_once=participations == distinct == counted == run["created"]
               and run["created"] + run["conflicts"] == run["requests"] - run["errors"])
    return run


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    call_command("migrate", verbosity=0, interactive=False)
    seeded = ensure_seed({})
    district = seeded.districts[0]
    members = list(
        Member.objects.filter(memberships__team__path__startswith=district.path, memberships__role="member")
        .exclude(pk=getattr(seeded.busy_member, "pk", None)).order_by("pk")[:FEED_MEMBERS]
    )
    busy = seeded.busy_member
    if busy is None and "complete" in MODES:
        raise SystemExit("the seed has no busy member to complete work (BENCH_SHAPE busy_tasks is 0)")
    # Work completed with a link: offline work (a quantity instead) is left out of the pool.
    pool = list(Assignment.objects.filter(assignee=busy, status="assigned").exclude(task__kind="offline")
                .order_by("-id")
                .values_list("pk", flat=True)[:50_000]) if busy is not None else []
    workdir = Path(tempfile.mkdtemp(prefix="api-load-"))
    feed_tokens = workdir / "feed_tokens"
    feed_tokens.write_text("\n".join(str(AccessToken.for_user(m)) for m in members) + "\n")
    busy_token = workdir / "busy_token"
    busy_token.write_text(f"{AccessToken.for_user(busy or members[0])}\n")
    ids = workdir / "ids"
    ids.write_text("\n".join(map(str, pool)) + "\n")

    server = start_server(workdir)
    try:
        print(f"gunicorn: {WORKERS} workers; wrk: {THREADS} threads, {CONNECTIONS} connections, {SECONDS} s each",
              flush=True)
        runs = {}
        for mode, tokens, id_file in [("ceiling", busy_token, None), ("feed", feed_tokens, None),
                                      ("poll", feed_tokens, None), ("complete", busy_token, ids),
                                      ("answer", None, None)]:
            if mode not in MODES:
                continue
            if mode == "answer":
                runs[mode] = answer_run(seeded, workdir)
            elif mode == "poll":
                since = sync_cursor(feed_tokens.read_text().split()[0])
                runs[mode] = wrk(mode, tokens, id_file, LOAD_SINCE=since)
            else:
                runs[mode] = wrk("ping" if mode == "ceiling" else mode, tokens, id_file)
            print(f"  {mode:<9} {runs[mode]['requests_per_s']:>9,.1f} req/s  p95 {runs[mode]['p95_ms']:>7} ms  "
                  f"p50 {runs[mode]['p50_ms']:>7} ms  errors {runs[mode]['errors']}", flush=True)
        if "answer" in runs:
            a = runs["answer"]
            print(f"  answer: {a['created']} created, {a['conflicts']} conflicts, {a['participations']} "
                  f"participations, {a['counted']} counted: exactly once = {a['exactly_once']}", flush=True)
        rss = worker_rss_mb(server)
    finally:
        stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "answer" in runs:
        results["survey_load"] = {"workers": WORKERS, "connections": CONNECTIONS, "seconds": SECONDS, "tool": "wrk",
                                  **runs["answer"]}
    if not {"ceiling", "feed", "complete"} <= set(runs):
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
        return 0
    load = {"workers": WORKERS, "connections": CONNECTIONS, "seconds": SECONDS, "tool": "wrk",
            "worker_rss_mb": rss, "worker_rss_mb_max": max(rss) if rss else None}
    load["ceiling"] = runs["ceiling"]
    for mode in ("feed", "poll", "complete"):
        if mode in runs:
            load[mode] = runs[mode]
            load[f"{mode}_vs_ceiling"] = round(runs[mode]["requests_per_s"] / runs["ceiling"]["requests_per_s"], 3)
    results["load"] = load
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"feed / ceiling = {load['feed_vs_ceiling']}, poll / ceiling = {load.get('poll_vs_ceiling')}, "
          f"complete / ceiling = {load['complete_vs_ceiling']}, workers' memory {rss} MB; "
          f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
