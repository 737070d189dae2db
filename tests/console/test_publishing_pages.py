"""Channels, their post log and the content library in the console, and a task made from
approved content: the API's rules through the same services (four eyes, the material flowing
down the tree, who posts on a channel), in both languages, behind CSRF."""
import pytest

from publishing import services as publishing_services
from publishing.models import Channel, ChannelPost, ContentItem
from tasks.models import Task

from .conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return publishing_services.content_create(actor=world.coord_c1, team=world.c1, title="Cảnh báo lừa đảo qua Zalo",
                                              body="Không chuyển tiền cho người lạ.",
                                              links=["https://example.org/canh-bao"])


@pytest.fixture
def in_review(world, draft):
    return publishing_services.content_submit(item=draft, actor=world.coord_c1)


@pytest.fixture
def approved(world, in_review):
    return publishing_services.content_approve(item=in_review, actor=world.coord_district)


@pytest.fixture
def channel(world):
    return publishing_services.channel_create(actor=world.coord_c1, team=world.c1, platform="facebook", kind="page",
                                              name="Thanh niên Tâm Thắng", url="https://facebook.com/thanhnientamthang")


# The content library -----------------------------------------------------------------

def test_a_draft_goes_through_review_by_another_coordinator_and_flows_down(world, browse):
    author = browse(world.coord_c1)
    form = text(author.get("/console/content/new/"))
    assert 'name="team"' in form and "Tâm Thắng" in form and "Nam Dong" not in form  # only teams they write for
    response = author.post("/console/content/new/", {
        "team": world.c1.pk, "title": "Cảnh báo lừa đảo", "body": "Không chuyển tiền.",
        "links": "https://example.org/a\nhttps://example.org/b"})
    assert response.status_code == 302
    item = ContentItem.objects.get(title="Cảnh báo lừa đảo")
    assert item.status == "draft" and item.links == ["https://example.org/a", "https://example.org/b"]
    assert response["Location"] == f"/console/content/{item.pk}/"
    page = text(author.get(response["Location"]))
    assert "Đã lưu bản nháp." in page and "Gửi duyệt" in page
    assert author.post(f"/console/content/{item.pk}/submit/").status_code == 302
    item.refresh_from_db()
    assert item.status == "in_review"

    # Four eyes: the author is offered no review and is refused one (the 403 page, the service's reason).
    page = text(author.get(f"/console/content/{item.pk}/"))
    assert "Đang chờ duyệt" in page and f"/content/{item.pk}/approve/" not in page
    refused = author.post(f"/console/content/{item.pk}/approve/")
    assert refused.status_code == 403 and "Không ai tự duyệt tài liệu của mình" in text(refused)
    item.refresh_from_db()
    assert item.status == "in_review"

    # A member does not see it until it is approved.
    member = browse(world.member_v1b)
    assert member.get(f"/console/content/{item.pk}/").status_code == 404
    assert "Cảnh báo lừa đảo" not in text(member.get("/console/content/"))

    reviewer = browse(world.coord_district)
    page = text(reviewer.get(f"/console/content/{item.pk}/"))
    assert f"/content/{item.pk}/approve/" in page and f"/content/{item.pk}/reject/" in page
    response = reviewer.post(f"/console/content/{item.pk}/approve/", {"note": "Tốt"}, follow=True)
    assert "Đã duyệt" in text(response)
    item.refresh_from_db()
    assert item.status == "approved" and item.reviewed_by == world.coord_district and item.review_note == "Tốt"

    listing = text(member.get("/console/content/"))
    assert "Cảnh báo lừa đảo" in listing
    page = text(member.get(f"/console/content/{item.pk}/"))
    assert "https://example.org/b" in page and "Tạo việc" not in page  # a member makes no tasks
    # ...never sideways: another commune's member does not read it.
    assert browse(world.member_v2a).get(f"/console/content/{item.pk}/").status_code == 404


def test_members_read_only_what_is_approved_and_not_expired(world, browse, draft, approved):
    listing = text(browse(world.member_v1a).get("/console/content/"))
    assert approved.title in listing and 'aria-label="Trạng thái"' not in listing  # no status tabs for them
    ContentItem.objects.filter(pk=approved.pk).update(expires_at="2020-01-01T00:00:00Z")
    assert approved.title not in text(browse(world.member_v1a).get("/console/content/"))
    # A coordinator's tabs keep the statuses apart.
    coordinator = browse(world.coord_c1)
    assert approved.title in text(coordinator.get("/console/content/?status=approved"))
    assert approved.title not in text(coordinator.get("/console/content/?status=draft"))


@pytest.mark.parametrize("lang, message", [(None, "Cần nêu lý do."), ("en", "A reason is required.")])
def test_a_rejection_needs_a_reason_in_both_languages(world, browse, in_review, lang, message):
    client = browse(world.coord_district, lang=lang)
    response = client.post(f"/console/content/{in_review.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400
    page = text(response)
    assert ("Trường này là bắt buộc." if lang is None else "This field is required.") in page or message in page
    in_review.refresh_from_db()
    assert in_review.status == "in_review"


def test_a_rejected_item_edited_by_its_author_goes_back_to_draft(world, browse, in_review):
    response = browse(world.coord_district).post(f"/console/content/{in_review.pk}/reject/",
                                                 {"reason": "Thiếu nguồn"}, follow=True)
    assert "Đã trả lại cho tác giả" in text(response)
    author = browse(world.coord_c1)
    page = text(author.get(f"/console/content/{in_review.pk}/"))
    assert "Thiếu nguồn" in page and "Hoàng" not in page
    form = text(author.get(f"/console/content/{in_review.pk}/edit/"))
    assert "trở lại thành bản nháp" in form and "https://example.org/canh-bao" in form
    response = author.post(f"/console/content/{in_review.pk}/edit/", {"title": "Có nguồn rồi", "body": "x",
                                                                       "links": "https://example.org/nguon"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.title, in_review.links) == ("draft", "Có nguồn rồi", ["https://example.org/nguon"])


@pytest.mark.parametrize("lang, message", [(None, "Hãy nhập đường dẫn bắt đầu bằng http:// hoặc https://."),
                                           ("en", "Enter a link that starts with http:// or https://.")])
def test_a_bad_link_is_shown_on_the_field_in_both_languages(world, browse, draft, lang, message):
    response = browse(world.coord_c1, lang=lang).post(f"/console/content/{draft.pk}/edit/",
                                                      {"title": "x", "links": "javascript:alert(1)"})
    assert response.status_code == 400 and message in text(response)


def test_approved_items_are_not_edited_and_steps_out_of_order_are_a_message(world, browse, approved):
    author = browse(world.coord_c1)
    response = author.get(f"/console/content/{approved.pk}/edit/", follow=True)
    assert "Chỉ sửa được bản nháp hoặc tài liệu bị trả lại." in text(response)
    response = author.post(f"/console/content/{approved.pk}/edit/", {"title": "Đổi"}, follow=True)
    assert response.redirect_chain and "bản nháp" in text(response)
    response = author.post(f"/console/content/{approved.pk}/submit/", follow=True)
    assert response.redirect_chain and "đã duyệt" in text(response).lower()
    approved.refresh_from_db()
    assert (approved.status, approved.title) == ("approved", "Cảnh báo lừa đảo qua Zalo")
    assert author.post(f"/console/content/{approved.pk}/archive/").status_code == 302
    approved.refresh_from_db()
    assert approved.status == "archived"


def test_a_channel_manager_who_is_a_member_writes_drafts_for_the_channels_team(world, browse, channel):
    member = browse(world.member_v1a)
    assert member.get("/console/content/new/").status_code == 403
    publishing_services.channel_update(channel=channel, actor=world.coord_c1, managers=[world.member_v1a])
    form = text(member.get("/console/content/new/"))
    assert "Tâm Thắng" in form
    response = member.post("/console/content/new/", {"team": world.c1.pk, "title": "Bài của Lan"})
    assert response.status_code == 302
    assert ContentItem.objects.get(title="Bài của Lan").created_by == world.member_v1a
    # A team they do not write for is the service's refusal on the field.
    response = member.post("/console/content/new/", {"team": world.v1b.pk, "title": "Sai tổ"})
    assert response.status_code == 400


def test_every_form_needs_its_csrf_token(world, browse, in_review, channel):
    for client, url, body in [
        (browse(world.coord_district, csrf=True), f"/console/content/{in_review.pk}/approve/", {}),
        (browse(world.coord_c1, csrf=True), "/console/content/new/", {"team": world.c1.pk, "title": "x"}),
        (browse(world.coord_c1, csrf=True), f"/console/channels/{channel.pk}/posts/", {"url": "https://x.example/"}),
        (browse(world.coord_c1, csrf=True), f"/console/channels/{channel.pk}/edit/", {"name": "x"}),
    ]:
        response = client.post(url, body)
        assert response.status_code == 403 and "Biểu mẫu đã hết hạn" in text(response), url
    in_review.refresh_from_db()
    assert in_review.status == "in_review" and not ChannelPost.objects.exists()


# A task from approved content ----------------------------------------------------------

def test_a_task_is_made_from_approved_content_and_carries_it(world, browse, approved, channel):
    coordinator = browse(world.coord_c1)
    page = text(coordinator.get(f"/console/content/{approved.pk}/"))
    assert f"/console/tasks/new/?content={approved.pk}" in page
    form = text(coordinator.get(f"/console/tasks/new/?content={approved.pk}"))
    assert f'<option value="{approved.pk}" selected>' in form
    assert 'value="Cảnh báo lừa đảo qua Zalo"' in form and "Thanh niên Tâm Thắng" in form
    response = coordinator.post("/console/tasks/new/", {
        "content": approved.pk, "channel": channel.pk, "title": "Chia sẻ cảnh báo", "team": world.c1.pk,
        "kind": "share", "platform": "facebook", "priority": "normal"})
    assert response.status_code == 302
    task = Task.objects.get(title="Chia sẻ cảnh báo")
    assert task.publication.content == approved and task.publication.channel == channel
    page = text(coordinator.get(f"/console/tasks/{task.pk}/"))
    assert "Tài liệu: Cảnh báo lừa đảo qua Zalo" in page and "Không chuyển tiền cho người lạ." in page
    assert f"/console/channels/{channel.pk}/" in page
    # The tree picker assigns it; the member sees the task.
    assert coordinator.post(f"/console/tasks/{task.pk}/assign/", {"teams": [world.v1a.pk]}).status_code == 302
    member = browse(world.member_v1a)
    assert "Chia sẻ cảnh báo" in text(member.get("/console/mine/"))
    # The member has the material on their task's page.
    assignment = task.assignments.get(assignee=world.member_v1a)
    page = text(member.get(f"/console/mine/{assignment.pk}/"))
    assert "Tài liệu: Cảnh báo lừa đảo qua Zalo" in page and "https://example.org/canh-bao" in page


def test_a_task_without_material_has_no_publication_and_draft_content_is_not_offered(world, browse, draft):
    coordinator = browse(world.coord_c1)
    form = text(coordinator.get(f"/console/tasks/new/?content={draft.pk}"))
    assert draft.title not in form  # only approved, unexpired material is offered
    response = coordinator.post("/console/tasks/new/", {"title": "Không tài liệu", "team": world.c1.pk,
                                                        "kind": "post", "platform": "zalo", "priority": "normal"})
    assert response.status_code == 302
    assert not Task.objects.filter(title="Không tài liệu", publication__isnull=False).exists()
    # A draft's id sent by hand is a field error, not a task.
    response = coordinator.post("/console/tasks/new/", {"content": draft.pk, "title": "Sai", "team": world.c1.pk,
                                                        "kind": "post", "platform": "zalo", "priority": "normal"})
    assert response.status_code == 400 and not Task.objects.filter(title="Sai").exists()


# Channels and their post log ------------------------------------------------------------

@pytest.mark.parametrize("lang, message", [(None, "không phải tài khoản riêng của một người"),
                                           ("en", "not a person's own account")])
def test_a_coordinator_registers_a_channel_but_never_a_persons_profile(world, browse, lang, message):
    client = browse(world.coord_c1, lang=lang)
    body = {"team": world.c1.pk, "name": "Lan", "platform": "facebook", "kind": "page",
            "url": "https://facebook.com/profile.php?id=1000", "posts_per_day_target": "1"}
    response = client.post("/console/channels/new/", body)
    assert response.status_code == 400 and message in text(response).replace("&#x27;", "'")
    assert not Channel.objects.exists()
    response = client.post("/console/channels/new/", {**body, "name": "Trang xã", "is_active": "on",
                                                      "url": "https://facebook.com/tamthang"})
    channel = Channel.objects.get()
    assert response["Location"] == f"/console/channels/{channel.pk}/" and channel.is_active


def test_managers_log_posts_and_readers_only_read_the_log(world, browse, channel):
    member = browse(world.member_v1a)
    page = text(member.get(f"/console/channels/{channel.pk}/"))
    assert "Thanh niên Tâm Thắng" in page and "Chưa có bài đăng nào." in page and 'name="url"' not in page
    assert member.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://x.example/1"}).status_code == 403
    assert "Thanh niên Tâm Thắng" in text(member.get("/console/channels/"))
    assert "Thanh niên Tâm Thắng" not in text(browse(world.member_v2a).get("/console/channels/"))

    coordinator = browse(world.coord_c1)
    form = text(coordinator.get(f"/console/channels/{channel.pk}/edit/"))
    assert "Đặng Thị Lan" in form and "Dương Thị Mai" not in form  # people of the channel's subtree only
    response = coordinator.post(f"/console/channels/{channel.pk}/edit/", {
        "name": channel.name, "platform": "facebook", "kind": "page", "url": channel.url,
        "posts_per_day_target": "3", "is_active": "on", "managers": [world.member_v1a.pk]})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert list(channel.managers.all()) == [world.member_v1a] and channel.posts_per_day_target == 3

    response = member.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://facebook.com/p/1",
                                                                       "note": "Bài sáng"}, follow=True)
    assert "Đã thêm bài đăng vào nhật ký." in text(response) and "Bài sáng" in text(response)
    assert ChannelPost.objects.get().created_by == world.member_v1a

    # A village coordinator reads the commune's channel but does not change it.
    assert browse(world.coord_v1a).get(f"/console/channels/{channel.pk}/edit/").status_code == 403


def test_an_inactive_channel_takes_no_post_and_a_future_date_is_refused(world, browse, channel):
    client = browse(world.coord_c1)
    response = client.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://x.example/1",
                                                                       "published_at": "2999-01-01T10:00"})
    assert response.status_code == 400 and "tương lai" in text(response)
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    response = client.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://x.example/1"}, follow=True)
    assert "ngừng hoạt động" in text(response) and not ChannelPost.objects.exists()


def test_the_post_log_pages_newest_first(world, browse, channel, monkeypatch):
    from console import publishing_pages, views

    monkeypatch.setattr(publishing_pages, "PAGE_SIZE", 2)
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for n in range(5):
        publishing_services.channel_post_create(channel=channel, actor=world.coord_c1, url=f"https://x.example/{n}",
                                                published_at=now - timedelta(hours=n))
    client = browse(world.coord_c1)
    first = text(client.get(f"/console/channels/{channel.pk}/"))
    assert "https://x.example/0" in first and "https://x.example/1" in first and "https://x.example/2" not in first
    last_shown = ChannelPost.objects.get(url="https://x.example/1").pk
    second = text(client.get(f"/console/channels/{channel.pk}/?before={last_shown}"))
    assert "https://x.example/2" in second and "https://x.example/3" in second and "https://x.example/1" not in second
    assert views.PAGE_SIZE == 50
