"""Joining in the console: a coordinator's invites (with the QR code of their link) and join
requests, and the page an invite's link opens; the rules are teams.joining's, as in the API."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from teams import joining
from teams.models import Invite, JoinRequest, Member, Membership
from tests.factories import PASSWORD

from .conftest import text

pytestmark = pytest.mark.django_db

INVITES = "/console/invites/"
REQUESTS = "/console/join-requests/"
NEW_PASSWORD = "mat-khau-dai-2026"


def _invite(world, team=None, actor=None, **fields):
    return joining.invite_create(team=team or world.v1a, actor=actor or world.coord_c1, **fields)


def _pending(world, team=None, actor=None, phone="0912000555", name="Người Xin Vào"):
    invite = _invite(world, team, actor)
    return joining.join_register(code=invite.code, phone=phone, full_name=name, password=NEW_PASSWORD)


class TestInvites:
    def test_a_coordinator_makes_one_and_sees_its_link_and_qr_code(self, world, browse):
        client = browse(world.coord_c1)
        response = client.post(INVITES, {"team": world.v1a.pk, "max_uses": "20", "expires_at": ""})
        assert response.status_code == 302 and response["Location"] == INVITES
        invite = Invite.objects.get()
        assert (invite.team, invite.max_uses, invite.created_by, invite.expires_at) == (
            world.v1a, 20, world.coord_c1, None)
        page = text(client.get(INVITES))
        assert "Đã tạo lời mời vào Thôn 1" in page
        assert f"<code>{invite.code}</code>" in page and f"http://testserver/join/{invite.code}" in page
        assert '<svg width="' in page and 'class="qr"' in page and "<script" not in page
        assert "Mã QR của lời mời vào Thôn 1" in page  # the QR code's title, for screen readers

    def test_the_qr_code_holds_the_link(self, world, browse, settings):
        settings.INVITE_URL_TEMPLATE = "https://app.example.org/j/{code}"
        invite = _invite(world)
        page = text(browse(world.coord_c1).get(INVITES))
        assert str(joining.invite_url(invite)) == f"https://app.example.org/j/{invite.code}"
        from console.joining_pages import qr_svg

        assert qr_svg(joining.invite_url(invite), "Mã QR của lời mời vào Thôn 1") in page

    def test_the_page_in_english(self, world, browse):
        _invite(world)
        page = text(browse(world.coord_c1, lang="en").get(INVITES))
        assert "<h1>Invites</h1>" in page and "Make the invite" in page and "Revoke" in page

    def test_the_team_picker_offers_only_the_coordinators_active_teams(self, world, browse):
        from teams.models import Team

        Team.objects.filter(pk=world.v1b.pk).update(is_active=False)
        page = text(browse(world.coord_c1).get(INVITES))
        assert f'value="{world.v1a.pk}"' in page and f'value="{world.c1.pk}"' in page
        assert f'value="{world.v1b.pk}"' not in page and f'value="{world.v2a.pk}"' not in page

    @pytest.mark.parametrize("lang, body, message", [
        (None, {"max_uses": "0"}, "Đảm bảo giá trị này lớn hơn hoặc bằng với 1"),
        ("en", {"max_uses": "0"}, "Ensure this value is greater than or equal to 1."),
        (None, {"expires_at": "2001-01-01T08:00"}, "Thời hạn phải ở trong tương lai."),
        ("en", {"expires_at": "2001-01-01T08:00"}, "The expiry must lie in the future."),
    ])
    def test_form_errors_in_both_languages(self, world, browse, lang, body, message):
        response = browse(world.coord_c1, lang=lang).post(INVITES, {"team": world.v1a.pk, **body})
        assert response.status_code == 400 and message in text(response)
        assert not Invite.objects.exists()

    def test_a_team_outside_the_coordinators_subtrees_is_refused(self, world, browse):
        response = browse(world.coord_c1).post(INVITES, {"team": world.v2a.pk})
        assert response.status_code == 400 and not Invite.objects.exists()

    def test_only_the_invites_of_ones_subtrees_are_listed(self, world, browse):
        mine, theirs = _invite(world), _invite(world, world.v2a, world.coord_c2)
        page = text(browse(world.coord_c1).get(INVITES))
        assert mine.code in page and theirs.code not in page
        assert theirs.code in text(browse(world.coord_district).get(INVITES))

    def test_revoke_ends_the_code_and_its_qr_code_goes(self, world, browse):
        invite = _invite(world)
        client = browse(world.coord_v1a)
        response = client.post(f"{INVITES}{invite.pk}/revoke/")
        assert response.status_code == 302
        invite.refresh_from_db()
        assert invite.revoked_at is not None and not joining.invite_is_usable(invite)
        page = text(client.get(INVITES))
        assert "Đã thu hồi" in page and 'class="qr"' not in page
        assert browse().get(f"/console/join/{invite.code}/").status_code == 404

    def test_the_sibling_subtrees_invite_is_the_404_page_and_a_member_gets_the_403_page(self, world, browse):
        theirs = _invite(world, world.v2a, world.coord_c2)
        assert browse(world.coord_c1).post(f"{INVITES}{theirs.pk}/revoke/").status_code == 404
        assert browse(world.member_v1a).get(INVITES).status_code == 403
        assert browse(world.member_v1a).post(f"{INVITES}{_invite(world).pk}/revoke/").status_code == 403
        assert browse(world.observer_district).post(INVITES, {"team": world.v1a.pk}).status_code == 403
        theirs.refresh_from_db()
        assert theirs.revoked_at is None

    def test_an_expired_or_used_up_invite_shows_no_qr_code(self, world, browse):
        used_up = _invite(world, max_uses=1)
        joining.join_register(code=used_up.code, phone="0912000556", full_name="A", password=NEW_PASSWORD)
        expiring = _invite(world, expires_at=timezone.now() + timedelta(minutes=1))
        Invite.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        page = text(browse(world.coord_c1).get(INVITES))
        assert page.count("Không còn dùng được") == 2 and 'class="qr"' not in page


class TestJoinRequests:
    def test_the_coordinator_sees_the_waiting_ones_and_who_is_already_a_member(self, world, browse):
        newcomer = _pending(world)
        existing = _pending(world, phone=world.member_v1b.phone, name="Đỗ Thị Hoa")
        theirs = _pending(world, world.v2a, world.coord_c2, phone="0912000557", name="Người Nam Dong")
        page = text(browse(world.coord_c1).get(REQUESTS))
        assert newcomer.full_name in page and "Đỗ Thị Hoa" in page and theirs.full_name not in page
        assert page.count("Đã là thành viên ở nơi khác trong mạng lưới") == 1
        assert f'action="{REQUESTS}{existing.pk}/approve/"' in page
        english = text(browse(world.coord_c1, lang="en").get(REQUESTS))
        assert "Already a member elsewhere in the network" in english and "Approve" in english

    def test_approve_with_a_role_makes_a_member_who_logs_in(self, world, browse):
        pending = _pending(world)
        response = browse(world.coord_v1a).post(f"{REQUESTS}{pending.pk}/approve/", {"role": "coordinator"})
        assert response.status_code == 302 and response["Location"] == REQUESTS
        member = Member.objects.get(phone="+84912000555")
        assert list(Membership.objects.filter(member=member).values_list("team_id", "role")) == [
            (world.v1a.pk, "coordinator")]
        login = APIClient().post("/api/v1/auth/token/", {"phone": "0912000555", "password": NEW_PASSWORD},
                                 format="json")
        assert login.status_code == 200
        page = text(browse(world.coord_v1a).get(REQUESTS, {"status": "approved"}))
        assert "Người Xin Vào" in page and world.coord_v1a.full_name in page

    def test_an_unknown_role_is_a_form_error(self, world, browse):
        pending = _pending(world)
        response = browse(world.coord_c1, lang="en").post(f"{REQUESTS}{pending.pk}/approve/", {"role": "owner"})
        assert response.status_code == 400 and "Select a valid choice" in text(response)
        pending.refresh_from_db()
        assert pending.status == "pending"

    @pytest.mark.parametrize("lang, message", [(None, "Trường này là bắt buộc."), ("en", "This field is required.")])
    def test_decline_needs_a_reason_in_both_languages(self, world, browse, lang, message):
        pending = _pending(world)
        response = browse(world.coord_c1, lang=lang).post(f"{REQUESTS}{pending.pk}/decline/", {"reason": ""})
        assert response.status_code == 400 and message in text(response)

    def test_decline_with_a_reason(self, world, browse):
        pending = _pending(world)
        client = browse(world.coord_c1)
        assert client.post(f"{REQUESTS}{pending.pk}/decline/", {"reason": "Không ở thôn này"}).status_code == 302
        pending.refresh_from_db()
        assert (pending.status, pending.reason, pending.decided_by) == ("declined", "Không ở thôn này",
                                                                        world.coord_c1)
        assert "Không ở thôn này" in text(client.get(REQUESTS, {"status": "declined"}))
        # decided is decided: a second decision is a message, not a change
        again = client.post(f"{REQUESTS}{pending.pk}/approve/", {"role": "member"}, follow=True)
        assert "Yêu cầu tham gia này đã được quyết định." in text(again)
        assert not Member.objects.filter(phone="+84912000555").exists()

    def test_the_sibling_subtrees_request_is_the_404_page_and_others_get_the_403_page(self, world, browse):
        theirs = _pending(world, world.v2a, world.coord_c2)
        mine = _pending(world, phone="0912000558")
        assert browse(world.coord_c1).post(f"{REQUESTS}{theirs.pk}/approve/", {"role": "member"}).status_code == 404
        assert browse(world.coord_c1).post(f"{REQUESTS}{theirs.pk}/decline/", {"reason": "x"}).status_code == 404
        # the village's coordinator does not reach a request to the commune above
        above = _pending(world, world.c1, phone="0912000559")
        assert browse(world.coord_v1a).post(f"{REQUESTS}{above.pk}/approve/",
                                            {"role": "member"}).status_code == 404
        for person in (world.member_v1a, world.observer_district):
            assert browse(person).get(REQUESTS).status_code == 403
            assert browse(person).post(f"{REQUESTS}{mine.pk}/approve/", {"role": "member"}).status_code == 403
        assert JoinRequest.objects.filter(status="pending").count() == 3

    def test_nobody_decides_their_own_request(self, world, browse):
        own = _pending(world, actor=world.coord_v1a, phone=world.coord_c1.phone, name=world.coord_c1.full_name)
        response = browse(world.coord_c1).post(f"{REQUESTS}{own.pk}/approve/", {"role": "coordinator"})
        assert response.status_code == 403 and "Không được phép" in text(response)
        own.refresh_from_db()
        assert own.status == "pending"


class TestJoinPage:
    def test_the_link_opens_the_registration_page(self, world, client):
        invite = _invite(world)
        response = client.get(f"/join/{invite.code}")
        assert response.status_code == 302 and response["Location"] == f"/console/join/{invite.code}/"
        page = text(client.get(response["Location"]))
        assert "Xin tham gia Thôn 1" in page and 'name="password"' in page

    def test_registering_is_a_pending_request_and_no_login_yet(self, world, browse):
        invite = _invite(world)
        client = browse()
        response = client.post(f"/console/join/{invite.code}/", {"full_name": "Người Mới", "phone": "0912000560",
                                                                  "password": NEW_PASSWORD}, follow=True)
        assert response.redirect_chain[0] == ("/console/login/", 302)
        assert "Người điều phối của Thôn 1 sẽ xem yêu cầu của bạn" in text(response)
        request = JoinRequest.objects.get()
        assert (request.team, request.status, request.existing_member) == (world.v1a, "pending", False)
        invite.refresh_from_db()
        assert invite.uses == 1
        assert client.post("/console/login/", {"phone": "0912000560", "password": NEW_PASSWORD}).status_code == 400

    def test_a_registered_phone_gets_the_same_answer(self, world, browse):
        invite = _invite(world, world.v2a, world.coord_c2)
        answers = []
        for phone in ("0912000561", world.member_v1a.phone):
            response = browse().post(f"/console/join/{invite.code}/", {"full_name": "Ai Đó", "phone": phone,
                                                                        "password": NEW_PASSWORD})
            answers.append((response.status_code, response["Location"]))
        assert answers[0] == answers[1] == (302, "/console/login/")
        existing = JoinRequest.objects.get(member=world.member_v1a)
        assert existing.existing_member and not existing.password
        world.member_v1a.refresh_from_db()
        assert world.member_v1a.check_password(PASSWORD)  # the password sent is ignored

    @pytest.mark.parametrize("lang, message", [(None, "Mật khẩu này quá ngắn"), ("en", "This password is too short")])
    def test_a_weak_password_is_a_form_error_in_both_languages(self, world, browse, lang, message):
        invite = _invite(world)
        response = browse(lang=lang).post(f"/console/join/{invite.code}/",
                                          {"full_name": "A", "phone": "0912000562", "password": "abc"})
        assert response.status_code == 400 and message in text(response)
        assert not JoinRequest.objects.exists()

    def test_failures_are_throttled_like_logins(self, world, browse, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "user": "600/min", "anon": "60/min", "login_phone": "3/hour", "login_address": "30/min"}}
        invite = _invite(world)
        body = {"full_name": "A", "phone": world.member_v1a.phone, "password": "abc"}
        for _ in range(3):
            assert browse().post(f"/console/join/{invite.code}/", body).status_code == 400
        refused = browse().post(f"/console/join/{invite.code}/", {**body, "password": NEW_PASSWORD})
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert not JoinRequest.objects.exists()

    def test_a_bad_code_is_the_404_page(self, world, browse):
        response = browse().get("/console/join/no-such-code/")
        assert response.status_code == 404 and "Không tìm thấy" in text(response)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page, api", [(INVITES, None), (REQUESTS, "/api/v1/join-requests/?status=pending")])
def test_the_pages_cost_no_query_per_row_and_at_most_three_more_than_the_api(world, browse, page, api):
    client = browse(world.coord_c1)
    _pending(world)
    few = _count(client, page)
    for n in range(12):
        _pending(world, phone=f"09120006{n:02d}")
    assert _count(client, page) == few
    if api:
        rest = APIClient()
        rest.force_authenticate(world.coord_c1)
        assert few <= _count(rest, api) + 1 + 3  # +1: a real token's user lookup
