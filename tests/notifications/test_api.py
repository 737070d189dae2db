"""The feed, read marks, unread count and devices through the API, in both languages."""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Device, Notification
from tests.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

FEED = "/api/v1/notifications/"


def notify(member, kind="assigned", task=None, **params):
    task = task or TaskFactory(title="Chia sẻ bài cảnh báo")
    return Notification.objects.create(recipient=member, kind=kind, task=task, params={"task": task.title, **params})


def test_feed_lists_only_the_callers_own_newest_first(world, client_for):
    mine = [notify(world.member_v1a) for _ in range(3)]
    notify(world.member_v1a_2)
    notify(world.coord_c1)
    response = client_for(world.member_v1a).get(FEED)
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["results"]] == [n.pk for n in reversed(mine)]
    # even the superuser reads only their own feed
    assert client_for(world.superuser).get(FEED).json()["results"] == []
    assert client_for(None).get(FEED).status_code == 401


@pytest.mark.parametrize("ordering", ["id", "created_at", "-id", "read_at"])
def test_the_keyset_feed_keeps_its_order_whatever_ordering_says(world, client_for, ordering):
    mine = [notify(world.member_v1a) for _ in range(3)]
    client = client_for(world.member_v1a)
    first = client.get(FEED, {"ordering": ordering, "page_size": 2}).json()
    assert [n["id"] for n in first["results"]] == [mine[2].pk, mine[1].pk]
    assert [n["id"] for n in client.get(first["next"]).json()["results"]] == [mine[0].pk]


def test_feed_text_follows_accept_language_vietnamese_by_default(world, client_for):
    notify(world.member_v1a)
    client = client_for(world.member_v1a)
    vi = client.get(FEED).json()["results"][0]
    en = client.get(FEED, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (vi["title"], vi["body"]) == ("Nhiệm vụ mới", "Bạn có nhiệm vụ mới: Chia sẻ bài cảnh báo")
    assert (en["title"], en["body"]) == ("New task", "You have a new task: Chia sẻ bài cảnh báo")


@pytest.mark.parametrize("kind, params, vi, en", [
    ("rejected", {"reason": "Thiếu ảnh"}, "Kết quả nhiệm vụ “T” của bạn bị trả lại: Thiếu ảnh",
     "Your work on “T” was sent back: Thiếu ảnh"),
    ("task_cancelled", {}, "Nhiệm vụ “T” đã bị hủy.", "The task “T” was cancelled."),
    ("overdue_digest", {"count": 3}, "3 phân công trong các tổ của bạn đã quá hạn.",
     "3 assignments in your teams are past their deadline."),
    ("overdue_digest", {"count": 1}, "1 phân công trong các tổ của bạn đã quá hạn.",
     "1 assignment in your teams is past its deadline."),
])
def test_every_kind_has_words_in_both_languages(world, client_for, kind, params, vi, en):
    Notification.objects.create(recipient=world.member_v1a, kind=kind, params={"task": "T", **params})
    client = client_for(world.member_v1a)
    assert client.get(FEED).json()["results"][0]["body"] == vi
    assert client.get(FEED, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").json()["results"][0]["body"] == en


def test_deadline_text_shows_the_local_due_time(world, client_for):
    due = timezone.make_aware(timezone.datetime(2026, 3, 10, 17, 0))  # 17:00 in Vietnam
    Notification.objects.create(recipient=world.member_v1a, kind="deadline_2h",
                                params={"task": "T", "due_at": due.isoformat()})
    body = client_for(world.member_v1a).get(FEED, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["body"]
    assert body == "“T” is due at 17:00 10/03/2026."


def test_unread_filter_read_mark_read_all_and_count(world, client_for):
    a, b, c = (notify(world.member_v1a) for _ in range(3))
    other = notify(world.member_v1a_2)
    client = client_for(world.member_v1a)
    assert client.get(f"{FEED}unread-count/").json() == {"count": 3}

    response = client.post(f"{FEED}{b.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    first_read_at = response.json()["read_at"]
    assert client.post(f"{FEED}{b.pk}/read/").json()["read_at"] == first_read_at  # again: unchanged
    assert client.get(f"{FEED}unread-count/").json() == {"count": 2}
    assert {n["id"] for n in client.get(FEED, {"unread": "true"}).json()["results"]} == {a.pk, c.pk}
    assert {n["id"] for n in client.get(FEED, {"unread": "false"}).json()["results"]} == {b.pk}
    assert client.get(FEED, {"unread": "maybe"}).status_code == 400

    # someone else's notification does not exist for the caller
    assert client.post(f"{FEED}{other.pk}/read/").status_code == 404
    assert client.get(f"{FEED}{other.pk}/").status_code == 404

    assert client.post(f"{FEED}read-all/").json() == {"updated": 2}
    assert client.get(f"{FEED}unread-count/").json() == {"count": 0}
    other.refresh_from_db()
    assert other.read_at is None


def test_cursor_pagination_walks_a_deep_feed_without_gaps_or_repeats(world, client_for):
    ids = [notify(world.member_v1a).pk for _ in range(7)]
    client = client_for(world.member_v1a)
    seen, url = [], FEED + "?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [n["id"] for n in page["results"]]
        url = page["next"]
        if len(seen) == 3:
            notify(world.member_v1a)  # a new arrival does not shift the pages being walked
    assert seen == sorted(ids, reverse=True)
    assert client.get(FEED, {"page_size": 0}).status_code == 400
    assert client.get(FEED, {"page_size": 201}).status_code == 400


@pytest.mark.parametrize("page_size", [1, 100])
def test_feed_query_count_does_not_grow_with_page_size(world, client_for, django_assert_max_num_queries,
                                                        page_size):
    task = TaskFactory()
    Notification.objects.bulk_create([Notification(recipient=world.member_v1a, kind="assigned", task=task,
                                                   params={"task": "T"}) for _ in range(120)])
    client = client_for(world.member_v1a)
    # the feed rows, and on PostgreSQL the sync cursor's look at open transactions
    with django_assert_max_num_queries(2):
        response = client.get(FEED, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_feed_delta_sync_returns_changed_rows_and_a_cursor(world, client_for):
    old = notify(world.member_v1a)
    client = client_for(world.member_v1a)
    first = client.get(FEED)
    cursor = first["X-Sync-Cursor"]
    assert cursor.endswith("Z")
    Notification.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    new = notify(world.member_v1a)
    delta = client.get(FEED, {"updated_since": cursor})
    assert [n["id"] for n in delta.json()["results"]] == [new.pk]
    # a read mark changes updated_at, so the read state syncs too
    client.post(f"{FEED}{old.pk}/read/")
    again = client.get(FEED, {"updated_since": delta["X-Sync-Cursor"]}).json()["results"]
    assert {n["id"] for n in again} >= {old.pk}
    assert client.get(FEED, {"updated_since": "yesterday"}).status_code == 400
    assert client.get(FEED, {"updated_since": "2026-03-10T10:00:00"}).status_code == 400  # no zone


def test_register_device_is_idempotent_and_moves_a_token_to_the_new_owner(world, client_for):
    mine = client_for(world.member_v1a)
    response = mine.post("/api/v1/devices/", {"token": "fcm-token-1", "platform": "android"},
                         HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201
    device_id = response.json()["id"]
    assert response.json()["language"] == "en"
    again = mine.post("/api/v1/devices/", {"token": "fcm-token-1", "platform": "android"})
    assert again.status_code == 200 and again.json()["id"] == device_id
    assert Device.objects.count() == 1

    # the phone is handed to another member who logs in: the token now pushes to them
    theirs = client_for(world.member_v1a_2).post("/api/v1/devices/", {"token": "fcm-token-1", "platform": "ios"})
    assert theirs.status_code == 200 and theirs.json()["id"] == device_id
    device = Device.objects.get()
    assert device.member == world.member_v1a_2 and device.platform == "ios"


@pytest.mark.parametrize("body, field", [
    ({"token": "t"}, "platform"),
    ({"token": "t", "platform": "symbian"}, "platform"),
    ({"platform": "web"}, "token"),
    ({"token": "x" * 513, "platform": "web"}, "token"),
])
def test_register_device_bad_input_is_400_naming_the_field(world, client_for, body, field):
    response = client_for(world.member_v1a).post("/api/v1/devices/", body)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_delete_device_own_only(world, client_for):
    mine = Device.objects.create(member=world.member_v1a, token="a", platform="android")
    theirs = Device.objects.create(member=world.member_v1a_2, token="b", platform="android")
    client = client_for(world.member_v1a)
    assert client.delete(f"/api/v1/devices/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/devices/{mine.pk}/").status_code == 204
    assert list(Device.objects.values_list("token", flat=True)) == ["b"]
    assert client_for(None).delete(f"/api/v1/devices/{theirs.pk}/").status_code == 401


def test_a_new_assignment_reaches_the_feed_end_to_end(world, client_for, django_capture_on_commit_callbacks):
    a = AssignmentFactory(task=TaskFactory(team=world.v1a, title="Đăng bài"), assignee=world.member_v1a,
                          team=world.v1a)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_assigned(assignment_ids=[a.pk])
    item = client_for(world.member_v1a).get(FEED).json()["results"][0]
    assert item["kind"] == "assigned" and item["assignment"] == a.pk and item["task"] == a.task_id
    assert item["is_read"] is False
