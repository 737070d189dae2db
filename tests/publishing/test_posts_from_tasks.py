"""A task naming a channel: completing it with an evidence URL logs the post once per assignment."""
import pytest
import time_machine

from publishing.models import Channel, ChannelPost
from tasks import services as task_services
from tasks.models import Assignment

from .conftest import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel_task(world, page_c1):
    task = make_task(world.c1, world.coord_c1, channel=page_c1)
    task_services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


def _complete(client, assignment, url, **headers):
    return client.post(f"/api/v1/assignments/{assignment.pk}/complete/", {"evidence_url": url}, format="json",
                       **headers)


def test_the_task_and_each_assignment_name_the_channel(world, client_for, channel_task, page_c1):
    task = client_for(world.coord_c1).get(f"/api/v1/tasks/{channel_task.pk}/").json()
    assert task["channel"] == page_c1.pk
    rows = client_for(world.member_v1a).get("/api/v1/assignments/", {"mine": "true"}).json()["results"]
    assert [r["task"]["channel"] for r in rows] == [page_c1.pk]


def test_a_task_without_a_channel_says_null(world, client_for):
    task = make_task(world.c1, world.coord_c1)
    assert client_for(world.coord_c1).get(f"/api/v1/tasks/{task.pk}/").json()["channel"] is None


def test_a_channel_outside_the_callers_reach_or_off_the_tasks_line_is_a_400(world, client_for, page_c2, page_c1):
    client = client_for(world.coord_c1)
    body = {"title": "Đăng bài", "kind": "post", "platform": "zalo", "team": world.c1.pk}
    response = client.post("/api/v1/tasks/", {**body, "channel": page_c2.pk}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]
    # The district coordinator reads both communes, but a task of c2 does not publish on c1's page.
    response = client_for(world.coord_district).post("/api/v1/tasks/", {**body, "team": world.c2.pk,
                                                                        "channel": page_c1.pk}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]
    Channel.objects.filter(pk=page_c1.pk).update(is_active=False)
    response = client.post("/api/v1/tasks/", {**body, "channel": page_c1.pk}, format="json")
    assert response.status_code == 400 and "channel" in response.json()["errors"]


def test_a_channel_is_set_and_cleared_by_patch(world, client_for, page_c1, page_district):
    task = make_task(world.c1, world.coord_c1)
    client = client_for(world.coord_c1)
    assert client.patch(f"/api/v1/tasks/{task.pk}/", {"channel": page_district.pk}, format="json"
                        ).json()["channel"] == page_district.pk
    assert client.patch(f"/api/v1/tasks/{task.pk}/", {"channel": None}, format="json").json()["channel"] is None


def test_completing_with_an_evidence_url_logs_the_post_once_dated_at_completion(world, client_for, channel_task,
                                                                               page_c1):
    assignment = Assignment.objects.get(task=channel_task, assignee=world.member_v1a)
    response = _complete(client_for(world.member_v1a), assignment, "https://facebook.com/tamthang.today/posts/7")
    assert response.status_code == 200
    post = ChannelPost.objects.get()
    assignment.refresh_from_db()
    assert post.channel == page_c1 and post.assignment == assignment and post.created_by == world.member_v1a
    assert post.url == "https://facebook.com/tamthang.today/posts/7" and post.published_at == assignment.completed_at
    rows = client_for(world.member_v1a).get(f"/api/v1/channels/{page_c1.pk}/posts/").json()["results"]
    assert [r["assignment"] for r in rows] == [assignment.pk]


def test_a_retried_completion_adds_no_second_post(world, client_for, channel_task):
    assignment = Assignment.objects.get(task=channel_task, assignee=world.member_v1a)
    client = client_for(world.member_v1a)
    first = _complete(client, assignment, "https://facebook.com/p/1", HTTP_IDEMPOTENCY_KEY="k-1")
    again = _complete(client, assignment, "https://facebook.com/p/1", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    # Without the key the retry is a second request: the assignment is already completed.
    assert _complete(client, assignment, "https://facebook.com/p/1").status_code == 409
    assert ChannelPost.objects.count() == 1


def test_a_completion_after_a_rejection_replaces_the_url_never_adds_a_post(world, client_for, channel_task):
    assignment = Assignment.objects.get(task=channel_task, assignee=world.member_v1a)
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    assert _complete(member, assignment, "https://facebook.com/p/wrong").status_code == 200
    assert coordinator.post(f"/api/v1/assignments/{assignment.pk}/reject/", {"reason": "Sai link"},
                            format="json").status_code == 200
    assert _complete(member, assignment, "https://facebook.com/p/right").status_code == 200
    post = ChannelPost.objects.get()
    assignment.refresh_from_db()
    assert post.url == "https://facebook.com/p/right" and post.published_at == assignment.completed_at
    # Each assignee's work is its own post.
    other = Assignment.objects.get(task=channel_task, assignee=world.member_v1b)
    assert _complete(client_for(world.member_v1b), other, "https://facebook.com/p/hoa").status_code == 200
    assert ChannelPost.objects.count() == 2


def test_a_rejection_leaves_the_post_in_the_log_and_completing_again_with_the_same_url_keeps_it_once(
        world, client_for, channel_task, page_c1):
    """The post log records what was published on the team's page; the review is about the
    member's credit. A post that went out stays logged when its work is rejected (in the
    list and in the channel's statistics), and completing again with the same link is the
    same post."""
    assignment = Assignment.objects.get(task=channel_task, assignee=world.member_v1a)
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    url = "https://facebook.com/tamthang.today/posts/42"

    def logged():
        rows = coordinator.get(f"/api/v1/channels/{page_c1.pk}/posts/").json()["results"]
        stats = coordinator.get(f"/api/v1/teams/{world.c1.pk}/stats/channels/").json()["results"]
        [page] = [row for row in stats if row["channel"]["id"] == page_c1.pk]
        return [(r["url"], r["assignment"]) for r in rows], page["posts"], ChannelPost.objects.count()

    assert _complete(member, assignment, url).status_code == 200
    once = ([(url, assignment.pk)], 1, 1)
    assert logged() == once
    post = ChannelPost.objects.get()
    rejected = coordinator.post(f"/api/v1/assignments/{assignment.pk}/reject/", {"reason": "Thiếu ảnh chụp"},
                                format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert logged() == once  # still published on the page, so still in the log
    assert _complete(member, assignment, url).status_code == 200
    assert logged() == once
    assert ChannelPost.objects.get().pk == post.pk  # the same row, not a new one


def test_work_on_a_task_without_a_channel_logs_nothing(world, client_for):
    task = make_task(world.c1, world.coord_c1)
    task_services.task_assign(task=task, actor=world.coord_c1, members=[world.member_v1a])
    assignment = Assignment.objects.get(task=task)
    assert _complete(client_for(world.member_v1a), assignment, "https://facebook.com/p/2").status_code == 200
    assert not ChannelPost.objects.exists()


def _queries(client, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"page_size": 50}).status_code == 200
    return len(captured)


def test_lists_with_a_channel_cost_the_same_queries_as_without(world, client_for, page_c1,
                                                               django_assert_num_queries):
    plain = make_task(world.c1, world.coord_c1, title="Không có kênh")
    task_services.task_assign(task=plain, actor=world.coord_c1, teams=[world.c1])
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    before = {url: _queries(c, url, django_assert_num_queries)
              for c, url in [(member, "/api/v1/assignments/"), (coordinator, "/api/v1/tasks/")]}
    for n in range(5):
        task = make_task(world.c1, world.coord_c1, title=f"Kênh {n}", channel=page_c1)
        task_services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    after = {url: _queries(c, url, django_assert_num_queries)
             for c, url in [(member, "/api/v1/assignments/"), (coordinator, "/api/v1/tasks/")]}
    assert after == before


def test_messages_come_in_vietnamese(world, client_for):
    response = client_for(world.coord_c1).post("/api/v1/channels/", {
        "team": world.c1.pk, "platform": "facebook", "name": "X", "kind": "page",
        "url": "https://facebook.com/profile.php?id=1"}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.json()["errors"]["url"] == [
        "Kênh là trang, nhóm, kênh hoặc trang web do đơn vị vận hành, không phải tài khoản riêng của một người."]


def test_completing_again_with_the_same_url_keeps_the_posts_date_and_another_url_dates_it_anew(
        world, client_for, channel_task, page_c1):
    """The same link is the same publication: resubmitted days later after a rejection, the
    post keeps the day it went out (its days on target do not move); a new link is a new
    publication, dated at the new completion."""
    assignment = Assignment.objects.get(task=channel_task, assignee=world.member_v1a)
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    url = "https://facebook.com/tamthang.today/posts/43"
    with time_machine.travel("2026-03-02 09:00 +07:00", tick=False):
        assert _complete(member, assignment, url).status_code == 200
    first = ChannelPost.objects.get()
    assert str(first.published_on) == "2026-03-02"
    with time_machine.travel("2026-03-05 10:00 +07:00", tick=False):
        assert coordinator.post(f"/api/v1/assignments/{assignment.pk}/reject/", {"reason": "Thiếu ảnh"},
                                format="json").status_code == 200
        assert _complete(member, assignment, url).status_code == 200
    kept = ChannelPost.objects.get()
    assert (kept.pk, kept.published_at, str(kept.published_on)) == (first.pk, first.published_at, "2026-03-02")
    with time_machine.travel("2026-03-07 08:00 +07:00", tick=False):
        assert coordinator.post(f"/api/v1/assignments/{assignment.pk}/reject/", {"reason": "Sai bài"},
                                format="json").status_code == 200
        assert _complete(member, assignment, "https://facebook.com/tamthang.today/posts/44").status_code == 200
    moved = ChannelPost.objects.get()
    assert moved.pk == first.pk and str(moved.published_on) == "2026-03-07"
