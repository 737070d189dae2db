"""The member's and the coordinator's main stories, end to end in chromium, at a phone's
360x740 and a desktop's 1280x800: what a person sees and presses, plain HTML forms only."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Assignment, Campaign, Task
from teams.models import Member
from tests.console.conftest import jpeg_with_gps
from surveys import services as survey_services
from surveys.models import Participation
from tests.factories import PASSWORD, MemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def local_phone(member) -> str:
    return "0" + member.phone[3:]


def log_in(page, member, shoot=None, story=""):
    page.goto("/console/")
    assert "/console/login/" in page.url
    if shoot:
        shoot(page, story, "01-login")
    page.get_by_label("Số điện thoại").fill(local_phone(member))
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def see(page, text):
    assert text in page.inner_text("body"), f"{text!r} not on {page.url}"


@pytest.fixture
def stage(world):
    """The home commune's work as a coordinator would have planned it."""
    soon = timezone.now() + timedelta(days=2)
    share = services.task_create(
        actor=world.coord_c1, title="Chia sẻ cảnh báo lừa đảo qua mạng", kind="share", platform="facebook",
        team=world.c1, instructions="Chia sẻ bài viết của Công an tỉnh lên trang cá nhân, kèm một câu của bạn.",
        reference_url="https://example.org/posts/canh-bao", due_at=soon)
    comment = services.task_create(actor=world.coord_c1, title="Bình luận ủng hộ bài viết", kind="comment",
                                   platform="zalo", team=world.c1, due_at=soon)
    late = services.task_create(actor=world.coord_c1, title="Đăng ảnh ngày hội", kind="post", platform="facebook",
                                team=world.c1, due_at=soon)
    for task in (share, comment, late):
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a, world.v1b])
    Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=5))
    survey = survey_services.survey_create(
        actor=world.coord_c1, team=world.c1, title="Khảo sát kỹ năng số", description="Ba câu hỏi, một phút.",
        questions=[{"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?", "options": ["Có", "Chưa"]},
                   {"kind": "scale", "text": "Mức tự tin khi nhận biết tin giả"},
                   {"kind": "text", "text": "Góp ý của bạn", "required": False}])
    survey = survey_services.survey_open(survey=survey, actor=world.coord_c1)
    single, scale, text = survey.questions.order_by("position")
    for n in range(5):  # enough answers for the village's results to be shown
        person = MemberFactory()
        MembershipFactory(member=person, team=world.v1a)
        survey_services.survey_respond(survey=survey, actor=person, answers=[
            {"question": single.pk, "choice": "Có" if n % 2 else "Chưa"}, {"question": scale.pk, "value": 3 + n % 3},
            {"question": text.pk, "text": f"Cần thêm lớp học buổi tối ({n})"}])
    return {"share": share, "comment": comment, "late": late, "survey": survey}


def test_the_members_story(page, shoot, axe, world, stage, tmp_path):
    story = "member"
    log_in(page, world.member_v1a, shoot, story)
    assert page.url.endswith("/console/mine/")
    see(page, "Việc của tôi")
    see(page, "Chia sẻ cảnh báo lừa đảo qua mạng")
    see(page, "Quá hạn")  # the late task is flagged
    axe(page)
    shoot(page, story, "02-my-tasks")

    # Complete the share with a photo from the phone's camera roll.
    page.get_by_role("link", name="Chia sẻ cảnh báo lừa đảo qua mạng").click()
    see(page, "kèm một câu của bạn")
    assert page.locator('a[href="https://example.org/posts/canh-bao"]').count() == 1
    axe(page)
    shoot(page, story, "03-task")
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_with_gps())
    file_input = page.locator('input[type="file"]')
    assert file_input.get_attribute("accept") == "image/*"
    file_input.set_input_files(str(photo))
    page.get_by_role("button", name="Đã xong").click()
    page.wait_for_load_state()
    see(page, "Đã báo xong. Cảm ơn bạn!")
    shoot(page, story, "04-reported")
    done = Assignment.objects.get(task=stage["share"], assignee=world.member_v1a)
    assert done.status == "completed" and b"Exif" not in done.evidence_image.read()

    # A link for the comment, through the "done" tab afterwards.
    page.get_by_role("link", name="Bình luận ủng hộ bài viết").click()
    page.get_by_label("Đường dẫn tới bài đăng của bạn").fill("https://zalo.me/lan/posts/77")
    page.get_by_role("button", name="Đã xong").click()
    page.wait_for_load_state()
    see(page, "Đã báo xong")

    # Decline the late one: without a reason the browser holds the form back, with one it goes.
    page.get_by_role("link", name="Đăng ảnh ngày hội").click()
    page.get_by_role("button", name="Từ chối").click()
    reason = page.get_by_label("Lý do")
    assert reason.evaluate("e => e.validationMessage"), "an empty reason was sent"
    assert page.url.endswith(f"/console/mine/{Assignment.objects.get(task=stage['late'], assignee=world.member_v1a).pk}/")
    shoot(page, story, "05-decline")
    reason.fill("Tôi không có ảnh của ngày hội")
    page.get_by_role("button", name="Từ chối").click()
    page.wait_for_load_state()
    see(page, "Đã từ chối.")
    see(page, "Hiện chưa có gì.")
    page.get_by_role("link", name="Đã xong").click()
    see(page, "Chia sẻ cảnh báo lừa đảo qua mạng")

    # The survey waiting for them: radio buttons, a 1-5 scale, a free text; sent once.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Khảo sát").click()
    see(page, "Cần trả lời")
    page.get_by_role("link", name="Trả lời").click()
    see(page, "Ba câu hỏi, một phút.")
    page.get_by_role("button", name="Gửi câu trả lời").click()  # nothing chosen: the browser holds it back
    assert page.get_by_label("Có", exact=True).evaluate("e => e.validationMessage")
    page.get_by_label("Có", exact=True).check()
    page.get_by_role("group", name=re.compile("Mức tự tin")).get_by_label("4").check()
    page.get_by_label("Góp ý của bạn").fill("Nên có video ngắn hướng dẫn")
    axe(page)
    shoot(page, story, "06-survey")
    page.get_by_role("button", name="Gửi câu trả lời").click()
    page.wait_for_load_state()
    see(page, "Cảm ơn bạn: câu trả lời đã được gửi.")
    see(page, "Không có khảo sát nào đang chờ bạn trả lời.")
    assert Participation.objects.filter(survey=stage["survey"], member=world.member_v1a).exists()

    # English, then back out.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    see(page, "My tasks")
    assert page.locator("html").get_attribute("lang") == "en"
    axe(page)
    shoot(page, story, "07-english")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert "/console/login/" in page.url
    statuses = dict(Assignment.objects.filter(assignee=world.member_v1a).values_list("task__title", "status"))
    assert statuses == {"Chia sẻ cảnh báo lừa đảo qua mạng": "completed", "Bình luận ủng hộ bài viết": "completed",
                        "Đăng ảnh ngày hội": "declined"}


def test_the_coordinators_story(page, shoot, axe, world, stage, tmp_path):
    story = "coordinator"
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_with_gps())
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.images import clean_evidence_image

    for member, task in ((world.member_v1a, "share"), (world.member_v1a_2, "share"), (world.member_v1b, "share"),
                         (world.member_v1a, "comment")):
        assignment = Assignment.objects.get(task=stage[task], assignee=member)
        image = clean_evidence_image(SimpleUploadedFile("p.jpg", photo.read_bytes(), content_type="image/jpeg"))
        services.assignment_complete(assignment=assignment, actor=member, evidence_image=image,
                                     evidence_url="https://facebook.com/posts/1" if task == "comment" else "")

    log_in(page, world.coord_c1)
    # Progress of the commune, then a village below it.
    see(page, "Tâm Thắng")
    see(page, "Các tổ cấp dưới")
    axe(page)
    shoot(page, story, "01-progress")
    page.get_by_role("link", name="Thôn 1", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Thôn 1")
    shoot(page, story, "02-village")

    # Overdue work.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Quá hạn").click()
    see(page, "Đăng ảnh ngày hội")
    axe(page)

    # The review queue: photos inline, reject one, verify one, then all the rest at once.
    page.get_by_role("link", name="Duyệt", exact=True).click()
    page.wait_for_load_state()
    images = page.locator("img.evidence")
    assert images.count() == 4
    page.wait_for_function("() => [...document.querySelectorAll('img.evidence')].every(i => i.complete && i.naturalWidth > 0)")
    axe(page)
    shoot(page, story, "03-review")
    cards = page.locator("li.card.review")
    first = cards.filter(has_text=world.member_v1b.full_name)
    first.get_by_label("Lý do").fill("Ảnh không đọc được")
    first.get_by_role("button", name="Trả lại").click()
    page.wait_for_load_state()
    see(page, "Đã trả lại")
    cards.filter(has_text=world.member_v1a_2.full_name).get_by_role("button", name="Duyệt", exact=True).click()
    page.wait_for_load_state()
    see(page, "Đã duyệt:")
    page.get_by_role("button", name=re.compile("Duyệt cả 2 mục")).click()
    page.wait_for_load_state()
    see(page, "Đã duyệt 2 mục.")
    see(page, "Không có việc nào chờ duyệt.")
    assert Assignment.objects.filter(status="verified").count() == 3
    assert Assignment.objects.get(task=stage["share"], assignee=world.member_v1b).status == "rejected"

    # A new task, assigned through the team tree.
    page.get_by_role("link", name="Nhiệm vụ", exact=True).click()
    page.get_by_role("link", name="Nhiệm vụ mới").click()
    page.get_by_label("Tiêu đề").fill("Chia sẻ video tuyên truyền")
    page.get_by_label("Tổ").select_option(label="Tâm Thắng")
    page.get_by_label("Nền tảng").select_option(label="TikTok")
    page.get_by_label("Hạn").fill((timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Hướng dẫn").fill("Chia sẻ video, gắn thẻ #antoanmang")
    axe(page)
    shoot(page, story, "04-new-task")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_load_state()
    see(page, "Đã tạo nhiệm vụ")
    page.get_by_label("Thôn 2").check()
    axe(page)
    shoot(page, story, "05-assign")
    page.get_by_role("button", name="Giao việc").click()
    page.wait_for_load_state()
    see(page, "Đã giao cho 1 người")
    assert list(Task.objects.get(title="Chia sẻ video tuyên truyền").assignments.values_list("assignee", flat=True)) \
        == [world.member_v1b.pk]

    # A campaign.
    page.get_by_role("link", name="Chiến dịch", exact=True).click()
    page.get_by_role("link", name="Chiến dịch mới").click()
    page.get_by_label("Tên").fill("Tháng an toàn mạng")
    page.get_by_label("Tổ").select_option(label="Tâm Thắng")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Tháng an toàn mạng"
    assert Campaign.objects.filter(name="Tháng an toàn mạng", team=world.c1).exists()

    # Members: add one, deactivate another.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Thành viên").click()
    axe(page)
    shoot(page, story, "06-members")
    page.get_by_role("link", name="Thêm thành viên").click()
    page.get_by_label("Họ và tên").fill("Trịnh Văn Mới")
    page.get_by_label("Số điện thoại").fill("0987654321")
    page.get_by_label("Mật khẩu ban đầu").fill("mat-khau-dai-2026")
    page.get_by_label("Tổ").select_option(label="— Thôn 2")
    page.get_by_role("button", name="Thêm", exact=True).click()
    page.wait_for_load_state()
    see(page, "Trịnh Văn Mới giờ có thể đăng nhập")
    page.get_by_role("button", name=f"Ngừng hoạt động: {world.member_v1a_2.full_name}").click()
    page.wait_for_load_state()
    see(page, "đã ngừng hoạt động")
    assert not Member.objects.get(pk=world.member_v1a_2.pk).is_active

    # A report download.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Tiến độ").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Số liệu từng tổ cấp dưới (CSV)").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert body.startswith("team.id,team.name") and "Thôn 1" in body

    # The survey's results: the commune's counts, a village of 5 shown, one of none hidden.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Khảo sát").click()
    page.get_by_role("link", name="Kết quả: Khảo sát kỹ năng số").click()
    page.wait_for_load_state()
    see(page, "Số trả lời")
    see(page, "Cần thêm lớp học buổi tối")
    axe(page)
    shoot(page, story, "08-survey-results")
    page.get_by_label("Tổ", exact=True).select_option(label="— Thôn 2")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_load_state()
    see(page, "kết quả được ẩn")
    with page.expect_download() as download:
        page.get_by_role("link", name="Kết quả (CSV)").click()
    assert "Khảo sát kỹ năng số" in open(download.value.path(), encoding="utf-8-sig").read()


def test_a_sibling_subtrees_page_is_the_404_page_in_the_browser(page, axe, shoot, world, stage):
    log_in(page, world.coord_c1)
    response = page.goto(f"/console/teams/{world.c2.pk}/")
    assert response.status == 404
    assert [e for e in page.errors if "404" in e] and not [e for e in page.errors if "404" not in e]
    page.errors.clear()  # the document's own 404, reported by chromium as a failed load
    see(page, "Không tìm thấy")
    axe(page)
    shoot(page, "refusal", "404")


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def test_the_content_review_and_report_story(page, shoot, axe, world, stage):
    """A commune's coordinator writes material and sends it for review; the district's approves it
    (never its author: four eyes), makes a task of it for a village and downloads the month's report."""
    import io

    from openpyxl import load_workbook

    from publishing.models import ContentItem

    story = "content"
    log_in(page, world.coord_c1)
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Tài liệu").click()
    page.get_by_role("link", name="Viết bản nháp").click()
    page.get_by_label("Tổ").select_option(label="Tâm Thắng")
    page.get_by_label("Tiêu đề").fill("Năm dấu hiệu của tin nhắn lừa đảo")
    page.get_by_label("Nội dung").fill("Đường dẫn lạ, lời hứa trúng thưởng, giục chuyển tiền gấp.")
    page.get_by_label("Liên kết").fill("https://example.org/dau-hieu\nhttps://example.org/video")
    axe(page)
    shoot(page, story, "01-draft")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_load_state()
    see(page, "Đã lưu bản nháp.")
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_load_state()
    see(page, "Đang chờ duyệt")
    assert page.get_by_role("button", name="Phê duyệt").count() == 0  # nobody approves their own material
    axe(page)
    shoot(page, story, "02-in-review")
    log_out(page)

    log_in(page, world.coord_district)
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Tài liệu").click()
    page.get_by_role("link", name="Đang duyệt").click()
    page.get_by_role("link", name="Năm dấu hiệu của tin nhắn lừa đảo").click()
    page.wait_for_load_state()
    axe(page)
    shoot(page, story, "03-review")
    page.get_by_label("Ghi chú (không bắt buộc)").fill("Rõ ràng, dùng được")
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_load_state()
    see(page, "Đã duyệt")
    item = ContentItem.objects.get(title="Năm dấu hiệu của tin nhắn lừa đảo")
    assert item.status == "approved" and item.reviewed_by == world.coord_district

    # A task from the approved material, assigned through the tree.
    page.get_by_role("link", name="Tạo việc từ tài liệu này").click()
    page.wait_for_load_state()
    assert page.get_by_label("Tiêu đề").input_value() == "Năm dấu hiệu của tin nhắn lừa đảo"
    page.get_by_label("Tổ").select_option(label="— Tâm Thắng")
    page.get_by_label("Nền tảng").select_option(label="Zalo")
    axe(page)
    shoot(page, story, "04-task-from-content")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_load_state()
    see(page, "Tài liệu: Năm dấu hiệu của tin nhắn lừa đảo")
    page.get_by_label("Thôn 1").check()
    page.get_by_role("button", name="Giao việc").click()
    page.wait_for_load_state()
    see(page, "Đã giao cho")

    # The commune's report for this month, as a workbook.
    page.get_by_role("navigation", name="Chính").get_by_role("link", name="Báo cáo").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Tâm Thắng").click()
    page.wait_for_load_state()
    page.get_by_role("combobox", name="Kỳ").select_option(label="Quý")
    axe(page)
    shoot(page, story, "05-report")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải XLSX").click()
    assert download.value.suggested_filename.startswith(f"report-{world.c1.pk}-")
    with open(download.value.path(), "rb") as workbook:  # the download's own path has no .xlsx
        book = load_workbook(io.BytesIO(workbook.read()))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Tâm Thắng" in value for value in cells) and any("Thôn 1" in value for value in cells)
