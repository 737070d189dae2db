"""A bounded load against the served API, and the checks run on the database afterwards.

Each logical operation is what a coordinator's phone does: create a task and assign it
to the commune (12 members), each POST with its own Idempotency-Key, retried with the
same key on a 503, a 409 "in progress" or a dropped connection, as the contract says a
client should; plus one read. Every attempt's answer is recorded.
"""
import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import psycopg

OP_DEADLINE_S = 120  # a retried operation gives up after this long (then the check fails)


@dataclass
class Record:
    statuses: Counter = field(default_factory=Counter)
    bad: list = field(default_factory=list)  # answers outside the documented ones
    latencies: list = field(default_factory=list)
    successes: list = field(default_factory=list)  # monotonic times of 2xx answers
    done_ops: int = 0
    failed_ops: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status, headers, body, latency):
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(latency)
            if isinstance(status, int) and 200 <= status < 300:
                self.successes.append(time.monotonic())
            documented = (
                (isinstance(status, int) and 200 <= status < 300)
                or status in ("connection_error",)
                or (status == 503 and _json(body).get("code") == "service_unavailable" and headers.get("retry-after"))
                or (status == 409 and _json(body).get("code") == "idempotency_key_in_progress"
                    and headers.get("retry-after"))
            )
            if not documented:
                self.bad.append((status, body[:300]))


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class Client:
    def __init__(self, host: str, port: int, record: Record, token: str | None = None):
        self.host, self.port, self.record, self.token = host, port, record, token

    def call(self, method: str, path: str, body=None, key: str | None = None, timeout: float = 15):
        headers = {"Content-Type": "application/json", "Accept-Language": "en"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        started = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status, got = response.status, {k.lower(): v for k, v in response.getheaders()}
        except TimeoutError:
            status, got, data = "client_timeout", {}, b""
        except (ConnectionError, http.client.HTTPException, OSError):
            status, got, data = "connection_error", {}, b""
        finally:
            conn.close()
        self.record.note(status, got, data, time.monotonic() - started)
        return status, got, data

    def until_done(self, method: str, path: str, body=None) -> dict | None:
        """POST with one key until it succeeds (the same key every time); the answer's JSON."""
        key = uuid.uuid4().hex
        deadline = time.monotonic() + OP_DEADLINE_S
        while time.monotonic() < deadline:
            status, headers, data = self.call(method, path, body, key=key)
            if isinstance(status, int) and 200 <= status < 300:
                return _json(data)
            if status in (503, 409, "connection_error", "client_timeout"):
                time.sleep(min(float(headers.get("retry-after", "0.5") or 0.5), 1.0))
                continue
            return None  # anything else is a bug the check reports
        return None


def login(host, port, phone, password) -> str:
    client = Client(host, port, Record())
    for _ in range(60):
        status, _headers, data = client.call("POST", "/api/v1/auth/token/", {"phone": phone, "password": password})
        if status == 200:
            return _json(data)["access"]
        time.sleep(0.5)
    raise RuntimeError(f"could not log in: {status} {data[:200]!r}")


def run_ops(client: Client, phase: str, commune: int, start: int, at_least: int, at_most: int,
            stop: threading.Event, spacing: float):
    """Operations one after another until `stop` is set (and at least `at_least`, at most `at_most`)."""
    for i in range(start, start + at_most):
        if i - start >= at_least and stop.is_set():
            break
        title = f"fault-{phase}-{i}"
        task = client.until_done("POST", "/api/v1/tasks/", {"title": title, "kind": "share",
                                                            "platform": "facebook", "team": commune})
        ok = task is not None and client.until_done("POST", f"/api/v1/tasks/{task['id']}/assign/",
                                                    {"teams": [commune]}) is not None
        client.call("GET", "/api/v1/tasks/?page_size=5")
        with client.record.lock:
            if ok:
                client.record.done_ops += 1
            else:
                client.record.failed_ops.append(title)
        time.sleep(spacing)


def check_database(database_url: str, phase: str, members: int) -> dict:
    """Nothing lost, nothing doubled, for the tasks of one phase."""
    like = f"fault-{phase}-%"
    with psycopg.connect(database_url, connect_timeout=5) as conn:
        q = lambda sql, *args: conn.execute(sql, args).fetchall()  # noqa: E731
        per_title = q("SELECT title, count(*) FROM tasks_task WHERE title LIKE %s GROUP BY title", like)
        per_assignment = q(
            "SELECT a.id, count(n.id) FROM tasks_assignment a JOIN tasks_task t ON t.id = a.task_id "
            "LEFT JOIN notifications_notification n ON n.assignment_id = a.id AND n.kind = 'assigned' "
            "WHERE t.title LIKE %s GROUP BY a.id", like)
        pushes = q(
            "SELECT p.outcome, count(*) FROM notifications_pushdelivery p "
            "JOIN notifications_notification n ON n.id = p.notification_id "
            "JOIN tasks_task t ON t.id = n.task_id WHERE t.title LIKE %s GROUP BY p.outcome", like)
        doubled_pushes = q(
            "SELECT count(*) FROM (SELECT p.notification_id, p.device_id FROM notifications_pushdelivery p "
            "JOIN notifications_notification n ON n.id = p.notification_id JOIN tasks_task t ON t.id = n.task_id "
            "WHERE t.title LIKE %s AND p.device_id IS NOT NULL "
            "GROUP BY 1, 2 HAVING count(*) > 1) d", like)[0][0]
        owed = q("SELECT count(*) FROM api_outboxmessage WHERE done_at IS NULL")[0][0]
        # the assign rows of this phase that the first hand-over did not finish (relayed again)
        redriven = q("SELECT count(*) FROM api_outboxmessage o JOIN tasks_task t "
                     "ON t.id = (o.payload->>'task_id')::bigint WHERE o.kind = 'tasks.assigned' "
                     "AND o.attempts > 0 AND t.title LIKE %s", like)[0][0]
    counts = Counter(n for _, n in per_assignment)
    return {
        "tasks": len(per_title),
        "tasks_doubled": sum(1 for _, n in per_title if n > 1),
        "assignments": len(per_assignment),
        "assignments_expected_per_task": members,
        "notifications_lost": counts.get(0, 0),
        "notifications_doubled": sum(v for k, v in counts.items() if k > 1),
        "pushes": dict(pushes),
        "pushes_doubled": doubled_pushes,
        "outbox_owed": owed,
        "assign_rows_redriven": redriven,
    }


def outbox_owed(database_url: str) -> int | None:
    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            return conn.execute("SELECT count(*) FROM api_outboxmessage WHERE done_at IS NULL").fetchone()[0]
    except psycopg.Error:
        return None


def pushes_pending(database_url: str) -> int | None:
    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            return conn.execute("SELECT count(*) FROM notifications_pushdelivery WHERE outcome = 'pending'"
                                ).fetchone()[0]
    except psycopg.Error:
        return None
