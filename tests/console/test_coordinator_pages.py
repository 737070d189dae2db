"""The coordinator's side: progress with drill-down, overdue work, the review queue, tasks,
campaigns, members and report downloads, each as the API answers the same person."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from tasks import services
from tasks.models import Assignment, Campaign, Task, TaskTarget
from teams.models import Member

from .conftest import jpeg_with_gps, text

pytestmark = pytest.mark.django_db


# Progress ---------------------------------------------------------------------------------

def test_a_commune_coordinator_lands_on_their_communes_progress(world, work, browse):
    client = browse(world.coord_c1)
    assert client.get("/console/")["Location"] == "/console/progress/"
    response = client.get("/console/progress/")
    assert response["Location"] == f"/console/teams/{world.c1.pk}/"
    page = text(client.get(response["Location"]))
    assert "<h1>Tâm Thắng" in page
    # Drill-down: one row per village below, each a link to its own page.
    assert f'href="/console/teams/{world.v1a.pk}/">Thôn 1</a>' in page
    assert f'href="/console/teams/{world.v1b.pk}/">Thôn 2</a>' in page
    assert "Nam Dong" not in page


def test_the_numbers_are_the_reports_numbers(world, work, browse, api):
    stats = api.as_user(world.coord_c1).get(f"/api/v1/teams/{world.c1.pk}/stats/").json()
    page = text(browse(world.coord_c1).get(f"/console/teams/{world.c1.pk}/"))
    assert stats["assignments"]["total"] == 3 and stats["assignments"]["overdue"] == 1
    assert "<dt>Việc đã giao</dt><dd>3</dd>" in page
    assert '<div class="late"><dt>Quá hạn</dt><dd>1</dd>' in page
    assert f"<dt>Thành viên hoạt động</dt><dd>{stats['members_active']}</dd>" in page


def test_a_district_coordinator_drills_down_to_a_village(world, work, browse):
    client = browse(world.coord_district)
    page = text(client.get(f"/console/teams/{world.district.pk}/"))
    assert "Tâm Thắng" in page and "Nam Dong" in page
    village = text(client.get(f"/console/teams/{world.v1a.pk}/"))
    # The way back up, as far as the caller reads.
    assert f'<a href="/console/teams/{world.district.pk}/">Cư Jút</a>' in village
    assert f'<a href="/console/teams/{world.c1.pk}/">Tâm Thắng</a>' in village
    assert "Đắk Nông" not in village


def test_teams_outside_the_subtree_are_the_404_page(world, work, browse):
    client = browse(world.coord_c1)
    for url in (f"/console/teams/{world.c2.pk}/", f"/console/teams/{world.district.pk}/",
                f"/console/teams/{world.c2.pk}/stats.csv", f"/console/overdue/?within={world.v2a.pk}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Không tìm thấy" in text(response)


def test_members_get_the_403_page_on_coordinator_pages(world, work, browse):
    client = browse(world.member_v1a, lang="en")
    for url in ("/console/progress/", f"/console/teams/{world.v1a.pk}/", "/console/overdue/", "/console/review/",
                "/console/tasks/new/", "/console/members/new/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Not allowed" in text(response) and "Your role does not open this page." in text(response)


def test_an_observer_reads_progress_but_has_no_review_queue(world, work, browse):
    client = browse(world.observer_district)
    page = text(client.get(f"/console/teams/{world.c1.pk}/"))
    assert "Hàng chờ duyệt" not in page
    assert client.get("/console/review/").status_code == 403


def test_overdue_work_of_the_subtree(world, work, browse):
    page = text(browse(world.coord_c1).get("/console/overdue/"))
    assert "Bình luận ủng hộ" in page and world.member_v1b.full_name in page
    assert "Chia sẻ cảnh báo" not in page  # not past due
    assert "Bình luận ủng hộ" not in text(browse(world.coord_c2).get("/console/overdue/"))
    assert "Bình luận ủng hộ" not in text(browse(world.coord_c1).get(f"/console/overdue/?within={world.v1a.pk}"))


# Review --------------------------------------------------------------------------------

def complete(assignment, **evidence):
    services.assignment_complete(assignment=assignment, actor=assignment.assignee, **evidence)
    assignment.refresh_from_db()
    return assignment


def test_the_review_queue_shows_the_evidence_and_only_the_subtrees_work(world, work, browse):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    from api.images import clean_evidence_image

    complete(work.todo, evidence_image=clean_evidence_image(photo))
    complete(work.sibling, evidence_url="https://facebook.com/mai/1")
    page = text(browse(world.coord_c1).get("/console/review/"))
    assert 'href="https://facebook.com/lan/posts/1"' in page
    assert f'src="/console/assignments/{work.todo.pk}/evidence/"' in page
    assert f"Ảnh do {world.member_v1a_2.full_name} gửi" in page  # the photo's alt text
    assert "Việc của Nam Dong" not in page
    assert "Việc của Nam Dong" in text(browse(world.coord_c2).get("/console/review/"))
    assert browse(world.coord_c2).get(f"/console/assignments/{work.todo.pk}/evidence/").status_code == 404
    assert browse(world.coord_c1).get(f"/console/assignments/{work.todo.pk}/evidence/").status_code == 200


def test_verify_one(world, work, browse):
    client = browse(world.coord_c1)
    response = client.post(f"/console/review/{work.done.pk}/verify/", {"back": "/console/review/"})
    assert response.status_code == 302 and response["Location"] == "/console/review/"
    work.done.refresh_from_db()
    assert work.done.status == "verified" and work.done.reviewed_by == world.coord_c1
    page = text(client.get("/console/review/"))
    assert "Đã duyệt: Chia sẻ cảnh báo lừa đảo" in page and "Không có việc nào chờ duyệt." in page


@pytest.mark.parametrize("lang, message", [(None, "Trường này là bắt buộc."), ("en", "This field is required.")])
def test_reject_needs_a_reason(world, work, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).post(f"/console/review/{work.done.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and message in text(response)
    work.done.refresh_from_db()
    assert work.done.status == "completed"


def test_reject_with_a_reason_reaches_the_member(world, work, browse):
    client = browse(world.coord_c1)
    assert client.post(f"/console/review/{work.done.pk}/reject/", {"reason": "Thiếu ảnh"}).status_code == 302
    work.done.refresh_from_db()
    assert work.done.status == "rejected" and work.done.review_note == "Thiếu ảnh"
    page = text(browse(world.member_v1a).get("/console/mine/"))
    assert "Bị trả lại: Thiếu ảnh" in page


def test_review_outside_the_subtree_is_404_and_an_observer_403(world, work, browse):
    complete(work.sibling, evidence_url="https://facebook.com/mai/1")
    assert browse(world.coord_c1).post(f"/console/review/{work.sibling.pk}/verify/").status_code == 404
    assert browse(world.observer_district).post(f"/console/review/{work.done.pk}/verify/").status_code == 403
    assert Assignment.objects.get(pk=work.sibling.pk).status == "completed"
    assert Assignment.objects.get(pk=work.done.pk).status == "completed"


def test_verifying_twice_says_so_and_changes_nothing(world, work, browse):
    client = browse(world.coord_c1, lang="en")
    client.post(f"/console/review/{work.done.pk}/verify/")
    page = text(client.post(f"/console/review/{work.done.pk}/verify/", follow=True))
    assert "An assignment that is verified cannot be changed this way." in page


def test_bulk_verify_the_ticked_ones(world, work, browse):
    complete(work.todo, evidence_url="https://facebook.com/minh/2")
    complete(work.sibling, evidence_url="https://facebook.com/mai/1")
    client = browse(world.coord_c1)
    response = client.post("/console/review/verify/", {"ids": [work.todo.pk, work.sibling.pk]}, follow=True)
    assert "Đã duyệt 1 mục." in text(response)
    statuses = dict(Assignment.objects.values_list("pk", "status"))
    assert statuses[work.todo.pk] == "verified"
    assert statuses[work.done.pk] == "completed"  # not ticked
    assert statuses[work.sibling.pk] == "completed"  # not theirs: not touched


def test_bulk_verify_everything_shown(world, work, browse):
    complete(work.todo, evidence_url="https://facebook.com/minh/2")
    client = browse(world.coord_c1)
    page = text(client.get("/console/review/"))
    assert "Duyệt cả 2 mục đang hiện" in page
    assert f'name="shown" value="{work.todo.pk},{work.done.pk}"' in page
    response = client.post("/console/review/verify/", {"all": "1", "shown": f"{work.todo.pk},{work.done.pk}"},
                           follow=True)
    assert "Đã duyệt 2 mục." in text(response)
    assert set(Assignment.objects.filter(task=work.task).values_list("status", flat=True)) == {"verified"}


def test_bulk_verify_with_nothing_ticked(world, work, browse):
    page = text(browse(world.coord_c1, lang="en").post("/console/review/verify/", {}, follow=True))
    assert "Tick at least one item to verify." in page


# Tasks ---------------------------------------------------------------------------------

def test_the_new_task_form_offers_only_the_callers_teams_as_a_tree(world, work, browse):
    page = text(browse(world.coord_c1).get("/console/tasks/new/"))
    assert f'<option value="{world.c1.pk}">Tâm Thắng</option>' in page
    assert f'<option value="{world.v1a.pk}">— Thôn 1</option>' in page
    assert "Nam Dong" not in page and "Cư Jút" not in page


@pytest.mark.parametrize("lang, message", [(None, "Hạn chót phải là một thời điểm trong tương lai."),
                                           ("en", "The due date must be in the future.")])
def test_a_task_due_in_the_past_is_refused_in_both_languages(world, browse, lang, message, settings):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = browse(world.coord_c1, lang=lang).post("/console/tasks/new/", {
        "title": "Muộn", "team": world.c1.pk, "kind": "post", "platform": "zalo", "priority": "normal",
        "due_at": past})
    assert response.status_code == 400 and message in text(response)
    assert not Task.objects.filter(title="Muộn").exists()


def test_a_task_for_a_sibling_team_is_refused(world, browse):
    response = browse(world.coord_c1, lang="en").post("/console/tasks/new/", {
        "title": "Lấn sân", "team": world.c2.pk, "kind": "post", "platform": "zalo", "priority": "normal"})
    assert response.status_code == 400 and "Select a valid choice." in text(response)
    assert not Task.objects.filter(title="Lấn sân").exists()


def test_create_a_task_then_assign_it_with_the_team_tree(world, browse):
    client = browse(world.coord_c1)
    due = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/console/tasks/new/", {
        "title": "Đăng bài phòng chống lừa đảo", "team": world.c1.pk, "kind": "post", "platform": "facebook",
        "priority": "high", "due_at": due, "instructions": "Đăng kèm ảnh", "reference_url": "https://example.org/a"})
    task = Task.objects.get(title="Đăng bài phòng chống lừa đảo")
    assert response["Location"] == f"/console/tasks/{task.pk}/"
    assert task.created_by == world.coord_c1 and task.priority == "high" and task.due_at is not None
    page = text(client.get(response["Location"]))
    assert 'style="--depth: 0"' in page and 'style="--depth: 1"' in page
    assert f'value="{world.v1a.pk}"' in page and f'value="{world.c2.pk}"' not in page
    response = client.post(f"/console/tasks/{task.pk}/assign/", {"teams": [world.v1a.pk]}, follow=True)
    assert "Đã giao cho 2 người (0 người đã có việc này)." in text(response)
    assert set(task.assignments.values_list("assignee_id", flat=True)) == {world.member_v1a.pk, world.member_v1a_2.pk}
    assert TaskTarget.objects.filter(task=task, team=world.v1a).exists()


def test_assigning_to_a_sibling_team_is_refused_and_assigns_nobody(world, work, browse):
    response = browse(world.coord_c1, lang="en").post(f"/console/tasks/{work.task.pk}/assign/",
                                                      {"teams": [world.v2a.pk]})
    assert response.status_code == 400
    assert "Some of the chosen teams are not yours to assign to." in text(response)
    assert not work.task.assignments.filter(assignee=world.member_v2a).exists()


def test_a_task_of_a_sibling_subtree_is_the_404_page(world, work, browse):
    client = browse(world.coord_c1)
    assert client.get(f"/console/tasks/{work.sibling_task.pk}/").status_code == 404
    assert client.post(f"/console/tasks/{work.sibling_task.pk}/assign/", {"teams": [world.v1a.pk]}).status_code == 404


def test_members_see_the_tasks_behind_their_work_without_the_picker(world, work, browse):
    client = browse(world.member_v1a_2)
    page = text(client.get(f"/console/tasks/{work.task.pk}/"))
    assert "Chia sẻ cảnh báo" in page and 'name="teams"' not in page
    assert client.post(f"/console/tasks/{work.task.pk}/assign/", {"teams": [world.v1a.pk]}).status_code == 403


# Campaigns -----------------------------------------------------------------------------

def test_create_a_campaign_and_read_its_progress(world, work, browse):
    client = browse(world.coord_c1)
    response = client.post("/console/campaigns/new/", {"name": "Tháng an toàn mạng", "team": world.c1.pk})
    campaign = Campaign.objects.get(name="Tháng an toàn mạng")
    assert response["Location"] == f"/console/campaigns/{campaign.pk}/"
    Task.objects.filter(pk=work.task.pk).update(campaign=campaign)
    page = text(client.get(response["Location"]))
    assert "Chia sẻ cảnh báo lừa đảo" in page and "<dt>Việc đã giao</dt><dd>2</dd>" in page
    assert "Tháng an toàn mạng" in text(browse(world.member_v1a).get("/console/campaigns/"))


@pytest.mark.parametrize("lang, message", [(None, "Thời điểm kết thúc không được trước thời điểm bắt đầu."),
                                           ("en", "The end must not be before the start.")])
def test_a_campaign_that_ends_before_it_starts_is_refused(world, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).post("/console/campaigns/new/", {
        "name": "Ngược", "team": world.c1.pk, "starts_at": "2027-01-10T08:00", "ends_at": "2027-01-01T08:00"})
    assert response.status_code == 400 and message in text(response)


def test_a_member_cannot_create_campaigns(world, browse):
    client = browse(world.member_v1a)
    assert "/console/campaigns/new/" not in text(client.get("/console/campaigns/"))
    assert client.get("/console/campaigns/new/").status_code == 403
    assert client.post("/console/campaigns/new/", {"name": "X", "team": world.v1a.pk}).status_code == 403
    assert not Campaign.objects.exists()


def test_a_sibling_campaign_is_the_404_page(world, browse):
    campaign = services.campaign_create(actor=world.coord_c2, name="Của Nam Dong", team=world.c2)
    assert browse(world.coord_c1).get(f"/console/campaigns/{campaign.pk}/").status_code == 404
    assert browse(world.coord_c1).get(f"/console/campaigns/{campaign.pk}/stats.csv").status_code == 404


# Members -------------------------------------------------------------------------------

def test_the_member_list_shows_phones_to_coordinators_only(world, browse):
    page = text(browse(world.coord_c1).get("/console/members/"))
    assert world.member_v1a.full_name in page and world.member_v1a.phone in page
    assert world.member_v2a.full_name not in page
    teammate = text(browse(world.member_v1a).get("/console/members/"))
    assert world.member_v1a_2.full_name in teammate and world.member_v1a_2.phone not in teammate
    assert "Ngừng hoạt động" not in teammate


def test_add_a_member(world, browse):
    client = browse(world.coord_c1)
    response = client.post("/console/members/new/", {"full_name": "Trịnh Văn Mới", "phone": "0987 654 321",
                                                     "password": "mat-khau-dai-2026", "team": world.v1b.pk,
                                                     "role": "member"}, follow=True)
    assert "Trịnh Văn Mới giờ có thể đăng nhập bằng số điện thoại." in text(response)
    member = Member.objects.get(full_name="Trịnh Văn Mới")
    assert member.phone == "+84987654321" and member.check_password("mat-khau-dai-2026")
    assert member.memberships.get().team == world.v1b


@pytest.mark.parametrize("lang, message", [(None, "Đã có thành viên dùng số điện thoại này."),
                                           ("en", "A member with this phone number already exists.")])
def test_adding_a_phone_twice_is_refused_in_both_languages(world, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).post("/console/members/new/", {
        "full_name": "Trùng", "phone": world.member_v2a.phone, "password": "mat-khau-dai-2026",
        "team": world.v1b.pk, "role": "member"})
    assert response.status_code == 400 and message in text(response)


def test_deactivate_a_member(world, browse):
    client = browse(world.coord_c1)
    page = text(client.get("/console/members/"))
    assert f'action="/console/members/{world.member_v1a_2.pk}/deactivate/"' in page
    response = client.post(f"/console/members/{world.member_v1a_2.pk}/deactivate/", follow=True)
    assert "đã ngừng hoạt động" in text(response)
    world.member_v1a_2.refresh_from_db()
    assert not world.member_v1a_2.is_active


def test_activate_a_member_again(world, browse):
    client = browse(world.coord_c1, lang="en")
    page = text(client.get("/console/members/"))
    assert f'action="/console/members/{world.inactive_v1a.pk}/activate/"' in page
    assert f'action="/console/members/{world.inactive_v1a.pk}/deactivate/"' not in page
    response = client.post(f"/console/members/{world.inactive_v1a.pk}/activate/", follow=True)
    assert f"{world.inactive_v1a.full_name} is active again and can log in." in text(response)
    world.inactive_v1a.refresh_from_db()
    assert world.inactive_v1a.is_active


def test_deactivating_outside_the_subtree_is_404_and_a_member_403(world, browse):
    assert browse(world.coord_c1).post(f"/console/members/{world.member_v2a.pk}/deactivate/").status_code == 404
    assert browse(world.member_v1a).post(f"/console/members/{world.member_v1a_2.pk}/deactivate/").status_code == 403
    assert Member.objects.get(pk=world.member_v2a.pk).is_active
    assert Member.objects.get(pk=world.member_v1a_2.pk).is_active


# Downloads -----------------------------------------------------------------------------

@pytest.mark.parametrize("console_url, api_url", [
    ("/console/teams/{c1}/stats.csv", "/api/v1/teams/{c1}/stats/?format=csv"),
    ("/console/teams/{c1}/children.csv", "/api/v1/teams/{c1}/stats/children/?format=csv"),
    ("/console/teams/{c1}/members.csv", "/api/v1/teams/{c1}/stats/members/?format=csv&page_size=200"),
    ("/console/teams/{c1}/daily.csv?since=2026-01-01&until=2026-12-31",
     "/api/v1/teams/{c1}/stats/daily/?format=csv&since=2026-01-01&until=2026-12-31"),
])
def test_downloads_are_the_apis_csv(world, work, browse, console_url, api_url):
    response = browse(world.coord_c1).get(console_url.format(c1=world.c1.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    api = APIClient()
    api.force_authenticate(world.coord_c1)
    assert response.content == api.get(api_url.format(c1=world.c1.pk)).content
    assert response.content.startswith("\ufeff".encode())


def test_a_campaign_download_is_the_apis_csv(world, work, browse):
    campaign = services.campaign_create(actor=world.coord_c1, name="CSV", team=world.c1)
    response = browse(world.coord_c1).get(f"/console/campaigns/{campaign.pk}/stats.csv")
    api = APIClient()
    api.force_authenticate(world.coord_c1)
    assert response.content == api.get(f"/api/v1/campaigns/{campaign.pk}/stats/?format=csv").content


def test_a_daily_download_without_dates_is_the_last_30_days(world, browse):
    response = browse(world.coord_c1).get(f"/console/teams/{world.c1.pk}/daily.csv")
    assert response.status_code == 200 and len(response.content.decode().splitlines()) == 1 + 30


@pytest.mark.parametrize("lang, message", [(None, "Không được sau thời điểm until."), ("en", "Must not be after until.")])
def test_a_daily_download_with_dates_the_wrong_way_round_says_so(world, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).get(f"/console/teams/{world.c1.pk}/daily.csv?since=2026-05-02&until=2026-05-01")
    assert response.status_code == 400 and message in text(response)


def test_an_unknown_report_is_the_404_page(world, browse):
    assert browse(world.coord_c1).get(f"/console/teams/{world.c1.pk}/secrets.csv").status_code == 404
