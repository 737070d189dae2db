"""The whole story through the API, as the contract's roles play it."""
from datetime import timedelta

from django.utils import timezone

from tests.factories import PASSWORD


def _login(client, member):
    response = client.post("/api/v1/auth/token/", {"phone": member.phone, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_plan_assign_work_review_and_cancel(world, client_for):
    coord = client_for(world.coord_c1)
    due = (timezone.now() + timedelta(days=2)).isoformat()

    response = coord.post("/api/v1/campaigns/", {"name": "Tháng phòng chống lừa đảo", "team": world.c1.pk,
                                                 "description": "Cảnh báo"}, format="json")
    assert response.status_code == 201, response.content
    campaign_id = response.json()["id"]

    response = coord.post("/api/v1/tasks/", {
        "title": "Chia sẻ bài cảnh báo", "instructions": "Chia sẻ công khai", "kind": "share",
        "platform": "facebook", "reference_url": "https://facebook.com/ca/posts/1", "team": world.c1.pk,
        "due_at": due, "campaign": campaign_id,
    }, format="json")
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["status"] == "open" and task["created_by"] == world.coord_c1.pk
    assert task["title"] == "Chia sẻ bài cảnh báo" and task["campaign"] == campaign_id
    assert task["progress"]["total"] == 0

    response = coord.post(f"/api/v1/tasks/{task['id']}/assign/", {"teams": [world.c1.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "already_assigned": 0}

    # The member logs in like the phone does and finds the work in their own list.
    member = _login(client_for(None), world.member_v1a)
    mine = member.get("/api/v1/assignments/", {"mine": "true"}).json()["results"]
    assert len(mine) == 1
    row = mine[0]
    assert row["status"] == "assigned" and row["is_overdue"] is False
    assert row["task"]["title"] == "Chia sẻ bài cảnh báo"
    assert row["task"]["team_name"] == "Tâm Thắng" and row["task"]["platform"] == "facebook"
    assert row["team"] == world.v1a.pk and row["updated_at"]
    # ...and can read the task behind it.
    assert member.get(f"/api/v1/tasks/{task['id']}/").status_code == 200

    a1 = row["id"]
    assert member.post(f"/api/v1/assignments/{a1}/start/").json()["status"] == "in_progress"
    response = member.post(f"/api/v1/assignments/{a1}/complete/",
                           {"evidence_url": "https://facebook.com/lan/posts/9", "note": "Đã chia sẻ"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed" and response.json()["completed_at"]

    # The village coordinator reviews work that reached people through their village.
    response = client_for(world.coord_v1a).post(f"/api/v1/assignments/{a1}/verify/", {"note": "Tốt"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "verified" and body["reviewed_by"] == world.coord_v1a.pk and body["review_note"] == "Tốt"

    # Rejected work goes back to its author, who completes it again.
    other = client_for(world.member_v1a_2)
    a2 = other.get("/api/v1/assignments/", {"mine": "true"}).json()["results"][0]["id"]
    other.post(f"/api/v1/assignments/{a2}/complete/", {"evidence_url": "http://zalo.me/x"}, format="json")
    response = coord.post(f"/api/v1/assignments/{a2}/reject/", {"reason": "Bài để chế độ riêng tư"}, format="json")
    assert response.json()["status"] == "rejected"
    assert response.json()["review_note"] == "Bài để chế độ riêng tư"
    response = other.post(f"/api/v1/assignments/{a2}/complete/", {"evidence_url": "http://zalo.me/y"}, format="json")
    assert response.json()["status"] == "completed" and response.json()["reviewed_by"] is None

    # The third declines with a reason.
    third = client_for(world.member_v1b)
    a3 = third.get("/api/v1/assignments/", {"mine": "true"}).json()["results"][0]["id"]
    response = third.post(f"/api/v1/assignments/{a3}/decline/", {"reason": "Không có Facebook"}, format="json")
    assert response.json()["status"] == "declined" and response.json()["decline_reason"] == "Không có Facebook"

    progress = coord.get(f"/api/v1/tasks/{task['id']}/").json()["progress"]
    assert progress == {"total": 3, "assigned": 0, "in_progress": 0, "completed": 1, "verified": 1,
                        "rejected": 0, "declined": 1, "cancelled": 0, "overdue": 0}

    events = member.get(f"/api/v1/assignments/{a1}/events/").json()["results"]
    assert [e["kind"] for e in events] == ["assigned", "started", "completed", "verified"]
    assert [e["actor"] for e in events] == [world.coord_c1.pk, world.member_v1a.pk, world.member_v1a.pk,
                                            world.coord_v1a.pk]
    assert events[2]["from_status"] == "in_progress" and events[2]["to_status"] == "completed"

    # The district coordinator finds the commune's work by campaign, then cancels the task.
    district = client_for(world.coord_district)
    listed = district.get("/api/v1/assignments/", {"campaign": campaign_id}).json()
    assert len(listed["results"]) == 3 and listed["next"] is None
    response = district.post(f"/api/v1/tasks/{task['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    statuses = sorted(a["status"] for a in district.get("/api/v1/assignments/", {"task": task["id"]}).json()["results"])
    assert statuses == ["completed", "declined", "verified"]  # finished work keeps its status
    response = coord.post(f"/api/v1/assignments/{a2}/verify/")
    assert response.status_code == 409


def test_cancel_turns_unfinished_work_into_cancelled_with_events(world, client_for, task_c1):
    coord = client_for(world.coord_c1)
    member = client_for(world.member_v1a)
    a1 = member.get("/api/v1/assignments/", {"mine": "true"}).json()["results"][0]["id"]
    member.post(f"/api/v1/assignments/{a1}/start/")

    assert coord.post(f"/api/v1/tasks/{task_c1.pk}/cancel/").status_code == 200
    row = member.get(f"/api/v1/assignments/{a1}/").json()
    assert row["status"] == "cancelled"
    last = member.get(f"/api/v1/assignments/{a1}/events/").json()["results"][-1]
    assert last["kind"] == "cancelled" and last["from_status"] == "in_progress" and last["actor"] == world.coord_c1.pk
    assert member.post(f"/api/v1/assignments/{a1}/complete/", {"evidence_url": "https://x.vn/1"},
                       format="json").status_code == 409
    assert coord.post(f"/api/v1/tasks/{task_c1.pk}/cancel/").status_code == 409
    assert coord.post(f"/api/v1/tasks/{task_c1.pk}/assign/", {"teams": [world.v1a.pk]},
                      format="json").status_code == 409
    assert coord.patch(f"/api/v1/tasks/{task_c1.pk}/", {"title": "x"}, format="json").status_code == 409
    # A phone that synced before the cancel gets the cancelled row in its delta.
    delta = member.get("/api/v1/assignments/", {"updated_since": row["updated_at"]}).json()["results"]
    assert [a["id"] for a in delta] == [a1]
