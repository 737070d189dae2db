"""The mobile contract on the task endpoints: ETag/If-Match, the sync cursor, updated_since."""
import pytest

from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory


@pytest.fixture
def task(world):
    return TaskFactory(team=world.c1, created_by=world.coord_c1)


@pytest.mark.parametrize("kind", ["tasks", "campaigns"])
def test_stale_if_match_is_412_and_changes_nothing(world, client_for, task, kind):
    obj = task if kind == "tasks" else CampaignFactory(team=world.c1)
    client = client_for(world.coord_c1)
    url = f"/api/v1/{kind}/{obj.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    field = "title" if kind == "tasks" else "name"
    assert client.patch(url, {field: "Lần một"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(url, {field: "Lần hai"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client.get(url).json()[field] == "Lần một"


@pytest.mark.parametrize("path", ["/api/v1/tasks/", "/api/v1/assignments/", "/api/v1/campaigns/"])
def test_lists_hand_out_a_server_cursor_that_brings_back_cancelled_rows(world, client_for, task, path):
    AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)
    CampaignFactory(team=world.c1)
    client = client_for(world.coord_c1)
    first = client.get(path)
    cursor = first["X-Sync-Cursor"]
    assert first.json()["results"]
    coord = client_for(world.coord_c1)
    assert coord.post(f"/api/v1/tasks/{task.pk}/cancel/").status_code == 200
    delta = client.get(path, {"updated_since": cursor})
    assert delta.status_code == 200
    if path != "/api/v1/campaigns/":
        statuses = {row["status"] for row in delta.json()["results"]}
        assert statuses == {"cancelled"}
