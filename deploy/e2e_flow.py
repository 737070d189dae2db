"""The mobile flow, through the client generated from /api/schema/ (run by deploy/e2e.py).

Prints one line per step and, last, a JSON line the orchestrator reads
(the member's device token, to find the push the worker records).
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone

from volunteer_api import AuthenticatedClient, Client
from volunteer_api.api.assignments import assignments_complete_create, assignments_list, assignments_verify_create
from volunteer_api.api.auth import auth_token_create
from volunteer_api.api.devices import devices_create
from volunteer_api.api.tasks import tasks_assign_create, tasks_create
from volunteer_api.api.teams import teams_list, teams_stats_retrieve
from volunteer_api.models import (
    AssignmentCompleteRequest,
    AssignmentVerifyRequest,
    DeviceRequest,
    TaskAssignRequest,
    TaskCreateRequest,
    TokenObtainPairRequest,
)

# People of `manage.py seed_demo`.
MEMBER = "0912000011"        # Đặng Thị Lan, member of Thôn 1
COORDINATOR = "0912000006"   # Võ Văn Thôn, coordinator of Thôn 1
VILLAGE = "Thôn 1"


class FlowError(Exception):
    pass


def body_of(response, expected: int, step: str) -> dict:
    if response.status_code != expected:
        raise FlowError(f"{step}: expected {expected}, got {response.status_code}: {response.content[:500]!r}")
    return json.loads(response.content) if response.content else {}


def ok(message: str) -> None:
    print(f"ok   {message}", flush=True)


def login(base_url: str, phone: str, password: str) -> AuthenticatedClient:
    response = auth_token_create.sync_detailed(
        client=Client(base_url=base_url), body=TokenObtainPairRequest(phone=phone, password=password)
    )
    tokens = body_of(response, 200, f"log in as {phone}")
    ok(f"logged in as {phone}")
    return AuthenticatedClient(base_url=base_url, token=tokens["access"])


def stats(coordinator: AuthenticatedClient, team_id: int) -> dict:
    return body_of(teams_stats_retrieve.sync_detailed(client=coordinator, id=team_id), 200, "team stats")


def run(base_url: str, password: str) -> dict:
    member = login(base_url, MEMBER, password)
    device_token = f"e2e-{uuid.uuid4().hex}"
    body_of(devices_create.sync_detailed(client=member, body=DeviceRequest.from_dict(
        {"token": device_token, "platform": "android"})), 201, "register the phone")
    ok("the member registered a phone for pushes")

    coordinator = login(base_url, COORDINATOR, password)
    teams = body_of(teams_list.sync_detailed(client=coordinator, search="thon 1"), 200, "find the village")
    village = next((t for t in teams["results"] if t["name"] == VILLAGE), None)
    if village is None:
        raise FlowError(f"the coordinator does not see {VILLAGE!r}: {teams}")
    before = stats(coordinator, village["id"])

    due = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    task = body_of(tasks_create.sync_detailed(client=coordinator, body=TaskCreateRequest.from_dict({
        "title": "Chia sẻ bài viết về an toàn giao thông", "instructions": "Chia sẻ kèm một câu của bạn.",
        "kind": "share", "platform": "facebook", "reference_url": "https://www.facebook.com/example/posts/1",
        "team": village["id"], "due_at": due,
    })), 201, "create a task")
    assigned = body_of(tasks_assign_create.sync_detailed(
        client=coordinator, id=task["id"], body=TaskAssignRequest.from_dict({"teams": [village["id"]]})
    ), 200, "assign the task to the village")
    if assigned.get("created", 0) < 1:
        raise FlowError(f"assigning to the village created nothing: {assigned}")
    ok(f"the coordinator created task {task['id']} and assigned it to {VILLAGE}: {assigned}")

    mine = body_of(assignments_list.sync_detailed(client=member, mine=True, page_size=50), 200, "my assignments")
    assignment = next((a for a in mine["results"] if _task_id(a) == task["id"]), None)
    if assignment is None:
        raise FlowError(f"the new task is not in the member's list: {[(_task_id(a), a['status']) for a in mine['results']]}")
    ok(f"the member sees assignment {assignment['id']} ({assignment['status']}) in their list")

    done = body_of(assignments_complete_create.sync_detailed(
        client=member, id=assignment["id"], body=AssignmentCompleteRequest.from_dict(
            {"evidence_url": "https://www.facebook.com/lan/posts/42", "note": "Đã chia sẻ"})
    ), 200, "complete with evidence")
    if done["status"] != "completed":
        raise FlowError(f"after complete the status is {done['status']}")
    ok("the member completed it with evidence")

    verified = body_of(assignments_verify_create.sync_detailed(
        client=coordinator, id=assignment["id"], body=AssignmentVerifyRequest.from_dict({"note": "Tốt"})
    ), 200, "verify")
    if verified["status"] != "verified":
        raise FlowError(f"after verify the status is {verified['status']}")
    ok("the coordinator verified it")

    after = stats(coordinator, village["id"])
    b, a = before["assignments"], after["assignments"]
    if not (a["total"] == b["total"] + assigned["created"] and a["verified"] == b["verified"] + 1):
        raise FlowError(f"the stats did not follow: before {b}, after {a}")
    ok(f"the stats changed: total {b['total']} -> {a['total']}, verified {b['verified']} -> {a['verified']}, "
       f"completion rate {before['completion_rate']} -> {after['completion_rate']}")
    return {"device_token": device_token, "assignment_id": assignment["id"], "task_id": task["id"]}


def _task_id(assignment: dict):
    task = assignment["task"]
    return task["id"] if isinstance(task, dict) else task


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    try:
        outcome = run(args.base_url, args.password)
    except FlowError as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 1
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
