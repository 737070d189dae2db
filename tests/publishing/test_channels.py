"""Channels: who registers, reads and logs posts; what a channel can never be."""
import pytest
from django.utils import timezone

from publishing.models import Channel, ChannelPost

pytestmark = pytest.mark.django_db

BODY = {"platform": "facebook", "name": "Trang Thôn 1", "kind": "group", "url": "https://facebook.com/groups/thon1"}


def test_a_coordinator_registers_the_teams_page_with_managers(world, client_for):
    response = client_for(world.coord_c1).post("/api/v1/channels/", {
        **BODY, "team": world.v1a.pk, "posts_per_day_target": 3, "managers": [world.member_v1a.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["team"] == world.v1a.pk and body["managers"] == [world.member_v1a.pk]
    assert body["posts_per_day_target"] == 3 and body["is_active"] is True and body["kind"] == "group"


@pytest.mark.parametrize("who", ["member_v1a", "observer_district"])
def test_members_and_observers_cannot_register_a_channel_whatever_the_body(world, client_for, who):
    response = client_for(getattr(world, who)).post("/api/v1/channels/", {"nonsense": 1}, format="json")
    assert response.status_code == 403


def test_a_team_outside_the_coordinators_reach_is_a_400_on_team(world, client_for):
    response = client_for(world.coord_c1).post("/api/v1/channels/", {**BODY, "team": world.c2.pk}, format="json")
    assert response.status_code == 400 and "team" in response.json()["errors"]


@pytest.mark.parametrize("url", ["https://www.facebook.com/profile.php?id=100012345", "https://zalo.me/0912345678",
                                 "https://facebook.com/people/Nguyen-Van-A/1000"])
def test_a_channel_is_never_a_persons_own_account(world, client_for, url):
    response = client_for(world.coord_c1).post("/api/v1/channels/", {**BODY, "team": world.c1.pk, "url": url},
                                               format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "person" in response.json()["errors"]["url"][0]
    assert not Channel.objects.exists()


def test_one_page_is_registered_once(world, client_for, page_c1):
    response = client_for(world.coord_district).post(
        "/api/v1/channels/", {**BODY, "team": world.c2.pk, "url": page_c1.url}, format="json")
    assert response.status_code == 400 and "url" in response.json()["errors"]


def test_managers_hold_a_role_in_the_channels_subtree(world, client_for):
    response = client_for(world.coord_district).post(
        "/api/v1/channels/", {**BODY, "team": world.c1.pk, "managers": [world.member_v2a.pk]}, format="json")
    assert response.status_code == 400 and "managers" in response.json()["errors"]


def test_the_team_of_a_channel_does_not_change(world, client_for, page_c1):
    response = client_for(world.coord_c1).patch(f"/api/v1/channels/{page_c1.pk}/", {"team": world.v1a.pk},
                                                format="json")
    assert response.status_code == 400 and "team" in response.json()["errors"]


def _ids(client, url="/api/v1/channels/"):
    return {row["id"] for row in client.get(url, {"page_size": 200}).json()["results"]}


def test_who_reads_which_channels_down_and_up_the_tree_never_sideways(world, client_for, page_c1, page_district,
                                                                      page_c2):
    page_v2a = Channel.objects.create(team=world.v2a, platform="zalo", kind="group", name="Thôn 4",
                                      url="https://zalo.me/g/thon4")
    everything = {page_c1.pk, page_district.pk, page_c2.pk, page_v2a.pk}
    expected = {
        "member_v1a": {page_c1.pk, page_district.pk},       # own teams and above
        "member_v1b": {page_c1.pk, page_district.pk},       # manages page_c1 as well
        "member_v2a": {page_c2.pk, page_v2a.pk, page_district.pk},
        "coord_c1": {page_c1.pk, page_district.pk},         # its subtree, and above
        "coord_c2": {page_c2.pk, page_v2a.pk, page_district.pk},
        "observer_district": everything,
        "coord_other_district": set(),
        "outsider": set(),
        "superuser": everything,
    }
    for name, ids in expected.items():
        assert _ids(client_for(getattr(world, name))) == ids, name


def test_a_manager_below_the_channels_team_reads_and_logs_it(world, client_for, page_c1):
    client = client_for(world.member_v1b)
    response = client.post(f"/api/v1/channels/{page_c1.pk}/posts/",
                           {"url": "https://facebook.com/tamthang.today/posts/11", "note": "Tin sáng"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["created_by"] == world.member_v1b.pk and response.json()["assignment"] is None
    assert client.get(f"/api/v1/channels/{page_c1.pk}/posts/").json()["results"][0]["note"] == "Tin sáng"


def test_readers_who_do_not_manage_the_channel_cannot_log_posts_whatever_the_body(world, client_for, page_c1):
    for who in ("member_v1a", "observer_district"):
        response = client_for(getattr(world, who)).post(f"/api/v1/channels/{page_c1.pk}/posts/", {"x": 1},
                                                        format="json")
        assert response.status_code == 403, who
    assert client_for(world.coord_c2).post(f"/api/v1/channels/{page_c1.pk}/posts/", {}, format="json"
                                           ).status_code == 404


def test_an_inactive_channel_takes_no_posts_and_a_post_is_not_dated_ahead(world, client_for, page_c1):
    client = client_for(world.coord_c1)
    ahead = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    response = client.post(f"/api/v1/channels/{page_c1.pk}/posts/",
                           {"url": "https://facebook.com/p/1", "published_at": ahead}, format="json")
    assert response.status_code == 400 and "published_at" in response.json()["errors"]
    assert client.patch(f"/api/v1/channels/{page_c1.pk}/", {"is_active": False}, format="json").status_code == 200
    response = client.post(f"/api/v1/channels/{page_c1.pk}/posts/", {"url": "https://facebook.com/p/1"},
                           format="json")
    assert response.status_code == 409 and response.json()["code"] == "channel_inactive"
    assert not ChannelPost.objects.exists()
