"""Joining (issue 10, point 3): invites, registration with a code, join requests and their decision."""
import json
import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from teams.models import Invite, JoinRequest, Member, Membership, Team
from tests.factories import PASSWORD

LOGIN = "/api/v1/auth/token/"
REGISTER = "/api/v1/auth/register/"
JOIN_REQUESTS = "/api/v1/join-requests/"
NEW_PASSWORD = "river-lantern-42-moss"


def invites_url(team):
    return f"/api/v1/teams/{team.pk}/invites/"


def make_invite(client_for, coordinator, team, **body):
    response = client_for(coordinator).post(invites_url(team), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def register(code, phone="0912000777", full_name="Nguyễn Văn Mới", password=NEW_PASSWORD, address="203.0.113.5"):
    return APIClient().post(REGISTER, {"code": code, "phone": phone, "full_name": full_name, "password": password},
                            format="json", REMOTE_ADDR=address)


def login(phone, password):
    return APIClient().post(LOGIN, {"phone": phone, "password": password}, format="json")


@pytest.mark.django_db
class TestInvites:
    def test_a_coordinator_creates_one_with_a_random_code_and_a_link(self, world, client_for):
        first = make_invite(client_for, world.coord_c1, world.v1a, max_uses=3)
        second = make_invite(client_for, world.coord_c1, world.v1a)
        assert set(first) >= {"id", "code", "url", "team", "expires_at", "max_uses", "uses"}
        assert first["team"] == world.v1a.pk and first["max_uses"] == 3 and first["uses"] == 0
        assert len(first["code"]) >= 8 and first["code"] != second["code"]
        # random (secrets.token_urlsafe): 12 URL-safe characters, not the id or a count of invites
        assert re.fullmatch(r"[A-Za-z0-9_-]{12}", first["code"]) and not first["code"].isdigit()
        assert first["url"].endswith(first["code"])
        listed = client_for(world.coord_c1).get(invites_url(world.v1a)).json()["results"]
        assert [i["id"] for i in listed] == [second["id"], first["id"]]

    def test_the_link_follows_the_setting(self, world, client_for, settings):
        settings.INVITE_URL_TEMPLATE = "https://app.example.org/join/{code}"
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        assert invite["url"] == f"https://app.example.org/join/{invite['code']}"

    @pytest.mark.parametrize("body, field", [
        ({"expires_at": "2001-01-01T00:00:00+07:00"}, "expires_at"),
        ({"max_uses": 0}, "max_uses"),
        ({"expires_at": "0001-01-01T00:00:00+14:00"}, "expires_at"),
    ])
    def test_bad_bodies_are_a_400_on_the_field(self, world, client_for, body, field):
        response = client_for(world.coord_c1).post(invites_url(world.v1a), body, format="json")
        assert response.status_code == 400 and field in response.json()["errors"]

    def test_only_coordinators_of_the_team_or_above(self, world, client_for):
        assert client_for(world.member_v1a).post(invites_url(world.v1a), {}, format="json").status_code == 403
        assert client_for(world.coord_c2).post(invites_url(world.v1a), {}, format="json").status_code == 404
        assert client_for(world.coord_v1a).post(invites_url(world.c1), {}, format="json").status_code == 404
        assert client_for(world.coord_district).post(invites_url(world.v1a), {}, format="json").status_code == 201

    def test_revoke_ends_the_code_at_once(self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        response = client_for(world.coord_v1a).post(f"/api/v1/invites/{invite['id']}/revoke/")
        assert response.status_code == 200 and response.json()["revoked_at"]
        assert response.json()["is_usable"] is False
        assert register(invite["code"]).status_code == 400
        assert client_for(world.coord_c2).post(f"/api/v1/invites/{invite['id']}/revoke/").status_code == 404

    def test_an_inactive_team_takes_no_invites(self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        Team.objects.filter(pk=world.v1a.pk).update(is_active=False)
        response = client_for(world.coord_c1).post(invites_url(world.v1a), {}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "team_inactive"
        assert register(invite["code"]).status_code == 400


@pytest.mark.django_db
class TestRegister:
    def test_a_registration_is_a_pending_join_request_and_uses_the_code_once(self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1a, max_uses=2)
        response = register(invite["code"])
        assert response.status_code == 201, response.content
        body = response.json()
        assert body == {"id": body["id"], "status": "pending", "team": world.v1a.pk}
        assert Invite.objects.get(pk=invite["id"]).uses == 1
        assert not Member.objects.filter(phone="+84912000777").exists()
        # A pending person cannot log in: the same 401 as a wrong password.
        pending = login("0912000777", NEW_PASSWORD)
        wrong = login(world.member_v1a.phone, "not-the-password")
        assert pending.status_code == wrong.status_code == 401 and pending.json() == wrong.json()

    def test_a_used_up_an_expired_or_a_wrong_code_is_a_400_on_code(self, world, client_for):
        used_up = make_invite(client_for, world.coord_c1, world.v1a, max_uses=1)
        assert register(used_up["code"]).status_code == 201
        expiring = make_invite(client_for, world.coord_c1, world.v1a,
                               expires_at=(timezone.now() + timedelta(minutes=5)).isoformat())
        Invite.objects.filter(pk=expiring["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
        for code in (used_up["code"], expiring["code"], "no-such-code", ""):
            response = register(code, phone="0912000778")
            assert response.status_code == 400 and "code" in response.json()["errors"], code
        assert Invite.objects.get(pk=used_up["id"]).uses == 1

    def test_a_registered_phone_gets_the_same_answer_and_its_password_is_ignored(self, world, client_for):
        invite = make_invite(client_for, world.coord_c2, world.v2a)
        new = register(invite["code"], phone="0912000779")
        existing = register(invite["code"], phone=world.member_v1a.phone, password="some-other-pass-99")
        assert new.status_code == existing.status_code == 201
        assert set(new.json()) == set(existing.json()) and existing.json()["status"] == "pending"
        request = JoinRequest.objects.get(pk=existing.json()["id"])
        assert request.existing_member and request.member_id == world.member_v1a.pk and not request.password
        listed = client_for(world.coord_c2).get(JOIN_REQUESTS, {"status": "pending"}).json()["results"]
        flags = {r["id"]: r["existing_member"] for r in listed}
        assert flags == {new.json()["id"]: False, existing.json()["id"]: True}
        approved = client_for(world.coord_c2).post(f"{JOIN_REQUESTS}{request.pk}/approve/", {}, format="json")
        assert approved.status_code == 200 and approved.json()["id"] == world.member_v1a.pk
        assert Membership.objects.filter(member=world.member_v1a, team=world.v2a, role="member").exists()
        assert login(world.member_v1a.phone, PASSWORD).status_code == 200
        assert login(world.member_v1a.phone, "some-other-pass-99").status_code == 401

    @pytest.mark.parametrize("who", ["new", "existing"])
    def test_a_weak_password_is_a_400_for_everyone(self, world, client_for, who):
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        phone = "0912000780" if who == "new" else world.member_v1a.phone
        response = register(invite["code"], phone=phone, password="12345678901")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["password"]

    def test_bad_input_is_a_400_naming_the_field(self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        response = APIClient().post(REGISTER, {"code": invite["code"], "phone": "12", "full_name": ""},
                                    format="json")
        assert response.status_code == 400
        assert {"phone", "full_name", "password"} <= set(response.json()["errors"])

    def test_failed_registrations_are_throttled_like_logins_and_never_lock_a_login(self, world, client_for,
                                                                                    settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "user": "600/min", "anon": "60/min", "login_phone": "10/hour", "login_address": "30/min"}}
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        for i in range(10):
            assert register(f"guess-{i}", phone=world.member_v1a.phone, address=f"192.0.2.{i}").status_code == 400
        refused = register(invite["code"], phone=world.member_v1a.phone, address="192.0.2.99")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert login(world.member_v1a.phone, PASSWORD).status_code == 200  # logins are counted apart
        for i in range(30):
            register(f"guess-{i}", phone=f"09120008{i:02d}", address="192.0.2.200")
        assert register(invite["code"], phone="0912000899", address="192.0.2.200").status_code == 429
        # Successes never count: a commune hall registers from one address.
        for i in range(40):
            assert register(invite["code"], phone=f"09130009{i:02d}", address="192.0.2.201").status_code == 201


@pytest.mark.django_db
class TestDecisions:
    @pytest.fixture
    def pending(self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1a)
        return JoinRequest.objects.get(pk=register(invite["code"]).json()["id"])

    def test_approval_makes_a_member_who_logs_in_with_their_password(self, world, client_for, pending):
        response = client_for(world.coord_v1a).post(f"{JOIN_REQUESTS}{pending.pk}/approve/", {}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["phone"] == "+84912000777" and body["full_name"] == "Nguyễn Văn Mới"
        assert [(m["team"]["id"], m["role"]) for m in body["memberships"]] == [(world.v1a.pk, "member")]
        assert login("0912000777", NEW_PASSWORD).status_code == 200
        pending.refresh_from_db()
        assert pending.status == "approved" and pending.decided_by_id == world.coord_v1a.pk
        assert pending.password == ""  # the hash lives on the member now, not here

    def test_the_role_is_one_the_approver_may_grant(self, world, client_for, pending):
        response = client_for(world.coord_c1).post(f"{JOIN_REQUESTS}{pending.pk}/approve/",
                                                   {"role": "coordinator"}, format="json")
        assert response.status_code == 200
        assert response.json()["memberships"][0]["role"] == "coordinator"

    def test_an_unknown_role_is_a_400_and_nothing_changes(self, world, client_for, pending):
        response = client_for(world.coord_c1).post(f"{JOIN_REQUESTS}{pending.pk}/approve/", {"role": "owner"},
                                                   format="json")
        assert response.status_code == 400 and "role" in response.json()["errors"]
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_coordinators_elsewhere_do_not_see_it_and_others_may_not_decide(self, world, client_for, pending):
        url = f"{JOIN_REQUESTS}{pending.pk}/approve/"
        assert client_for(world.coord_c2).post(url, {}, format="json").status_code == 404
        assert client_for(world.member_v1a).post(url, {}, format="json").status_code == 403
        assert client_for(world.observer_district).post(url, {}, format="json").status_code == 403
        assert client_for(world.coord_c2).get(JOIN_REQUESTS).json()["results"] == []
        assert [r["id"] for r in client_for(world.coord_district).get(JOIN_REQUESTS).json()["results"]] == [pending.pk]

    def test_list_filters(self, world, client_for, pending):
        client = client_for(world.coord_c1)
        assert [r["id"] for r in client.get(JOIN_REQUESTS, {"team": world.v1a.pk}).json()["results"]] == [pending.pk]
        assert client.get(JOIN_REQUESTS, {"team": world.v1b.pk}).json()["results"] == []
        assert client.get(JOIN_REQUESTS, {"status": "declined"}).json()["results"] == []
        assert client.get(JOIN_REQUESTS, {"status": "nonsense"}).status_code == 400

    def test_decline_with_a_reason_and_decided_is_decided(self, world, client_for, pending):
        client = client_for(world.coord_c1)
        assert client.post(f"{JOIN_REQUESTS}{pending.pk}/decline/", {}, format="json").status_code == 400
        response = client.post(f"{JOIN_REQUESTS}{pending.pk}/decline/", {"reason": "Không ở thôn này"},
                               format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "declined" and response.json()["reason"] == "Không ở thôn này"
        for step, body in (("approve", {}), ("decline", {"reason": "x"})):
            again = client.post(f"{JOIN_REQUESTS}{pending.pk}/{step}/", body, format="json")
            assert again.status_code == 409 and again.json()["code"] == "join_request_decided"
        assert not Member.objects.filter(phone="+84912000777").exists()
        assert login("0912000777", NEW_PASSWORD).status_code == 401

    def test_the_role_never_reaches_beyond_the_approver(self, world, client_for, pending):
        # A village coordinator may make a newcomer coordinator of that village: the new
        # role reaches the village's subtree, which the approver reaches already.
        response = client_for(world.coord_v1a).post(f"{JOIN_REQUESTS}{pending.pk}/approve/",
                                                    {"role": "coordinator"}, format="json")
        assert response.status_code == 200
        newcomer = Member.objects.get(phone="+84912000777")
        assert list(Membership.objects.filter(member=newcomer).values_list("team_id", "role")) == [
            (world.v1a.pk, "coordinator")]
        # A request to the commune above is out of the village coordinator's reach: not even seen.
        commune_code = make_invite(client_for, world.coord_c1, world.c1)["code"]
        above = register(commune_code, phone="0912000790").json()["id"]
        for role in ("coordinator", "observer", "member"):
            refused = client_for(world.coord_v1a).post(f"{JOIN_REQUESTS}{above}/approve/", {"role": role},
                                                       format="json")
            assert refused.status_code == 404
        assert client_for(world.observer_district).post(f"{JOIN_REQUESTS}{above}/approve/", {"role": "member"},
                                                        format="json").status_code == 403
        assert JoinRequest.objects.get(pk=above).status == "pending"
        assert not Member.objects.filter(phone="+84912000790").exists()

    def test_nobody_decides_their_own_request(self, world, client_for):
        # The commune's coordinator asks to join one of its villages too, with a code.
        code = make_invite(client_for, world.coord_v1a, world.v1a)["code"]
        own = register(code, phone=world.coord_c1.phone).json()["id"]
        for step, body in (("approve", {"role": "coordinator"}), ("decline", {"reason": "x"})):
            response = client_for(world.coord_c1).post(f"{JOIN_REQUESTS}{own}/{step}/", body, format="json")
            assert response.status_code == 403
        assert client_for(world.coord_district).post(f"{JOIN_REQUESTS}{own}/approve/", {},
                                                     format="json").status_code == 200
        assert Membership.objects.filter(member=world.coord_c1, team=world.v1a, role="member").exists()

    def test_the_decline_reason_is_kept_for_the_coordinators(self, world, client_for, pending):
        client_for(world.coord_c1).post(f"{JOIN_REQUESTS}{pending.pk}/decline/", {"reason": "Không ở thôn này"},
                                        format="json")
        listed = client_for(world.coord_district).get(JOIN_REQUESTS, {"status": "declined"}).json()["results"]
        assert [(r["id"], r["reason"], r["decided_by"]) for r in listed] == [
            (pending.pk, "Không ở thôn này", world.coord_c1.pk)]
        assert JoinRequest.objects.get(pk=pending.pk).password == ""


@pytest.mark.django_db
class TestAroundJoining:
    def test_a_bad_code_is_told_in_vietnamese_by_default_and_in_english_on_request(self, world):
        body = {"code": "nope-nope", "phone": "0912000791", "full_name": "A", "password": NEW_PASSWORD}
        vi = APIClient().post(REGISTER, body, format="json").json()["errors"]["code"]
        en = APIClient().post(REGISTER, body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()["errors"]["code"]
        assert en == ["This invite code is not valid (wrong, expired, revoked or used up)."]
        assert vi == ["Mã mời không hợp lệ (sai, đã hết hạn, đã bị thu hồi hoặc đã hết lượt dùng)."]

    def test_a_merge_revokes_the_open_invites_and_hands_the_requests_to_the_team_it_merges_into(
            self, world, client_for):
        invite = make_invite(client_for, world.coord_c1, world.v1b)
        waiting = register(invite["code"], phone="0912000792").json()["id"]
        merged = client_for(world.coord_c1).post(f"/api/v1/teams/{world.v1b.pk}/merge/", {"into": world.v1a.pk},
                                                 format="json")
        assert merged.status_code == 200, merged.content
        kept = Invite.objects.get(pk=invite["id"])
        assert kept.team_id == world.v1a.pk and kept.revoked_at is not None  # the contract: revoked
        assert JoinRequest.objects.get(pk=waiting).team_id == world.v1a.pk
        later = register(invite["code"], phone="0912000793")
        assert later.status_code == 400 and "code" in later.json()["errors"]
        approved = client_for(world.coord_v1a).post(f"{JOIN_REQUESTS}{waiting}/approve/", {}, format="json")
        assert approved.status_code == 200

    def test_a_team_with_invites_is_not_deleted(self, world, client_for):
        from teams.choices import Level
        from tests.factories import TeamFactory

        empty = TeamFactory(name="Thôn mới", level=Level.VILLAGE, parent=world.c1)
        make_invite(client_for, world.coord_c1, empty)
        response = client_for(world.coord_c1).delete(f"/api/v1/teams/{empty.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 409 and "invites" in response.json()["detail"]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    responses = [None] * len(calls)

    def run(i, member, url, body):
        client = APIClient()
        client.force_authenticate(user=member)
        try:
            barrier.wait()
            responses[i] = client.post(url, data=json.dumps(body), content_type="application/json")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return responses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_approvals_at_once_give_one_member(world, round_):
    invite = Invite.objects.create(team=world.v1a, created_by=world.coord_c1, code=f"race-code-{round_}")
    request_id = register(invite.code).json()["id"]
    url = f"{JOIN_REQUESTS}{request_id}/approve/"
    responses = _race((world.coord_c1, url, {}), (world.coord_district, url, {"role": "observer"}))
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    member = Member.objects.get(phone="+84912000777")
    assert Membership.objects.filter(member=member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_of_one_newcomer_approved_at_once_give_one_member_in_both_teams(world):
    first = Invite.objects.create(team=world.v1a, created_by=world.coord_c1, code="race-code-a")
    second = Invite.objects.create(team=world.v2a, created_by=world.coord_c2, code="race-code-b")
    ids = [register(first.code).json()["id"], register(second.code).json()["id"]]
    responses = _race((world.coord_c1, f"{JOIN_REQUESTS}{ids[0]}/approve/", {}),
                      (world.coord_c2, f"{JOIN_REQUESTS}{ids[1]}/approve/", {}))
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    member = Member.objects.get(phone="+84912000777")
    assert set(Membership.objects.filter(member=member).values_list("team_id", flat=True)) == {world.v1a.pk,
                                                                                            world.v2a.pk}
