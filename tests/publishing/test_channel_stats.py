"""GET /teams/{id}/stats/channels/: posts against targets, by Asia/Ho_Chi_Minh days."""
from datetime import date, datetime, timezone as dt_timezone

import pytest

from publishing.models import Channel, ChannelPost
from publishing.services import local_day

pytestmark = pytest.mark.django_db


def _post(channel, when_utc):
    return ChannelPost.objects.create(channel=channel, url="https://facebook.com/p", published_at=when_utc,
                                      published_on=local_day(when_utc))


def _utc(*args):
    return datetime(*args, tzinfo=dt_timezone.utc)


def test_days_on_target_count_local_days(world, client_for, page_c1, page_c2):
    # Target 2 a day. Local (UTC+7) 1 Dec: 16:59 UTC on 1 Dec is still 1 Dec, 17:00 UTC is 2 Dec.
    _post(page_c1, _utc(2026, 11, 30, 17, 0))   # 1 Dec 00:00 local
    _post(page_c1, _utc(2026, 12, 1, 16, 59))   # 1 Dec 23:59 local  -> 1 Dec: 2 posts, on target
    _post(page_c1, _utc(2026, 12, 1, 17, 0))    # 2 Dec 00:00 local  -> 2 Dec: 1 post
    _post(page_c1, _utc(2026, 12, 3, 17, 0))    # 4 Dec local: outside the range
    _post(page_c2, _utc(2026, 12, 1, 3, 0))     # 1 Dec, target 1: on target
    response = client_for(world.coord_district).get(
        f"/api/v1/teams/{world.district.pk}/stats/channels/", {"since": "2026-12-01", "until": "2026-12-03"})
    assert response.status_code == 200, response.json()
    rows = {row["channel"]["id"]: row for row in response.json()["results"]}
    assert rows[page_c1.pk] == {"channel": {"id": page_c1.pk, "name": page_c1.name, "platform": "facebook"},
                                "posts": 3, "days": 3, "target_per_day": 2, "days_on_target": 1,
                                "on_target_rate": round(1 / 3, 4)}
    assert rows[page_c2.pk]["posts"] == 1 and rows[page_c2.pk]["days_on_target"] == 1


def test_only_the_subtrees_channels_and_a_target_of_zero(world, client_for, page_c1, page_c2):
    Channel.objects.filter(pk=page_c1.pk).update(posts_per_day_target=0)
    response = client_for(world.coord_c1).get(f"/api/v1/teams/{world.c1.pk}/stats/channels/",
                                              {"since": "2026-11-01", "until": "2026-11-10"})
    rows = response.json()["results"]
    assert [r["channel"]["id"] for r in rows] == [page_c1.pk]
    assert rows[0]["days"] == 10 and rows[0]["days_on_target"] == 10 and rows[0]["on_target_rate"] == 1.0


def test_members_get_403_and_other_subtrees_404(world, client_for, page_c1):
    assert client_for(world.member_v1a).get(f"/api/v1/teams/{world.c1.pk}/stats/channels/").status_code == 403
    assert client_for(world.coord_c2).get(f"/api/v1/teams/{world.c1.pk}/stats/channels/").status_code == 404


def test_bad_ranges_are_400(world, client_for):
    client = client_for(world.coord_c1)
    url = f"/api/v1/teams/{world.c1.pk}/stats/channels/"
    assert client.get(url, {"since": "2026-12-02", "until": "2026-12-01"}).status_code == 400
    assert client.get(url, {"since": "2024-01-01", "until": "2026-01-01"}).status_code == 400
    assert client.get(url, {"since": "0001-01-01"}).status_code in (200, 400)


def test_csv_has_the_same_numbers(world, client_for, page_c1):
    _post(page_c1, _utc(2026, 12, 1, 3, 0))
    response = client_for(world.coord_c1).get(f"/api/v1/teams/{world.c1.pk}/stats/channels/",
                                              {"since": "2026-12-01", "until": "2026-12-01", "format": "csv"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("channel.id,channel.name") and lines[1].split(",")[3:] == ["1", "1", "2", "0", "0.0"]


def test_the_default_range_is_the_30_days_up_to_today(world, client_for, page_c1):
    rows = client_for(world.coord_c1).get(f"/api/v1/teams/{world.c1.pk}/stats/channels/").json()["results"]
    assert rows[0]["days"] == 30
    assert date.today()  # the range is local days; computed by the server


def test_posts_logged_through_the_api_and_from_tasks_carry_their_local_day(world, client_for, page_c1):
    response = client_for(world.coord_c1).post(f"/api/v1/channels/{page_c1.pk}/posts/", {
        "url": "https://facebook.com/p/9", "published_at": "2026-11-30T17:30:00Z"}, format="json")
    assert response.status_code == 201
    assert str(ChannelPost.objects.get().published_on) == "2026-12-01"
