"""What a phone needs in one call: the inline task's instructions, the reviewer's name, the
photo's errors under `evidence_image`, and `reject`'s `reason` back under that name."""
import io

import pytest
from PIL import Image

from tests.factories import AssignmentFactory, TaskFactory


@pytest.fixture
def assignment(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = TaskFactory(team=world.c1, created_by=world.coord_c1, instructions="Chia sẻ kèm một dòng nhắc nhở.")
    return AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)


def test_the_inline_task_carries_its_instructions_in_lists_and_details(world, client_for, assignment):
    client = client_for(world.member_v1a)
    row = client.get("/api/v1/assignments/?mine=true").json()["results"][0]
    assert row["task"]["instructions"] == "Chia sẻ kèm một dòng nhắc nhở."
    assert client.get(f"/api/v1/assignments/{assignment.pk}/").json()["task"]["instructions"] == row["task"][
        "instructions"]


def test_reject_gives_back_the_reason_and_the_reviewers_name(world, client_for, assignment):
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    fresh = member.get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert (fresh["reviewed_by"], fresh["reviewed_by_name"], fresh["reason"]) == (None, None, "")
    member.post(f"/api/v1/assignments/{assignment.pk}/complete/", {"evidence_url": "https://x.vn/1"}, format="json")
    rejected = coordinator.post(f"/api/v1/assignments/{assignment.pk}/reject/",
                                {"reason": "Hãy để bài ở chế độ công khai."}, format="json").json()
    assert rejected["status"] == "rejected"
    assert rejected["reason"] == rejected["review_note"] == "Hãy để bài ở chế độ công khai."
    assert (rejected["reviewed_by"], rejected["reviewed_by_name"]) == (world.coord_c1.pk, "Phạm Văn Thắng")
    row = member.get("/api/v1/assignments/?mine=true").json()["results"][0]
    assert (row["reason"], row["reviewed_by_name"]) == ("Hãy để bài ở chế độ công khai.", "Phạm Văn Thắng")
    again = member.post(f"/api/v1/assignments/{assignment.pk}/complete/", {"evidence_url": "https://x.vn/2"},
                        format="json").json()
    assert (again["reason"], again["reviewed_by_name"]) == ("", None)  # a new completion clears the review


def test_decline_gives_back_the_reason_too(world, client_for, assignment):
    declined = client_for(world.member_v1a).post(f"/api/v1/assignments/{assignment.pk}/decline/",
                                                 {"reason": "Tôi không dùng Facebook."}, format="json").json()
    assert declined["reason"] == declined["decline_reason"] == "Tôi không dùng Facebook."


def _png(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def _upload(client, assignment, data, name="shot.png"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/api/v1/assignments/{assignment.pk}/complete/", {"evidence_image": upload},
                       format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def test_errors_about_the_photo_name_evidence_image(world, client_for, assignment, settings):
    client = client_for(world.member_v1a)
    broken = _upload(client, assignment, b"GIF89a not really")
    assert broken.status_code == 400 and list(broken.json()["errors"]) == ["evidence_image"]
    settings.EVIDENCE_MAX_BYTES = 100  # a real PNG over the limit
    too_large = _upload(client, assignment, _png())
    assert too_large.status_code == 413
    body = too_large.json()
    assert body["code"] == "request_too_large" and list(body["errors"]) == ["evidence_image"]
    assert body["errors"]["evidence_image"] == [body["detail"]]
    assignment.refresh_from_db()
    assert assignment.status == "assigned"
