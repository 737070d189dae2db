"""make e2e: the production stack started for real, driven by a client generated from its schema.

1. PostgreSQL and Redis on 127.0.0.1 (started here only if they are not running).
2. A fresh database (E2E_DATABASE, default api_e2e), migrated and seeded with the demo.
3. gunicorn (deploy/gunicorn.conf.py), a Celery worker and Celery beat, Redis as
   broker and cache, pushes through the logging sender.
4. A Python client generated from /api/schema/ with openapi-python-client.
5. deploy/e2e_flow.py through that client: a member registers a phone, a coordinator
   creates a task and assigns it to the village, the member lists their assignments
   and completes one with evidence, the coordinator verifies it, the stats change.
6. The worker has recorded the push of the new assignment to the member's phone.

Everything it started is stopped again, whatever happens. Environment:
E2E_POSTGRES_URL (server, default postgres://postgres@127.0.0.1:5432/postgres),
E2E_DATABASE, E2E_REDIS_URL (default redis://127.0.0.1:6379/4), E2E_PORT (18765),
E2E_KEEP=1 keeps the database and the logs (in E2E_WORKDIR, default a temp dir).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
E2E_PY = ROOT / os.environ.get("E2E_PYTHON", ".venv-e2e/bin/python")  # relative to the project
PG_URL = os.environ.get("E2E_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("E2E_DATABASE", "api_e2e")
REDIS_URL = os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/4")
PORT = int(os.environ.get("E2E_PORT", "18765"))
KEEP = os.environ.get("E2E_KEEP") == "1"
PUSH_WAIT_S = 60


class E2EFailure(Exception):
    pass


class Stack:
    """What this run started, stopped in reverse order."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.stops: list[tuple[str, callable]] = []

    def process(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        print(f"started {name} (pid {proc.pid})", flush=True)

        def stop():
            if proc.poll() is None:
                # The whole process group: gunicorn and celery leave children behind otherwise.
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            log.close()
            print(f"stopped {name}", flush=True)

        self.stops.append((name, stop))
        return proc

    def on_stop(self, name: str, stop) -> None:
        self.stops.append((name, stop))

    def stop_all(self) -> None:
        for name, stop in reversed(self.stops):
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                print(f"could not stop {name}: {exc!r}", file=sys.stderr)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def check_build() -> None:
    missing = [p for p in ("api/celery.py", "notifications", "reports", "tasks/services") if not (ROOT / p).exists()]
    if missing:
        raise E2EFailure(f"this build lacks {', '.join(missing)}: the e2e flow needs the Celery app, "
                         "notifications, reports and the tasks API")
    if not E2E_PY.exists():
        raise E2EFailure(f"{E2E_PY} is missing: `make e2e` builds it from deploy/e2e-requirements.txt")


def ensure_postgres(stack: Stack) -> None:
    url = urlparse(PG_URL)
    host, port = url.hostname or "127.0.0.1", str(url.port or 5432)
    if subprocess.run(["pg_isready", "-q", "-h", host, "-p", port]).returncode == 0:
        return
    clusters = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not clusters or not shutil.which("pg_ctlcluster"):
        raise E2EFailure(f"PostgreSQL is not answering on {host}:{port} and there is no local cluster to start")
    version = clusters[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
    stack.on_stop("postgresql", lambda: subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop"], check=False))
    wait_for(lambda: subprocess.run(["pg_isready", "-q", "-h", host, "-p", port]).returncode == 0, 30, "PostgreSQL")
    print("started postgresql", flush=True)


def ensure_redis(stack: Stack) -> None:
    url = urlparse(REDIS_URL)
    host, port = url.hostname or "127.0.0.1", str(url.port or 6379)

    def ping():
        return subprocess.run(["redis-cli", "-h", host, "-p", port, "ping"], capture_output=True).returncode == 0

    if ping():
        return
    if not shutil.which("redis-server"):
        raise E2EFailure(f"Redis is not answering on {host}:{port} and redis-server is not installed")
    stack.process("redis", ["redis-server", "--bind", host, "--port", port, "--save", "", "--appendonly", "no"],
                  dict(os.environ))
    wait_for(ping, 30, "Redis")


def fresh_database() -> str:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return urlparse(PG_URL)._replace(path=f"/{DATABASE}").geturl()


def drop_database() -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.5)
    raise E2EFailure(f"{what} did not come up within {seconds:.0f} s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status == 200


def _nullable_refs_as_unions(node) -> None:
    if isinstance(node, dict):
        refs = node.get("allOf")
        if node.get("nullable") and isinstance(refs, list) and len(refs) == 1 and "$ref" in refs[0]:
            node.pop("allOf"), node.pop("nullable"), node.pop("type", None)
            node["anyOf"] = [refs[0], {"type": "null"}]
        for value in node.values():
            _nullable_refs_as_unions(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_refs_as_unions(value)


def generate_client(base_url: str, workdir: Path) -> Path:
    with urllib.request.urlopen(f"{base_url}/api/schema/?format=json", timeout=30) as response:
        schema = json.load(response)
    # openapi-python-client 0.29 sends a body offered in several content types as the LAST one
    # (multipart), whatever the call; the mobile flow speaks JSON, so the client is generated
    # with the JSON form of each body where the schema offers one.
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content and len(content) > 1:
                operation["requestBody"]["content"] = {"application/json": content["application/json"]}
    # It also reads `allOf: [$ref], nullable: true` (OpenAPI 3.0's "this object, or null",
    # which the Kotlin, Swift, Dart and TypeScript generators honour) as the bare $ref, so a
    # task's `material: null` failed to parse; it is given the union form it does read.
    _nullable_refs_as_unions(schema)
    schema_path = workdir / "schema.json"
    schema_path.write_text(json.dumps(schema))
    out = workdir / "client" / "volunteer_api"
    result = subprocess.run(
        [str(E2E_PY), "-m", "openapi_python_client", "generate", "--path", str(schema_path),
         "--output-path", str(out), "--meta", "none", "--overwrite"],
        cwd=workdir, capture_output=True, text=True,
    )
    if result.returncode != 0 or not (out / "client.py").exists():
        raise E2EFailure(f"client generation failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    print(f"generated client {out}", flush=True)
    return out.parent


def push_recorded(db_url: str, device_token: str) -> tuple[str, str] | None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT p.outcome, p.body FROM notifications_pushdelivery p "
            "JOIN notifications_device d ON d.id = p.device_id WHERE d.token = %s AND p.outcome <> 'pending' "
            "ORDER BY p.id LIMIT 1",
            [device_token],
        ).fetchone()
    return row


def main() -> int:
    workdir = Path(os.environ.get("E2E_WORKDIR") or tempfile.mkdtemp(prefix="api-e2e-"))
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack(workdir)
    db_url = None
    try:
        check_build()
        ensure_postgres(stack)
        ensure_redis(stack)
        db_url = fresh_database()
        env = {
            **os.environ,
            "DATABASE_URL": db_url, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "CACHE_URL": REDIS_URL, "CELERY_BROKER_URL": REDIS_URL,
            "PUSH_SENDER": "notifications.push.LoggingSender", "QUIET_HOURS": "off", "MEDIA_ROOT": str(workdir / "media"),
            "GUNICORN_BIND": f"127.0.0.1:{PORT}", "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        }
        env.pop("DATABASE_REPLICA_URL", None)
        env.pop("TEST_DATABASE_NAME", None)
        for step in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([PY, "manage.py", *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        password = subprocess.run(
            [PY, "manage.py", "shell", "--verbosity", "0", "-c",
             "from teams.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]

        web = stack.process("web", [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], env)
        worker = stack.process("worker", [PY, "-m", "celery", "-A", "api", "worker", "--loglevel", "INFO",
                                          "--concurrency", "1", "--without-gossip", "--without-mingle"], env)
        stack.process("beat", [PY, "-m", "celery", "-A", "api", "beat", "--loglevel", "INFO",
                               "--schedule", str(workdir / "celerybeat-schedule")], env)
        base_url = f"http://127.0.0.1:{PORT}"
        wait_for(lambda: web.poll() is None and http_ok(f"{base_url}/healthz"), 60, "gunicorn")
        client_dir = generate_client(base_url, workdir)

        flow = subprocess.run(
            [str(E2E_PY), str(ROOT / "deploy" / "e2e_flow.py"), "--base-url", base_url, "--password", password],
            env={**os.environ, "PYTHONPATH": str(client_dir)}, capture_output=True, text=True, timeout=300,
        )
        sys.stdout.write(flow.stdout)
        if flow.returncode != 0:
            raise E2EFailure(f"the flow failed:\n{flow.stderr[-4000:]}\n--- web log ---\n{stack.log_tail('web')}")
        outcome = json.loads(flow.stdout.strip().splitlines()[-1])

        deadline = time.monotonic() + PUSH_WAIT_S
        delivery = None
        while delivery is None and time.monotonic() < deadline:
            if worker.poll() is not None:
                raise E2EFailure(f"the Celery worker died:\n{stack.log_tail('worker')}")
            delivery = push_recorded(db_url, outcome["device_token"])
            time.sleep(0.5)
        if delivery is None:
            raise E2EFailure(f"no push recorded for the member's phone within {PUSH_WAIT_S} s\n"
                             f"--- worker log ---\n{stack.log_tail('worker')}")
        # notifications and pushes are outbox rows consumed by the worker (api/outbox.py)
        if "api.outbox.outbox_deliver" not in stack.log_tail("worker", 100_000):
            raise E2EFailure("the push was recorded, but not by the Celery worker")
        print(f"ok   the worker recorded the push: {delivery[0]} {delivery[1]!r}")
        print("e2e passed")
        return 0
    except (E2EFailure, subprocess.CalledProcessError) as exc:
        print(f"e2e FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop_all()
        if db_url and not KEEP:
            drop_database()
        if KEEP:
            print(f"kept the database {DATABASE} and the logs in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
