"""Topics in the console's forms and the campaign's counts, and the help text and errors under
every field of the generic form: the API's rules (a body's `topic` is an active topic the
caller reads, of the object's team or a team above it; `topic=` on the stats), in both languages.

    district_topic  of district (read by everyone in the district: coord_c1, coord_c2, member_v1a...)
    c1_topic        of commune c1 (coord_c1's own; coord_c2 does not read it)
    c2_topic        of commune c2, the sibling subtree (coord_c1 neither reads nor is offered it)
    retired         of c1, no longer active (offered to nobody)
"""
import re
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from publishing import services as publishing_services
from publishing.models import ChannelPost, ContentItem
from tasks import services
from tasks.models import Assignment, Campaign, Task

from .conftest import text

pytestmark = pytest.mark.django_db

NOT_OFFERED = {None: "Hãy chọn một lựa chọn hợp lệ.", "en": "Select a valid choice."}
OFF_PATH = {None: "Chủ đề này thuộc một đơn vị không nằm trên nhánh của đơn vị này.",
            "en": "This topic belongs to a team that is not on this team&#x27;s path."}


@pytest.fixture
def topics(world):
    t = SimpleNamespace()
    t.district = services.topic_create(actor=world.coord_district, team=world.district, name="Cảnh báo lừa đảo")
    t.c1 = services.topic_create(actor=world.coord_c1, team=world.c1, name="Người tốt việc tốt")
    t.c2 = services.topic_create(actor=world.coord_c2, team=world.c2, name="Lễ hội Nam Dong")
    t.retired = services.topic_create(actor=world.coord_c1, team=world.c1, name="Tết năm ngoái", is_active=False)
    return t


@pytest.fixture
def channel(world):
    return publishing_services.channel_create(actor=world.coord_c1, team=world.c1, platform="facebook", kind="page",
                                              name="Thanh niên Tâm Thắng", url="https://facebook.com/thanhnientamthang",
                                              managers=[world.member_v1a])


def offered(page: str) -> set[int]:
    """The topic ids the page's `topic` select offers."""
    select = re.search(r'<select name="topic"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no topic select on the page"
    return {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(1))}


# Help text and errors under the field ---------------------------------------------------

def test_help_text_is_under_its_field_and_the_field_points_at_it(world, browse, topics):
    page = text(browse(world.coord_c1).get("/console/content/new/"))
    assert re.search(r'<select name="team"[^>]*aria-describedby="id_team_helptext"', page)
    assert '<p class="hint" id="id_team_helptext">Đội sở hữu tài liệu:' in page
    assert re.search(r'<select name="topic"[^>]*aria-describedby="id_topic_helptext"', page)
    assert '<p class="hint" id="id_topic_helptext">Không bắt buộc. Một chủ đề của tổ này' in page
    # A field without help text points at nothing; its label is still its own.
    assert re.search(r'<input type="text" name="title"(?![^>]*aria-describedby)[^>]*id="id_title"', page)
    assert '<label for="id_title">Tiêu đề <span class="req" aria-hidden="true">*</span></label>' in page
    english = text(browse(world.coord_c1, lang="en").get("/console/content/new/"))
    assert '<p class="hint" id="id_topic_helptext">Optional. A topic of this team or of a team above it.</p>' in english


@pytest.mark.parametrize("lang", [None, "en"])
def test_errors_are_under_the_field_and_the_field_points_at_them(world, browse, topics, lang):
    response = browse(world.coord_c1, lang=lang).post("/console/content/new/", {
        "team": world.c1.pk, "title": "", "topic": topics.c2.pk})
    assert response.status_code == 400
    page = text(response)
    required = "Trường này là bắt buộc." if lang is None else "This field is required."
    assert f'<div class="error" id="id_title_error"><p>{required}</p></div>' in page
    assert re.search(r'<input type="text" name="title"[^>]*aria-invalid="true"[^>]*aria-describedby="id_title_error"',
                     page)
    # Help text and error both describe the topic field, each by its id.
    assert re.search(r'<select name="topic"[^>]*aria-describedby="id_topic_helptext id_topic_error"', page)
    assert re.search(r'<div class="error" id="id_topic_error"><p>' + re.escape(NOT_OFFERED[lang]), page)
    assert page.count('id="id_topic_error"') == 1


def test_a_group_of_checkboxes_is_a_fieldset_named_by_its_legend(world, browse, channel):
    page = text(browse(world.coord_c1).get(f"/console/channels/{channel.pk}/edit/"))
    assert re.search(r'<fieldset class="field">\s*<legend>Người đăng bài trên kênh</legend>', page)
    assert 'for="id_managers"' not in page  # no label pointing at nothing


# The content library ---------------------------------------------------------------------

def test_the_content_form_offers_only_the_topics_the_author_may_use(world, browse, topics, channel):
    coordinator = text(browse(world.coord_c1).get("/console/content/new/"))
    assert offered(coordinator) == {topics.district.pk, topics.c1.pk}  # not the sibling's, not the retired one
    assert "Người tốt việc tốt (Tâm Thắng)" in coordinator and "Lễ hội Nam Dong" not in coordinator
    # A member who manages a channel writes drafts: the topics of their own path.
    assert offered(text(browse(world.member_v1a).get("/console/content/new/"))) == {topics.district.pk, topics.c1.pk}
    # The district coordinator reads both communes' topics.
    assert offered(text(browse(world.coord_district).get("/console/content/new/"))) == {
        topics.district.pk, topics.c1.pk, topics.c2.pk}
    # A member who writes no drafts gets no form at all.
    assert browse(world.member_v1b).get("/console/content/new/").status_code == 403


def test_a_draft_takes_a_topic_and_the_item_shows_it(world, browse, topics):
    client = browse(world.coord_c1)
    response = client.post("/console/content/new/", {"team": world.c1.pk, "title": "Gương sáng", "topic": topics.c1.pk})
    assert response.status_code == 302
    item = ContentItem.objects.get(title="Gương sáng")
    assert item.topic == topics.c1
    assert "Chủ đề: Người tốt việc tốt" in text(client.get(f"/console/content/{item.pk}/"))


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_sibling_topic_sent_by_hand_is_a_field_error_not_a_500(world, browse, topics, lang):
    response = browse(world.coord_c1, lang=lang).post("/console/content/new/", {
        "team": world.c1.pk, "title": "Sai chủ đề", "topic": topics.c2.pk})
    assert response.status_code == 400 and NOT_OFFERED[lang] in text(response)
    # A retired topic and an id that does not exist: the same.
    for pk in (topics.retired.pk, 999999, "x"):
        response = browse(world.coord_c1, lang=lang).post("/console/content/new/", {
            "team": world.c1.pk, "title": "Sai chủ đề", "topic": pk})
        assert response.status_code == 400 and NOT_OFFERED[lang] in text(response)
    assert not ContentItem.objects.filter(title="Sai chủ đề").exists()


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_topic_the_caller_reads_but_off_the_teams_path_is_the_services_error(world, browse, topics, lang):
    # The district coordinator reads c2's topic, but a c1 draft cannot carry it (tasks.services.check_topic).
    response = browse(world.coord_district, lang=lang).post("/console/content/new/", {
        "team": world.c1.pk, "title": "Sai nhánh", "topic": topics.c2.pk})
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'<div class="error" id="id_topic_error"><p>' + re.escape(OFF_PATH[lang]), page)
    assert not ContentItem.objects.filter(title="Sai nhánh").exists()


def test_editing_a_draft_keeps_a_topic_retired_since(world, browse, topics):
    item = publishing_services.content_create(actor=world.coord_c1, team=world.c1, title="Cũ", topic=topics.c1)
    services.topic_update(topic=topics.c1, actor=world.coord_c1, is_active=False)
    client = browse(world.coord_c1)
    form = text(client.get(f"/console/content/{item.pk}/edit/"))
    assert offered(form) == {topics.district.pk, topics.c1.pk}
    assert f'<option value="{topics.c1.pk}" selected>' in form
    response = client.post(f"/console/content/{item.pk}/edit/", {"title": "Cũ, sửa", "topic": topics.c1.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.topic) == ("Cũ, sửa", topics.c1)
    # ...but it cannot be switched to another retired one.
    response = client.post(f"/console/content/{item.pk}/edit/", {"title": "x", "topic": topics.retired.pk})
    assert response.status_code == 400


# Channel posts ----------------------------------------------------------------------------

def test_a_post_takes_a_topic_of_the_channels_path(world, browse, topics, channel):
    member = browse(world.member_v1a)  # a manager of the channel
    page = text(member.get(f"/console/channels/{channel.pk}/"))
    assert offered(page) == {topics.district.pk, topics.c1.pk}
    response = member.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://facebook.com/p/1",
                                                                       "topic": topics.district.pk}, follow=True)
    assert "Đã thêm bài đăng vào nhật ký." in text(response) and "Cảnh báo lừa đảo" in text(response)
    assert ChannelPost.objects.get().topic == topics.district
    # The sibling's topic: the form's error, the page again (400), nothing logged.
    response = member.post(f"/console/channels/{channel.pk}/posts/", {"url": "https://facebook.com/p/2",
                                                                       "topic": topics.c2.pk})
    assert response.status_code == 400 and NOT_OFFERED[None] in text(response)
    assert ChannelPost.objects.count() == 1
    # A reader who may not post is refused before the body, as before.
    assert browse(world.member_v1b).post(f"/console/channels/{channel.pk}/posts/", {
        "url": "https://facebook.com/p/3", "topic": topics.c1.pk}).status_code == 403


# Tasks and campaigns ----------------------------------------------------------------------

def test_a_task_from_content_takes_the_contents_topic(world, browse, topics, channel):
    item = publishing_services.content_create(actor=world.coord_c1, team=world.c1, title="Tài liệu", topic=topics.c1)
    publishing_services.content_submit(item=item, actor=world.coord_c1)
    publishing_services.content_approve(item=item, actor=world.coord_district)
    client = browse(world.coord_c1)
    form = text(client.get(f"/console/tasks/new/?content={item.pk}"))
    assert offered(form) == {topics.district.pk, topics.c1.pk}
    assert f'<option value="{topics.c1.pk}" selected>' in form
    body = {"content": item.pk, "title": "Chia sẻ", "team": world.c1.pk, "kind": "share", "platform": "facebook",
            "priority": "normal", "topic": topics.c1.pk}
    assert client.post("/console/tasks/new/", body).status_code == 302
    assert Task.objects.get(title="Chia sẻ").topic == topics.c1
    response = client.post("/console/tasks/new/", {**body, "title": "Sai", "topic": topics.c2.pk})
    assert response.status_code == 400 and not Task.objects.filter(title="Sai").exists()


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_campaign_takes_a_topic_and_refuses_a_sibling_one(world, browse, topics, lang):
    client = browse(world.coord_c1, lang=lang)
    assert offered(text(client.get("/console/campaigns/new/"))) == {topics.district.pk, topics.c1.pk}
    response = client.post("/console/campaigns/new/", {"name": "Sai", "team": world.c1.pk, "topic": topics.c2.pk})
    assert response.status_code == 400 and NOT_OFFERED[lang] in text(response)
    assert not Campaign.objects.exists()
    response = client.post("/console/campaigns/new/", {"name": "Tháng tốt", "team": world.c1.pk, "topic": topics.c1.pk})
    assert response.status_code == 302 and Campaign.objects.get().topic == topics.c1


# The campaign's counts by topic ------------------------------------------------------------

@pytest.fixture
def campaign(world, topics):
    """A c1 campaign with two tasks for village v1a (two people each): one on c1's topic, one on none."""
    found = services.campaign_create(actor=world.coord_c1, name="Tháng an toàn mạng", team=world.c1)
    for title, topic in (("Có chủ đề", topics.c1), ("Không chủ đề", None)):
        task = services.task_create(actor=world.coord_c1, title=title, kind="post", platform="zalo", team=world.c1,
                                    campaign=found, topic=topic)
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    on_topic = Assignment.objects.filter(task__title="Có chủ đề", assignee=world.member_v1a).get()
    services.assignment_complete(assignment=on_topic, actor=world.member_v1a, evidence_url="https://x.example/1")
    return found


def csv_rows(response) -> list[dict]:
    header, *rows = response.content.decode("utf-8-sig").splitlines()
    return [dict(zip(header.split(","), row.split(","))) for row in rows]


def test_the_campaign_csv_with_a_topic_counts_only_that_topics_work(world, browse, topics, campaign):
    client = browse(world.coord_c1)
    everything = csv_rows(client.get(f"/console/campaigns/{campaign.pk}/stats.csv"))
    response = client.get(f"/console/campaigns/{campaign.pk}/stats.csv?topic={topics.c1.pk}")
    assert response.status_code == 200
    on_topic = csv_rows(response)
    assert (everything[0]["assignments.total"], on_topic[0]["assignments.total"]) == ("4", "2")
    assert on_topic[0]["assignments.completed"] == "1"
    none_yet = csv_rows(client.get(f"/console/campaigns/{campaign.pk}/stats.csv?topic={topics.district.pk}"))
    assert none_yet[0]["assignments.total"] == "0"
    # The very file the API sends for the same filter.
    api = APIClient()
    api.force_authenticate(world.coord_c1)
    assert response.content == api.get(f"/api/v1/campaigns/{campaign.pk}/stats/?topic={topics.c1.pk}&format=csv").content


def test_the_campaign_page_filters_by_topic_and_its_download_follows(world, browse, topics, campaign):
    client = browse(world.coord_c1)
    page = text(client.get(f"/console/campaigns/{campaign.pk}/"))
    # Every topic the caller reads (a report's `topic`), retired ones too; not the sibling's.
    assert offered(page) == {topics.district.pk, topics.c1.pk, topics.retired.pk}
    assert '<option value="" selected>Mọi chủ đề</option>' in page
    assert "<dt>Việc đã giao</dt><dd>4</dd>" in page and f'href="/console/campaigns/{campaign.pk}/stats.csv"' in page
    page = text(client.get(f"/console/campaigns/{campaign.pk}/?topic={topics.c1.pk}"))
    assert "<dt>Việc đã giao</dt><dd>2</dd>" in page and f'<option value="{topics.c1.pk}" selected>' in page
    assert f'href="/console/campaigns/{campaign.pk}/stats.csv?topic={topics.c1.pk}"' in page
    # An observer above reads the counts and filters them too.
    observer = text(browse(world.observer_district).get(f"/console/campaigns/{campaign.pk}/?topic={topics.c1.pk}"))
    assert "<dt>Việc đã giao</dt><dd>2</dd>" in observer
    # A member reads the campaign but not its counts: no filter, no download.
    member = browse(world.member_v1a)
    page = text(member.get(f"/console/campaigns/{campaign.pk}/?topic={topics.c1.pk}"))
    assert 'name="topic"' not in page and "stats.csv" not in page
    assert member.get(f"/console/campaigns/{campaign.pk}/stats.csv?topic={topics.c1.pk}").status_code == 403


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_sibling_topic_on_the_campaigns_counts_is_an_error_not_a_500(world, browse, topics, campaign, lang):
    client = browse(world.coord_c1, lang=lang)
    for pk in (topics.c2.pk, 999999, "x"):
        response = client.get(f"/console/campaigns/{campaign.pk}/stats.csv?topic={pk}")
        assert response.status_code == 400 and NOT_OFFERED[lang] in text(response)
        assert response["Content-Type"].startswith("text/html")
        response = client.get(f"/console/campaigns/{campaign.pk}/?topic={pk}")
        assert response.status_code == 400 and NOT_OFFERED[lang] in text(response)
        assert "<dt>" not in text(response)  # no counts that the filter did not make
    # The API refuses the same id (its own message).
    api = APIClient()
    api.force_authenticate(world.coord_c1)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/stats/?topic={topics.c2.pk}").status_code == 400
