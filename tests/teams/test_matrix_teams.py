"""Who may do what on /api/v1/teams/: one row per action, one column per role (see ROLES)."""
import pytest

from teams.models import Team

from .conftest import ROLES, run_matrix

URL = "/api/v1/teams/"


def _detail(team):
    return f"{URL}{team.pk}/"


REQUESTS = {
    "list": lambda w: ("get", URL, None),
    "retrieve": lambda w: ("get", _detail(w.c1), None),
    "create": lambda w: ("post", URL, {"name": "Thôn Mới", "level": "village", "parent": w.c1.pk}),
    "update": lambda w: ("patch", _detail(w.c1), {"name": "Tâm Thắng mới"}),
    # c1 still has villages and people: whoever may delete it is told why not (409).
    "delete": lambda w: ("delete", _detail(w.c1), None),
    "delete_empty": lambda w: ("delete", _detail(Team.objects.get(name="Thôn Trống")), None),
    # the sibling subtree
    "retrieve_sibling": lambda w: ("get", _detail(w.v2a), None),
    "update_sibling": lambda w: ("patch", _detail(w.v2a), {"name": "x"}),
    "delete_sibling": lambda w: ("delete", _detail(w.v2a), None),
    "create_in_sibling": lambda w: ("post", URL, {"name": "Thôn Mới", "level": "village", "parent": w.c2.pk}),
    # archive: c1 still has people and villages (409); the empty village can go
    "archive": lambda w: ("patch", _detail(w.c1), {"is_active": False}),
    "archive_empty": lambda w: ("patch", _detail(Team.objects.get(name="Thôn Trống")), {"is_active": False}),
    # merge: c1 into its sibling (only the district above both); v1a into v1b (c1 is above both)
    "merge": lambda w: ("post", f"{_detail(w.c1)}merge/", {"into": w.c2.pk}),
    "merge_villages": lambda w: ("post", f"{_detail(w.v1a)}merge/", {"into": w.v1b.pk}),
}

# action            anonymous member observer coord_team coord_sibling coord_above coord_below superuser
MATRIX = [
    ("list",              401, 200, 200, 200, 200, 200, 200, 200),
    ("retrieve",          401, 404, 200, 200, 404, 200, 404, 200),
    ("create",            401, 403, 403, 201, 400, 201, 400, 201),
    ("update",            401, 403, 403, 200, 404, 200, 404, 200),
    ("delete",            401, 403, 403, 409, 404, 409, 404, 409),
    ("delete_empty",      401, 403, 403, 204, 404, 204, 404, 204),
    ("retrieve_sibling",  401, 404, 200, 404, 200, 200, 404, 200),
    ("update_sibling",    401, 403, 403, 404, 200, 200, 404, 200),
    ("delete_sibling",    401, 403, 403, 404, 409, 409, 404, 409),
    ("create_in_sibling", 401, 403, 403, 400, 201, 201, 400, 201),
    ("archive",           401, 403, 403, 409, 404, 409, 404, 409),
    ("archive_empty",     401, 403, 403, 200, 404, 200, 404, 200),
    ("merge",             401, 403, 403, 400, 404, 200, 404, 200),
    ("merge_villages",    401, 403, 403, 200, 404, 200, 400, 200),
]


@pytest.mark.parametrize("action,expected", [(row[0], row[1:]) for row in MATRIX], ids=[r[0] for r in MATRIX])
def test_team_permission_matrix(world, empty_village, client_for, action, expected):
    assert len(expected) == len(ROLES)
    run_matrix(world, client_for, REQUESTS[action], expected)


VISIBLE = {
    "member_v1a": {"Thôn 1"},
    "observer_district": {"Cư Jút", "Tâm Thắng", "Nam Dong", "Thôn 1", "Thôn 2", "Thôn 4"},
    "coord_district": {"Cư Jút", "Tâm Thắng", "Nam Dong", "Thôn 1", "Thôn 2", "Thôn 4"},
    "coord_c1": {"Tâm Thắng", "Thôn 1", "Thôn 2"},
    "coord_c2": {"Nam Dong", "Thôn 4"},
    "coord_v1a": {"Thôn 1"},
    "coord_other_district": {"Krông Nô"},
    "outsider": set(),
    "superuser": {"Đắk Nông", "Cư Jút", "Krông Nô", "Tâm Thắng", "Nam Dong", "Thôn 1", "Thôn 2", "Thôn 4"},
}


@pytest.mark.parametrize("who", VISIBLE)
def test_team_list_holds_exactly_the_callers_scope(world, client_for, who):
    response = client_for(getattr(world, who)).get(URL, {"page_size": 200})
    assert response.status_code == 200
    assert {t["name"] for t in response.json()["results"]} == VISIBLE[who]
    assert response.json()["count"] == len(VISIBLE[who])


def test_refused_delete_names_the_reasons_and_keeps_everything(world, client_for):
    before = (Team.objects.count(), world.c1.memberships.count())
    response = client_for(world.coord_district).delete(_detail(world.c1))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "team_not_empty"
    response = client_for(world.coord_district).delete(_detail(world.v1a), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "members" in response.json()["detail"]
    assert (Team.objects.count(), world.c1.memberships.count()) == before
    assert Team.objects.filter(pk=world.v1a.pk).exists()


def test_team_with_tasks_cannot_be_deleted(world, empty_village, client_for):
    from tests.factories import TaskFactory

    TaskFactory(team=empty_village, created_by=world.coord_c1)
    response = client_for(world.coord_c1).delete(_detail(empty_village), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "tasks" in response.json()["detail"]
    assert Team.objects.filter(pk=empty_village.pk).exists()
