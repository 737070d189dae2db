"""ETag on detail GETs with If-None-Match -> 304, and If-Match on PATCH -> 412 when stale."""
import pytest

from notifications.models import Notification
from teams.models import Team

pytestmark = pytest.mark.django_db


def url(team):
    return f"/api/v1/teams/{team.pk}/"


def test_detail_get_sends_an_etag_and_if_none_match_gives_304(world, client_for):
    client = client_for(world.coord_c1)
    first = client.get(url(world.v1a))
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    cached = client.get(url(world.v1a), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached.content == b"" and cached["ETag"] == etag
    # a weak copy of the same tag, or one of several, matches too
    assert client.get(url(world.v1a), HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(url(world.v1a), HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_the_etag_changes_when_what_the_client_sees_changes(world, client_for):
    client = client_for(world.coord_c1)
    etag = client.get(url(world.v1a))["ETag"]
    Team.objects.filter(pk=world.v1a.pk).update(name="Thôn Một")
    changed = client.get(url(world.v1a), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["name"] == "Thôn Một"
    assert changed["ETag"] != etag


def test_an_etag_never_leaks_what_another_caller_may_not_see(world, client_for):
    etag = client_for(world.coord_c1).get(url(world.v1a))["ETag"]
    # out of scope stays 404 even with a matching tag
    assert client_for(world.coord_c2).get(url(world.v1a), HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_other_detail_gets_have_etags_too(world, client_for):
    n = Notification.objects.create(recipient=world.member_v1a, kind="assigned", params={"task": "T"})
    client = client_for(world.member_v1a)
    etag = client.get(f"/api/v1/notifications/{n.pk}/")["ETag"]
    assert client.get(f"/api/v1/notifications/{n.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    etag = client.get("/api/v1/me/")["ETag"]
    assert client.get("/api/v1/me/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_patch_with_the_current_etag_succeeds_and_a_stale_one_is_412(world, client_for):
    client = client_for(world.coord_c1)
    etag = client.get(url(world.v1a))["ETag"]
    ok = client.patch(url(world.v1a), {"name": "Thôn 1A"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    # the response of the PATCH carries the new representation's tag
    new_etag = client.get(url(world.v1a))["ETag"]
    assert new_etag != etag

    stale = client.patch(url(world.v1a), {"name": "Thôn 1B"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    world.v1a.refresh_from_db()
    assert world.v1a.name == "Thôn 1A"  # nothing written

    assert client.patch(url(world.v1a), {"name": "Thôn 1C"}, format="json",
                        HTTP_IF_MATCH=new_etag).status_code == 200
    assert client.patch(url(world.v1a), {"name": "Thôn 1D"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    # If-Match compares strongly: a weak tag never matches
    current = client.get(url(world.v1a))["ETag"]
    assert client.patch(url(world.v1a), {"name": "X"}, format="json",
                        HTTP_IF_MATCH=f"W/{current}").status_code == 412
    # without If-Match the write goes ahead (the header is optional)
    assert client.patch(url(world.v1a), {"name": "Thôn 1E"}, format="json").status_code == 200


def test_scope_and_role_are_decided_before_the_precondition(world, client_for):
    assert client_for(world.coord_c2).patch(url(world.v1a), {"name": "X"}, format="json",
                                            HTTP_IF_MATCH='"stale"').status_code == 404
    assert client_for(world.member_v1a).patch(url(world.v1a), {"name": "X"}, format="json",
                                              HTTP_IF_MATCH='"stale"').status_code == 403


def test_stale_message_in_both_languages(world, client_for):
    client = client_for(world.coord_c1)
    vi = client.patch(url(world.v1a), {"name": "X"}, format="json", HTTP_IF_MATCH='"stale"').json()["detail"]
    en = client.patch(url(world.v1a), {"name": "X"}, format="json", HTTP_IF_MATCH='"stale"',
                      HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert vi == "Đối tượng đã thay đổi kể từ khi bạn đọc; hãy tải lại rồi thử lại."
    assert en == "The object changed since you read it; fetch it again and retry."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_etag_one_wins_the_other_gets_412(world, run_together, monkeypatch):
    import time

    from rest_framework.test import APIClient

    from teams import services as team_services

    real = team_services.team_update

    def slow_update(**kwargs):
        time.sleep(0.5)  # the second writer arrives while the first is still writing
        return real(**kwargs)

    monkeypatch.setattr(team_services, "team_update", slow_update)
    reader = APIClient()
    reader.force_authenticate(world.coord_c1)
    etag = reader.get(url(world.v1a))["ETag"]

    def write(name):
        def call():
            client = APIClient()
            client.force_authenticate(world.coord_c1)
            return client.patch(url(world.v1a), {"name": name}, format="json", HTTP_IF_MATCH=etag)
        return call

    first, second = run_together(write("Thôn A"), write("Thôn B"))
    assert sorted([first.status_code, second.status_code]) == [200, 412]
    winner = "Thôn A" if first.status_code == 200 else "Thôn B"
    world.v1a.refresh_from_db()
    assert world.v1a.name == winner
