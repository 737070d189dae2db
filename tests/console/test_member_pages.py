"""The member's side: my tasks with the material, complete with a link or a photo, decline."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tasks.models import Assignment, AssignmentEvent

from .conftest import jpeg_with_gps, text

pytestmark = pytest.mark.django_db


def test_my_tasks_show_the_material_and_the_overdue_flag(world, work, browse):
    page = text(browse(world.member_v1a_2).get("/console/mine/"))
    assert "Chia sẻ cảnh báo lừa đảo" in page
    assert "Chia sẻ bài viết lên trang cá nhân." in page  # instructions
    assert 'href="https://example.org/posts/canh-bao"' in page  # the reference post
    assert "Hạn" in page and "Facebook" in page
    assert "Quá hạn" not in page
    late = text(browse(world.member_v1b).get("/console/mine/"))
    assert "Bình luận ủng hộ" in late and "Quá hạn" in late


def test_my_tasks_are_only_my_own(world, work, browse):
    page = text(browse(world.member_v1a_2).get("/console/mine/?show=all"))
    assert "Việc của Nam Dong" not in page and "Bình luận ủng hộ" not in page
    # A coordinator's own list is theirs too, not their subtree's.
    assert "Chia sẻ cảnh báo" not in text(browse(world.coord_c1).get("/console/mine/?show=all"))


def test_done_work_moves_to_the_done_tab(world, work, browse):
    client = browse(world.member_v1a)
    assert "Chia sẻ cảnh báo" not in text(client.get("/console/mine/"))
    assert "Chia sẻ cảnh báo" in text(client.get("/console/mine/?show=done"))


def test_the_task_page_shows_instructions_forms_and_history(world, work, browse):
    page = text(browse(world.member_v1a_2).get(f"/console/mine/{work.todo.pk}/"))
    assert "Ghi một câu của bạn." in page
    assert 'type="file"' in page and 'accept="image/*"' in page and 'enctype="multipart/form-data"' in page
    assert 'name="reason"' in page
    assert "Đã giao" in page  # the timeline's first event


def test_complete_with_a_link(world, work, browse):
    client = browse(world.member_v1a_2)
    response = client.post(f"/console/mine/{work.todo.pk}/complete/",
                           {"evidence_url": "https://facebook.com/minh/posts/9", "note": "Đã chia sẻ"})
    assert response.status_code == 302 and response["Location"] == "/console/mine/"
    work.todo.refresh_from_db()
    assert work.todo.status == "completed" and work.todo.evidence_url == "https://facebook.com/minh/posts/9"
    assert "Đã báo xong" in text(client.get("/console/mine/"))
    assert AssignmentEvent.objects.filter(assignment=work.todo, kind="completed", actor=world.member_v1a_2).exists()


def test_complete_with_a_photo_strips_exif_and_gps(world, work, browse):
    original = jpeg_with_gps()
    assert b"Camera XYZ" in original
    upload = SimpleUploadedFile("IMG_0001.jpg", original, content_type="image/jpeg")
    client = browse(world.member_v1a_2)
    response = client.post(f"/console/mine/{work.todo.pk}/complete/", {"evidence_image": upload})
    assert response.status_code == 302
    work.todo.refresh_from_db()
    assert work.todo.status == "completed" and work.todo.evidence_image.name.endswith(".jpg")
    stored = work.todo.evidence_image.read()
    assert b"Camera XYZ" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.size == (64, 48) and not image.getexif()
    # The person sees their own photo through the scoped view; so does their coordinator.
    shown = client.get(f"/console/assignments/{work.todo.pk}/evidence/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content) == stored
    assert browse(world.coord_c1).get(f"/console/assignments/{work.todo.pk}/evidence/").status_code == 200
    assert browse(world.coord_c2).get(f"/console/assignments/{work.todo.pk}/evidence/").status_code == 404
    assert browse(world.member_v1a).get(f"/console/assignments/{work.todo.pk}/evidence/").status_code == 404


@pytest.mark.parametrize("lang, message", [
    (None, "Hãy gửi đường dẫn tới bài đăng của bạn hoặc ảnh chụp bài đăng."),
    ("en", "Send the link to your post or an image of it."),
])
def test_complete_with_nothing_is_the_services_message_in_both_languages(world, work, browse, lang, message):
    response = browse(world.member_v1a_2, lang=lang).post(f"/console/mine/{work.todo.pk}/complete/", {})
    assert response.status_code == 400
    assert message in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"


@pytest.mark.parametrize("lang, message", [
    (None, "Hãy nhập đường dẫn bắt đầu bằng http:// hoặc https://."),
    ("en", "Enter a link that starts with http:// or https://."),
])
def test_a_link_that_is_not_http_is_refused(world, work, browse, lang, message):
    response = browse(world.member_v1a_2, lang=lang).post(
        f"/console/mine/{work.todo.pk}/complete/", {"evidence_url": "javascript:alert(1)"})
    assert response.status_code == 400 and message in text(response)


@pytest.mark.parametrize("lang, expected", [(None, "không phải ảnh JPEG, PNG hoặc WebP"),
                                            ("en", "is not a JPEG, PNG or WebP image")])
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(world, work, browse, lang, expected):
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = browse(world.member_v1a_2, lang=lang).post(f"/console/mine/{work.todo.pk}/complete/",
                                                          {"evidence_image": upload})
    assert response.status_code == 400 and expected in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned" and not work.todo.evidence_image


@pytest.mark.parametrize("lang, message", [(None, "Trường này là bắt buộc."), ("en", "This field is required.")])
def test_decline_needs_a_reason(world, work, browse, lang, message):
    response = browse(world.member_v1a_2, lang=lang).post(f"/console/mine/{work.todo.pk}/decline/", {"reason": " "})
    assert response.status_code == 400 and message in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"


def test_decline_with_a_reason(world, work, browse):
    response = browse(world.member_v1a_2).post(f"/console/mine/{work.todo.pk}/decline/", {"reason": "Đang đi vắng"})
    assert response.status_code == 302
    work.todo.refresh_from_db()
    assert work.todo.status == "declined" and work.todo.decline_reason == "Đang đi vắng"


def test_a_finished_step_cannot_be_taken_again(world, work, browse):
    client = browse(world.member_v1a)  # already completed
    page = text(client.get(f"/console/mine/{work.done.pk}/"))
    assert 'name="evidence_url"' not in page and 'name="reason"' not in page
    response = client.post(f"/console/mine/{work.done.pk}/decline/", {"reason": "Thôi"}, follow=True)
    assert "không thể thay đổi theo cách này" in text(response)
    work.done.refresh_from_db()
    assert work.done.status == "completed"


def test_someone_elses_assignment_in_a_sibling_subtree_is_the_404_page(world, work, browse):
    client = browse(world.member_v1a)
    for url in (f"/console/mine/{work.sibling.pk}/", f"/console/assignments/{work.sibling.pk}/evidence/"):
        response = client.get(url)
        assert response.status_code == 404 and "Không tìm thấy" in text(response)
    response = client.post(f"/console/mine/{work.sibling.pk}/complete/", {"evidence_url": "https://x.example/1"})
    assert response.status_code == 404
    assert Assignment.objects.get(pk=work.sibling.pk).status == "assigned"


def test_a_coordinator_cannot_take_the_members_step(world, work, browse):
    response = browse(world.coord_c1).post(f"/console/mine/{work.todo.pk}/complete/",
                                           {"evidence_url": "https://x.example/1"})
    assert response.status_code == 403 and "Chỉ người thực hiện mới được làm việc này." in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"
