"""POST /api/v1/members/{id}/anonymise/: a superuser anonymises a member who left.

Name and phone are replaced, the login is gone, devices, sessions and personal text
are removed; the work stays, so the statistics do not move."""
import json

import pytest
from django.apps import apps
from django.db import models

from notifications.models import Device, Notification, PushDelivery
from tasks.models import Assignment, AssignmentEvent
from teams.models import Member, Membership
from teams.phones import is_anonymised_phone, normalize_phone
from tests.factories import PASSWORD
from tests.privacy.conftest import REASON


def _url(member):
    return f"/api/v1/members/{member.pk}/anonymise/"


def _anonymise(client_for, world, member):
    response = client_for(world.superuser).post(_url(member))
    assert response.status_code == 200, response.content
    return response.json()


# Who may ---------------------------------------------------------------------------

@pytest.mark.parametrize("who,expected", [
    (None, 401),
    ("member_v1a_2", 403),       # a teammate who sees her: their role may never do this
    ("observer_district", 403),  # reads her, changes nothing
    ("coord_v1a", 403),          # coordinates her village: visible, still not theirs
    ("coord_c1", 403),
    ("coord_district", 403),
    ("coord_c2", 404),           # the sibling commune does not see her
    ("coord_other_district", 404),
    ("superuser", 200),
])
def test_only_a_superuser_may_anonymise(world, client_for, who, expected):
    caller = getattr(world, who) if who else None
    response = client_for(caller).post(_url(world.member_v1a))
    assert response.status_code == expected, response.content
    world.member_v1a.refresh_from_db()
    assert is_anonymised_phone(world.member_v1a.phone) is (expected == 200)


def test_a_second_call_is_a_409_and_changes_nothing(world, client_for):
    _anonymise(client_for, world, world.member_v1a)
    before = Member.objects.filter(pk=world.member_v1a.pk).values().get()
    again = client_for(world.superuser).post(_url(world.member_v1a))
    assert again.status_code == 409
    assert again.json()["code"] == "already_anonymised"
    assert Member.objects.filter(pk=world.member_v1a.pk).values().get() == before


def test_a_superuser_cannot_anonymise_themselves(world, client_for):
    assert client_for(world.superuser).post(_url(world.superuser)).status_code == 403
    assert Member.objects.get(pk=world.superuser.pk).is_superuser


# What it does -------------------------------------------------------------------------

def test_name_phone_and_login_are_replaced(life, client_for):
    from rest_framework.test import APIClient

    w = life
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {w.access}")
    assert bearer.get("/api/v1/me/").status_code == 200
    body = _anonymise(client_for, w.world, w.person)
    person = Member.objects.get(pk=w.person.pk)
    assert person.full_name == f"Thành viên đã rời #{person.pk}"
    assert body["full_name"] == person.full_name and body["anonymised"] is True and body["phone"] is None
    assert is_anonymised_phone(person.phone) and person.phone != w.old_phone
    with pytest.raises(Exception):
        normalize_phone(person.phone)  # no real number: nobody can ever register it
    assert not person.has_usable_password() and not person.is_active and person.last_login is None
    anon = client_for(None)
    for phone in (w.old_phone, person.phone):
        assert anon.post("/api/v1/auth/token/", {"phone": phone, "password": PASSWORD},
                         format="json").status_code == 401
    assert anon.post("/api/v1/auth/token/refresh/", {"refresh": w.refresh}, format="json").status_code == 401
    # an access token issued before is refused at once
    assert bearer.get("/api/v1/me/").status_code == 401


def test_placeholders_are_unique_per_person(world, client_for):
    _anonymise(client_for, world, world.member_v1a)
    _anonymise(client_for, world, world.member_v1a_2)
    phones = set(Member.objects.filter(pk__in=[world.member_v1a.pk, world.member_v1a_2.pk])
                 .values_list("phone", flat=True))
    assert len(phones) == 2


def test_devices_go_and_notifications_keep_only_the_task(life, client_for):
    w = life
    rejected = Notification.objects.get(recipient=w.person, kind="rejected")
    assert rejected.params["reason"] == REASON
    deliveries = PushDelivery.objects.filter(notification__recipient=w.person).count()
    assert deliveries > 0
    _anonymise(client_for, w.world, w.person)
    assert not Device.objects.filter(member=w.person).exists()
    rejected.refresh_from_db()
    assert rejected.params == {"task": "Chia sẻ cảnh báo lừa đảo",
                               **({"due_at": rejected.params["due_at"]} if "due_at" in rejected.params else {})}
    # the record of each push sent is kept, without the personal text
    assert PushDelivery.objects.filter(notification__recipient=w.person).count() == deliveries
    assert not PushDelivery.objects.filter(body__contains="Chị Lan").exists()


def test_the_work_and_its_timeline_are_kept(life, client_for):
    w = life
    work = list(Assignment.objects.filter(assignee=w.person).values())
    events = list(AssignmentEvent.objects.filter(assignment__assignee=w.person).values())
    roles = list(Membership.objects.filter(member=w.person).values("team_id", "role"))
    history = apps.get_model("reports", "HistoricalMembership").objects.filter(member_id=w.person.pk).count()
    _anonymise(client_for, w.world, w.person)
    assert list(Assignment.objects.filter(assignee=w.person).values()) == work
    assert list(AssignmentEvent.objects.filter(assignment__assignee=w.person).values()) == events
    assert list(Membership.objects.filter(member=w.person).values("team_id", "role")) == roles
    assert apps.get_model("reports", "HistoricalMembership").objects.filter(member_id=w.person.pk).count() == history


def test_statistics_stay_the_same(life, client_for):
    w = life
    coord = client_for(w.world.coord_district)
    urls = [f"/api/v1/teams/{team.pk}/stats/" for team in (w.world.district, w.world.c1, w.world.v1a)]
    before = [coord.get(url).json() for url in urls]
    per_member_before = coord.get(f"/api/v1/teams/{w.world.v1a.pk}/stats/members/").json()
    _anonymise(client_for, w.world, w.person)
    after = [coord.get(url).json() for url in urls]
    for old, new in zip(before, after):
        assert new["assignments"] == old["assignments"]
        assert new["completion_rate"] == old["completion_rate"]
        assert new["assignments"]["verified"] >= 1
        # she left: one active member fewer, exactly as a deactivation counts it
        assert new["members_active"] == old["members_active"] - 1
    per_member_after = coord.get(f"/api/v1/teams/{w.world.v1a.pk}/stats/members/").json()
    mine = [r for r in per_member_after["results"] if r["member"]["id"] == w.person.pk]
    old_mine = [r for r in per_member_before["results"] if r["member"]["id"] == w.person.pk]
    assert mine and {k: v for k, v in mine[0].items() if k != "member"} == \
        {k: v for k, v in old_mine[0].items() if k != "member"}
    assert mine[0]["member"]["full_name"] == f"Thành viên đã rời #{w.person.pk}"


def _text_columns(model):
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField, models.BinaryField))]


def _everywhere(needles: list[str]) -> list[str]:
    """Every (table, column) in the database that holds one of `needles`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model._default_manager.values_list(*[f.attname for f in columns]):
            for field, value in zip(columns, row):
                if value is None:
                    continue
                if isinstance(value, (bytes, memoryview)):
                    text = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, str):
                    text = value
                else:
                    text = json.dumps(value, ensure_ascii=False)
                for needle in needles:
                    if needle in text:
                        found.append(f"{model._meta.db_table}.{field.column}: {needle}")
    return found


def test_no_table_keeps_her_name_or_phone(life, client_for):
    """History tables, cached responses, pushes, admin log: nothing still names her."""
    w = life
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    # a change made in the admin is logged with str(member): "name (phone)"
    LogEntry.objects.create(user=w.world.superuser, content_type=ContentType.objects.get_for_model(Member),
                            object_id=str(w.person.pk), object_repr=str(w.person)[:200], action_flag=CHANGE)
    from api.models import IdempotencyKey

    # the coordinator's cached reject response names her (the fixture sent it with a key)
    assert IdempotencyKey.objects.filter(member=w.world.coord_c1, key="reject-lan-1").exists()
    local = "0" + w.old_phone[3:]
    # (Free text of the work's timeline, such as a review's reason, is the work record and stays.)
    needles = [w.old_phone, local, w.old_name]
    assert _everywhere(needles), "the fixture should leave her name or phone somewhere first"
    _anonymise(client_for, w.world, w.person)
    assert _everywhere(needles) == []


def test_an_anonymised_record_can_no_longer_change(world, client_for):
    _anonymise(client_for, world, world.member_v1a)
    superuser = client_for(world.superuser)
    patch = superuser.patch(f"/api/v1/members/{world.member_v1a.pk}/",
                            {"is_active": True, "phone": "0987000111"}, format="json")
    assert patch.status_code == 409 and patch.json()["code"] == "member_anonymised"
    grant = superuser.post("/api/v1/memberships/", {"member": world.member_v1a.pk, "team": world.v1b.pk,
                                                    "role": "member"}, format="json")
    assert grant.status_code == 409
    person = Member.objects.get(pk=world.member_v1a.pk)
    assert not person.is_active and is_anonymised_phone(person.phone)


def test_coordinators_still_see_the_row_without_a_phone(world, client_for):
    _anonymise(client_for, world, world.member_v1a)
    row = client_for(world.coord_c1).get(f"/api/v1/members/{world.member_v1a.pk}/").json()
    assert row["anonymised"] is True and row["phone"] is None and row["is_active"] is False


def test_the_action_is_documented():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/members/{id}/anonymise/"]["post"]
    assert {"200", "403", "404", "409"} <= set(operation["responses"])
    assert "requestBody" not in operation
