"""A member's working life, built through the API so every table that holds
personal data gets its rows (tests/conftest.py holds the world).

member_v1a ("Đặng Thị Lan") logs in (a session), registers a phone for pushes, is
given a task through the commune, completes it (with an Idempotency-Key: the
response is cached), is sent back with a reason that names her, completes again
and is verified; her role in v1a is changed and changed back (membership history).
"""
from types import SimpleNamespace

import pytest

from tests.factories import PASSWORD, TaskFactory

REASON = "Chị Lan ơi, ảnh chụp chưa thấy bài chia sẻ"


@pytest.fixture
def life(world, client_for, django_capture_on_commit_callbacks):
    from teams.models import Membership

    w = SimpleNamespace(world=world, person=world.member_v1a)
    w.old_phone, w.old_name = world.member_v1a.phone, world.member_v1a.full_name
    anon = client_for(None)
    tokens = anon.post("/api/v1/auth/token/", {"phone": w.old_phone, "password": PASSWORD}, format="json")
    assert tokens.status_code == 200, tokens.content
    w.refresh, w.access = tokens.json()["refresh"], tokens.json()["access"]

    me = client_for(world.member_v1a)
    coord = client_for(world.coord_c1)
    assert me.post("/api/v1/devices/", {"token": "fcm-token-of-lan", "platform": "android"},
                   format="json").status_code in (200, 201)
    w.task = TaskFactory(team=world.c1, created_by=world.coord_c1, title="Chia sẻ cảnh báo lừa đảo")
    with django_capture_on_commit_callbacks(execute=True):
        assert coord.post(f"/api/v1/tasks/{w.task.pk}/assign/", {"teams": [world.c1.pk]},
                          format="json").status_code == 200
    w.assignment = w.task.assignments.get(assignee=world.member_v1a)
    url = f"/api/v1/assignments/{w.assignment.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        first = me.post(f"{url}complete/", {"evidence_url": "https://facebook.com/lan/posts/1", "note": "Đã chia sẻ"},
                        format="json", HTTP_IDEMPOTENCY_KEY="lan-complete-1")
        assert first.status_code == 200, first.content
        # the coordinator's cached response shows her name (assignee_name)
        assert coord.post(f"{url}reject/", {"reason": REASON}, format="json",
                          HTTP_IDEMPOTENCY_KEY="reject-lan-1").status_code == 200
        assert me.post(f"{url}complete/", {"evidence_url": "https://facebook.com/lan/posts/2"},
                       format="json").status_code == 200
        assert coord.post(f"{url}verify/", {"note": "Tốt"}, format="json").status_code == 200
    membership = Membership.objects.get(member=world.member_v1a, team=world.v1a)
    for role in ("observer", "member"):
        assert coord.patch(f"/api/v1/memberships/{membership.pk}/", {"role": role},
                           format="json").status_code == 200
    return w
