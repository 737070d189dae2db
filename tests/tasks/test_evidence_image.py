"""complete with a multipart screenshot, and the scope-checked download of it."""
import io

import pytest
from PIL import Image

from tests.factories import AssignmentFactory, TaskFactory


def _png_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (12.0, 30.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif)
    return out.getvalue()


@pytest.fixture
def assignment(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = TaskFactory(team=world.c1, created_by=world.coord_c1)
    return AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)


def _upload(client, assignment, data, name="shot.png"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/api/v1/assignments/{assignment.pk}/complete/",
                       {"evidence_image": upload, "note": "Đã chia sẻ"}, format="multipart")


def test_complete_with_an_image_stores_a_clean_copy_served_only_in_scope(world, client_for, assignment):
    response = _upload(client_for(world.member_v1a), assignment, _png_with_gps())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert body["evidence_image"].endswith(f"/api/v1/assignments/{assignment.pk}/evidence-image/")

    for who in ("member_v1a", "coord_c1", "coord_district", "observer_district", "superuser"):
        download = client_for(getattr(world, who)).get(f"/api/v1/assignments/{assignment.pk}/evidence-image/")
        assert download.status_code == 200, who
        assert download["Content-Type"] == "image/png"
        stored = Image.open(io.BytesIO(b"".join(download.streaming_content)))
        assert stored.size == (64, 48)
        assert 0x8825 not in stored.getexif()  # no GPS left

    for who in ("member_v1a_2", "coord_c2", "member_v2a", "outsider"):
        download = client_for(getattr(world, who)).get(f"/api/v1/assignments/{assignment.pk}/evidence-image/")
        assert download.status_code == 404, who


def test_a_text_file_posing_as_an_image_is_400_and_nothing_changes(world, client_for, assignment):
    response = _upload(client_for(world.member_v1a), assignment, b"not really an image", name="x.jpg")
    assert response.status_code == 400
    assert "evidence_image" in response.json()["errors"]
    assignment.refresh_from_db()
    assert assignment.status == "assigned" and not assignment.evidence_image


def test_someone_elses_upload_is_refused_before_the_body_is_read(world, client_for, assignment):
    response = _upload(client_for(world.member_v1a_2), assignment, b"junk")
    assert response.status_code == 404  # another member's assignment is out of their scope


def test_no_image_means_404_on_download(world, client_for, assignment):
    response = client_for(world.member_v1a).get(f"/api/v1/assignments/{assignment.pk}/evidence-image/")
    assert response.status_code == 404
