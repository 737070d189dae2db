"""Change history: API edits, service edits, bulk paths, the endpoints and the admin."""
import pytest
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from reports.history import record_bulk_change
from tasks.models import Campaign, Task
from teams.models import Membership, Team
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def history(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_team_rename_through_the_api_is_recorded_with_its_actor(world, client_for):
    client = client_for(world.coord_district)
    url = f"/api/v1/teams/{world.c1.pk}/"
    assert client.patch(url, {"name": "Tâm Thắng mới"}, format="json").status_code == 200
    assert client.patch(url, {"name": "Tâm Thắng 2"}, format="json").status_code == 200

    entries = history(client, f"/api/v1/teams/{world.c1.pk}/history/")["results"]
    latest, earlier = entries[0], entries[1]
    assert latest["type"] == "changed"
    assert latest["changed_by"] == {"id": world.coord_district.pk, "full_name": "Trần Thị Huyện"}
    assert latest["changes"] == [{"field": "name", "old": "Tâm Thắng mới", "new": "Tâm Thắng 2"}]
    # The earlier change is kept as it was when it happened.
    assert earlier["changes"] == [{"field": "name", "old": "Tâm Thắng", "new": "Tâm Thắng mới"}]
    # The creation is the oldest entry and lists what the team was created with.
    oldest = entries[-1]
    assert oldest["type"] == "created"
    assert {"field": "name", "old": None, "new": "Tâm Thắng"} in oldest["changes"]
    # Values come as text, one type for every field (ids in digits).
    assert {"field": "parent", "old": None, "new": str(world.district.pk)} in oldest["changes"]


def test_team_move_records_the_moved_team(world, client_for):
    client = client_for(world.superuser)
    old_path = world.c1.path
    response = client.patch(f"/api/v1/teams/{world.c1.pk}/", {"parent": world.other_district.pk}, format="json")
    assert response.status_code == 200, response.content
    latest = history(client, f"/api/v1/teams/{world.c1.pk}/history/")["results"][0]
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["parent"] == (str(world.district.pk), str(world.other_district.pk))
    assert changes["path"] == (old_path, f"{world.other_district.path}{world.c1.pk}/")


def test_bulk_path_update_is_recorded_by_record_bulk_change(world, client_for):
    """teams.services.team_update re-roots descendants with one QuerySet.update (no save()):
    the same update followed by record_bulk_change leaves one row per moved descendant."""
    old_path, new_path = world.c1.path, f"{world.other_district.path}{world.c1.pk}/"
    Team.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
    )
    descendants = Team.objects.filter(path__startswith=new_path).exclude(pk=world.c1.pk)
    assert record_bulk_change(descendants, actor=world.superuser, reason="subtree moved") == 2

    entries = history(client_for(world.superuser), f"/api/v1/teams/{world.v1a.pk}/history/")["results"]
    assert entries[0]["type"] == "changed"
    assert entries[0]["changed_by"]["id"] == world.superuser.pk
    assert entries[0]["reason"] == "subtree moved"
    assert entries[0]["changes"] == [
        {"field": "path", "old": f"{old_path}{world.v1a.pk}/", "new": f"{new_path}{world.v1a.pk}/"}
    ]


def test_record_bulk_change_of_nothing_writes_nothing(world):
    before = Team.history.count()
    assert record_bulk_change(Team.objects.none(), actor=world.superuser) == 0
    assert Team.history.count() == before


def test_bulk_change_without_actor_takes_the_request_user(world):
    from types import SimpleNamespace

    from simple_history.models import HistoricalRecords

    HistoricalRecords.context.request = SimpleNamespace(user=world.coord_c1)
    try:
        record_bulk_change(Team.objects.filter(pk=world.v1b.pk))
    finally:
        del HistoricalRecords.context.request
    assert Team.history.filter(id=world.v1b.pk).latest().history_user == world.coord_c1


def test_membership_changes_through_the_api_are_recorded(world, client_for):
    client = client_for(world.coord_c1)
    membership = Membership.objects.get(member=world.member_v1b, team=world.v1b)
    response = client.patch(f"/api/v1/memberships/{membership.pk}/", {"role": "observer"}, format="json")
    assert response.status_code == 200, response.content
    row = Membership.history.filter(id=membership.pk).latest()
    assert row.history_type == "~"
    assert row.role == "observer"
    assert row.history_user == world.coord_c1
    # a person's last role cannot be removed (they are deactivated instead): give them another
    Membership.objects.create(member=world.member_v1b, team=world.v1a, role="member")
    assert client.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    deleted = Membership.history.filter(id=membership.pk).latest()
    assert deleted.history_type == "-"
    assert deleted.history_user == world.coord_c1


def test_task_and_campaign_history(work, client_for):
    task = work.past
    task.title = "Chia sẻ bài cảnh báo mới"
    task.status = "closed"
    task._history_user = work.world.coord_district
    task.save()
    campaign = work.camp
    campaign.ends_at = campaign.starts_at = None
    campaign.description = "Mô tả"
    campaign.save()
    assert Campaign.history.filter(id=campaign.pk).count() == 2

    entries = history(client_for(work.world.observer_district), f"/api/v1/tasks/{task.pk}/history/")["results"]
    assert entries[0]["changed_by"]["id"] == work.world.coord_district.pk
    changes = {c["field"]: (c["old"], c["new"]) for c in entries[0]["changes"]}
    assert changes["status"] == ("open", "closed")
    assert changes["title"][1] == "Chia sẻ bài cảnh báo mới"
    assert set(changes) == {"title", "status"}
    assert entries[1]["type"] == "created"


def test_history_pages_show_changes_up_to_the_last_row(world, client_for, django_assert_max_num_queries):
    client = client_for(world.coord_district)
    for n in range(4):
        client.patch(f"/api/v1/teams/{world.v1a.pk}/", {"name": f"Thôn 1 lần {n}"}, format="json")
    url = f"/api/v1/teams/{world.v1a.pk}/history/"
    counts = []
    for page_size in (1, 100):
        with django_assert_max_num_queries(5) as captured:
            data = history(client, url, page_size=page_size, page=1 if page_size == 100 else 2)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    one = history(client, url, page_size=1, page=2)["results"][0]
    assert one["changes"] == [{"field": "name", "old": "Thôn 1 lần 1", "new": "Thôn 1 lần 2"}]
    assert data["count"] == 6  # created, path set, four renames


def test_history_of_a_deleted_team_is_kept(world, client_for):
    from tests.factories import TeamFactory

    empty = TeamFactory(name="Thôn tạm", level="village", parent=world.c1)
    pk = empty.pk
    assert client_for(world.coord_c1).delete(f"/api/v1/teams/{pk}/").status_code == 204
    rows = list(Team.history.filter(id=pk).order_by("history_date"))
    assert [r.history_type for r in rows] == ["+", "~", "-"]
    assert rows[-1].history_user == world.coord_c1


# Admin ------------------------------------------------------------------------

@pytest.fixture
def admin_client(world, client):
    client.force_login(world.superuser)
    return client


def test_admin_classes_gain_history_pages_that_show_each_change(world, admin_client):
    """Each history-keeping admin serves its history page, and the page names the change."""
    task = TaskFactory(team=world.c1, created_by=world.coord_c1, title="Việc trước")
    campaign = Campaign.objects.create(name="Chiến dịch trước", team=world.c1, created_by=world.coord_c1)
    membership = world.member_v1a.memberships.get()
    changes = [
        (world.c1, "name", "Tâm Thắng đổi", "teams/team"),
        (membership, "role", "observer", "teams/membership"),
        (task, "title", "Việc đổi tên", "tasks/task"),
        (campaign, "name", "Chiến dịch đổi", "tasks/campaign"),
    ]
    for obj, field, value, where in changes:
        setattr(obj, field, value)
        obj.save()
        response = admin_client.get(f"/admin/{where}/{obj.pk}/history/")
        assert response.status_code == 200, where
        page = response.content.decode()
        assert obj.history.count() >= 2 and str(obj.history.latest().history_id) in page, where


def test_the_team_admin_keeps_the_services_rules(world, admin_client):
    """Saving through the admin goes through teams.services: a village under a village is a
    form error (nothing saved), a rename is saved with the path kept."""
    refused = admin_client.post("/admin/teams/team/add/", {"name": "Thôn sai", "level": "village",
                                                           "parent": world.v1a.pk})
    assert refused.status_code == 200 and not Team.objects.filter(name="Thôn sai").exists()
    renamed = admin_client.post(f"/admin/teams/team/{world.v1b.pk}/change/", {
        "name": "Thôn Hai", "level": "village", "parent": world.c1.pk})
    assert renamed.status_code == 302, renamed.content[:2000]
    world.v1b.refresh_from_db()
    assert world.v1b.name == "Thôn Hai" and world.v1b.path.startswith(world.c1.path)


def test_the_membership_admin_keeps_a_persons_only_role(world, admin_client):
    only = world.member_v1a.memberships.get()
    response = admin_client.post(f"/admin/teams/membership/{only.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=only.pk).exists()


def test_admin_history_pages_are_read_only(world, client):
    world.superuser.set_password("x-admin-pass-123")
    world.superuser.save()
    client.force_login(world.superuser)
    world.c1.name = "Tâm Thắng (admin)"
    world.c1.save()
    response = client.get(f"/admin/teams/team/{world.c1.pk}/history/")
    assert response.status_code == 200
    assert "Tâm Thắng (admin)" in response.content.decode()
    version = Team.history.filter(id=world.c1.pk).earliest()
    url = f"/admin/teams/team/{world.c1.pk}/history/{version.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "reverted", "level": "commune"}).status_code == 403
    world.c1.refresh_from_db()
    assert world.c1.name == "Tâm Thắng (admin)"


def test_moving_a_team_records_every_descendant_moved_with_it(world, client_for):
    client = client_for(world.superuser)
    response = client.patch(f"/api/v1/teams/{world.c1.pk}/", {"parent": world.other_district.pk}, format="json")
    assert response.status_code == 200, response.content
    for village in (world.v1a, world.v1b):
        village.refresh_from_db()
        latest = Team.history.filter(id=village.pk).latest()
        assert latest.path == village.path and village.path.startswith(world.other_district.path)
        assert latest.history_change_reason == "subtree moved"
        assert latest.history_user == world.superuser
