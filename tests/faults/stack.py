"""The production stack of the fault suite, started on this machine's own ports.

Two Redis servers (the cache on FAULTS_REDIS_PORT, the broker on the next port; no
persistence, so a restart loses whatever was queued, as it would without AOF), a
PostgreSQL cluster of its own (initdb into a temporary folder, run as the `postgres` or
`nobody` user when the suite runs as root, since initdb refuses root), gunicorn, a Celery worker
and Celery beat. Every process is ours: faults are injected by signalling our own
pids, never the shared servers. `Stack.stop()` ends all of it.
"""
import glob
import json
import os
import pwd
import shutil
import signal as signals
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6390"))
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5440"))
WEB_PORT = int(os.environ.get("FAULTS_WEB_PORT", "8120"))


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def _wait_port(port: int, timeout: float = 30, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _port_free(port):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {proc.returncode}")
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout} s")


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("no PostgreSQL binaries (initdb) found under /usr/lib/postgresql/*/bin")


def children_of(pid: int) -> list[int]:
    kids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.split("/")[2]))
    return kids


class Stack:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="faults-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.pg_user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pwd.getpwnam(name)
                    self.pg_user = name
                    break
                except KeyError:
                    continue
        self.database_url = f"postgres://postgres@{HOST}:{PG_PORT}/faults"
        self.base_url = f"http://{HOST}:{WEB_PORT}"

    # --- environment shared by every app process ---------------------------------------
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_DATABASE", "PYTEST"))}
        env.update({
            "DATABASE_URL": self.database_url,
            "DB_CONN_MAX_AGE": "60",  # pooled connections: a restarted PostgreSQL must not 500
            "CACHE_URL": f"redis://{HOST}:{REDIS_PORT}/0",
            "CELERY_BROKER_URL": f"redis://{HOST}:{REDIS_PORT + 1}/0",
            "DEBUG": "0",
            "SECRET_KEY": "faults-only-secret-key-not-for-production-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "THROTTLE_USER": "1000000/s", "THROTTLE_ANON": "1000000/s",
            "THROTTLE_LOGIN_PHONE": "1000000/s", "THROTTLE_LOGIN_ADDRESS": "1000000/s",
            "JWT_ACCESS_MINUTES": "120",
            "REQUEST_TIMEOUT_SECONDS": "4",
            "DB_STATEMENT_TIMEOUT_MS": "5000",
            "OUTBOX_RETRY_SECONDS": "5",
            "OUTBOX_RELAY_SECONDS": "2",
            "CELERY_TASK_TIME_LIMIT": "30",
            "PUSH_SENDER": "tests.faults.sender.SlowSender",
            "GUNICORN_BIND": f"{HOST}:{WEB_PORT}",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_TIMEOUT": "30",
            "GUNICORN_ACCESS_LOG": str(self.dir / "access.log"),
            "PYTHONPATH": str(ROOT),
        })
        env.pop("DATABASE_REPLICA_URL", None)
        return env

    def _as_user(self, user):
        if not user:
            return None
        entry = pwd.getpwnam(user)

        def drop():
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)

        return drop

    def _start(self, name: str, argv: list[str], env=None, user=None, cwd=None) -> subprocess.Popen:
        log = self.dir / f"{name}.log"
        self.logs[name] = log
        if user:
            shutil.chown(self.dir, user=user)
            env = {**(env or self.env()), "HOME": str(self.dir)}
        proc = subprocess.Popen(argv, cwd=cwd or (self.dir if user else ROOT), env=env or self.env(),
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=self._as_user(user))
        self.procs[name] = proc
        return proc

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- Redis -----------------------------------------------------------------------------
    def start_redis(self, which: str) -> None:
        port = REDIS_PORT if which == "cache" else REDIS_PORT + 1
        if not _port_free(port):
            raise RuntimeError(f"port {port} is taken: the fault suite needs it for its own Redis")
        proc = self._start(f"redis-{which}", ["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                                              "--appendonly", "no", "--dir", str(self.dir)])
        _wait_port(port, proc=proc)

    # --- PostgreSQL --------------------------------------------------------------------------
    def init_postgres(self) -> None:
        data = self.dir / "pg"
        data.mkdir()
        if self.pg_user:
            shutil.chown(data, user=self.pg_user)
        out = subprocess.run(
            [str(pg_bindir() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync"],
            capture_output=True, text=True, cwd=self.dir, preexec_fn=self._as_user(self.pg_user))
        if out.returncode != 0:
            raise RuntimeError(f"initdb failed: {out.stdout}\n{out.stderr}")
        self.start_postgres()
        import psycopg

        with psycopg.connect(f"postgres://postgres@{HOST}:{PG_PORT}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")

    def start_postgres(self) -> None:
        if not _port_free(PG_PORT):
            raise RuntimeError(f"port {PG_PORT} is taken: the fault suite needs it for its own PostgreSQL")
        proc = self._start("postgres", [str(pg_bindir() / "postgres"), "-D", str(self.dir / "pg"), "-p", str(PG_PORT),
                                        "-c", f"listen_addresses={HOST}", "-c", f"unix_socket_directories={self.dir}",
                                        "-c", "fsync=off", "-c", "max_connections=60"], user=self.pg_user)
        _wait_port(PG_PORT, proc=proc)
        time.sleep(0.5)

    def postgres_pids(self) -> list[int]:
        """The postmaster and every backend and helper process it forked."""
        main = self.procs["postgres"].pid
        return [main, *children_of(main)]

    # --- the app -----------------------------------------------------------------------------
    def migrate_and_seed(self) -> dict:
        env = self.env()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        out = subprocess.run([sys.executable, "-m", "tests.faults.seed"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_web(self) -> None:
        proc = self._start("web", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"])
        _wait_port(WEB_PORT, proc=proc)

    def start_worker(self) -> None:
        self._start("worker", [sys.executable, "-m", "celery", "-A", "api", "worker", "--concurrency", "2",
                               "--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n",
                               f"faults-{time.time_ns()}@%h"])

    def start_beat(self) -> None:
        self._start("beat", [sys.executable, "-m", "celery", "-A", "api", "beat", "--loglevel", "INFO",
                             "--schedule", str(self.dir / "beat-schedule")])

    def worker_pool_pids(self) -> list[int]:
        return children_of(self.procs["worker"].pid)

    def signal(self, name: str, sig: int, group: bool = False) -> None:
        proc = self.procs[name]
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)

    def stop_process(self, name: str, sig=signals.SIGTERM, timeout: float = 15) -> None:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signals.SIGCONT)
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signals.SIGKILL)
            proc.wait(timeout=10)

    def start(self) -> dict:
        self.start_redis("cache")
        self.start_redis("broker")
        self.init_postgres()
        world = self.migrate_and_seed()
        self.start_web()
        self.start_worker()
        self.start_beat()
        return world

    def stop(self) -> None:
        for name in ("beat", "worker", "web", "postgres", "redis-broker", "redis-cache"):
            proc = self.procs.get(name)
            if proc is None:
                continue
            if name == "postgres":  # fast shutdown, thawed first if a fault froze it
                for pid in self.postgres_pids():
                    try:
                        os.kill(pid, signals.SIGCONT)
                    except ProcessLookupError:
                        pass
                self.stop_process(name, sig=signals.SIGINT)
            else:
                self.stop_process(name)
        if os.environ.get("FAULTS_KEEP_DIR") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
