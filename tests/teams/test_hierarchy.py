"""Level order, cycles, moves that keep every path right, and refused deletes."""
import pytest
from django.core.exceptions import ValidationError

from teams import services
from teams.choices import Level
from teams.models import Membership, Team
from tests.factories import TeamFactory

URL = "/api/v1/teams/"


def assert_paths_consistent():
    """Every team's path is its parent's path plus its own id: checks every descendant."""
    teams = {t.pk: t for t in Team.objects.all()}
    for team in teams.values():
        parent_path = teams[team.parent_id].path if team.parent_id else "/"
        assert team.path == f"{parent_path}{team.pk}/", team
        if team.parent_id and team.kind == "area":
            assert Level.values.index(teams[team.parent_id].level) < Level.values.index(team.level)


@pytest.mark.parametrize("level,parent,ok", [
    ("province", None, True), ("district", "province", True), ("commune", "district", True),
    ("village", "c1", True),
    # levels may be skipped (no district tier since July 2025)
    ("commune", "province", True), ("village", "district", True), ("village", "province", True),
    ("province", "province", False), ("district", None, False), ("district", "district", False),
    ("village", "v1a", False), ("commune", "v1a", False), ("commune", "c1", False),
    ("district", "c1", False), ("castle", "c1", False),
])
def test_create_keeps_the_level_order(world, client_for, level, parent, ok):
    before = Team.objects.count()
    body = {"name": "Mới", "level": level, "parent": getattr(world, parent).pk if parent else None}
    response = client_for(world.superuser).post(URL, body, format="json")
    assert response.status_code == (201 if ok else 400), response.content
    if ok:
        created = Team.objects.get(pk=response.json()["id"])
        expected_parent = getattr(world, parent).path if parent else "/"
        assert created.path == f"{expected_parent}{created.pk}/"
    else:
        assert set(response.json()["errors"]) & {"parent", "level"}
        assert Team.objects.count() == before
    assert_paths_consistent()


def test_only_a_superuser_creates_a_province(world, client_for):
    response = client_for(world.coord_district).post(URL, {"name": "X", "level": "province", "parent": None},
                                                     format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_moving_a_commune_carries_its_whole_subtree(world, client_for):
    deep = TeamFactory(name="Thôn 9", level=Level.VILLAGE, parent=world.c1)
    response = client_for(world.superuser).patch(f"{URL}{world.c1.pk}/", {"parent": world.other_district.pk},
                                                 format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == world.other_district.pk
    assert [a["id"] for a in response.json()["ancestors"]] == [world.province.pk, world.other_district.pk]
    assert_paths_consistent()
    moved = {t.pk for t in Team.objects.filter(path__startswith=Team.objects.get(pk=world.other_district.pk).path)}
    assert {world.c1.pk, world.v1a.pk, world.v1b.pk, deep.pk} <= moved
    # the old district no longer reaches it; the new one does
    assert client_for(world.coord_district).get(f"{URL}{world.v1a.pk}/").status_code == 404
    assert client_for(world.coord_other_district).get(f"{URL}{world.v1a.pk}/").status_code == 200


def test_moving_a_village_between_communes(world, client_for):
    response = client_for(world.coord_district).patch(f"{URL}{world.v1a.pk}/", {"parent": world.c2.pk},
                                                      format="json")
    assert response.status_code == 200
    assert_paths_consistent()
    assert client_for(world.coord_c2).get(f"{URL}{world.v1a.pk}/").status_code == 200
    assert client_for(world.coord_c1).get(f"{URL}{world.v1a.pk}/").status_code == 404


@pytest.mark.parametrize("team,new_parent", [("district", "c1"), ("district", "v1a"), ("c1", "v1a"),
                                             ("c1", "c1"), ("district", "district")])
def test_moving_under_itself_or_a_descendant_is_refused(world, client_for, team, new_parent):
    before = list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "level"))
    response = client_for(world.superuser).patch(f"{URL}{getattr(world, team).pk}/",
                                                 {"parent": getattr(world, new_parent).pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]
    assert list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "level")) == before


@pytest.mark.parametrize("team,body", [
    ("c1", {"parent": None}), ("c1", {"parent": "c2"}), ("v1a", {"parent": "v1b"}),
    ("c1", {"level": "village"}),  # it has villages below it
    ("v1a", {"level": "commune"}),  # its parent is a commune
    ("district", {"level": "province"}),
])
def test_breaking_the_level_order_by_update_is_refused(world, client_for, team, body):
    before = list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "level"))
    body = {k: (getattr(world, v).pk if k == "parent" and v else v) for k, v in body.items()}
    response = client_for(world.superuser).patch(f"{URL}{getattr(world, team).pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "level")) == before


def test_moving_and_relevelling_a_leaf_together(world, client_for):
    leaf = TeamFactory(name="Lá", level=Level.VILLAGE, parent=world.c1)
    response = client_for(world.superuser).patch(f"{URL}{leaf.pk}/", {"parent": world.other_district.pk,
                                                                       "level": "commune"}, format="json")
    assert response.status_code == 200, response.content
    assert_paths_consistent()


def test_a_coordinator_moves_only_between_teams_it_coordinates(world, client_for):
    response = client_for(world.coord_c1).patch(f"{URL}{world.v1a.pk}/", {"parent": world.c2.pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]
    world.v1a.refresh_from_db()
    assert world.v1a.parent_id == world.c1.pk


def test_the_service_refuses_a_cycle_directly(world):
    with pytest.raises(ValidationError):
        services.team_update(team=world.district, parent=world.v1a, actor=world.superuser)
    assert_paths_consistent()


def test_refused_deletes_delete_nothing(world, empty_village, client_for):
    counts = (Team.objects.count(), Membership.objects.count())
    client = client_for(world.superuser)
    for team in (world.province, world.district, world.c1, world.v1a):
        response = client.delete(f"{URL}{team.pk}/")
        assert response.status_code == 409
        assert response.json()["code"] == "team_not_empty"
    assert (Team.objects.count(), Membership.objects.count()) == counts
    assert client.delete(f"{URL}{empty_village.pk}/").status_code == 204
    assert not Team.objects.filter(pk=empty_village.pk).exists()
    assert_paths_consistent()


def test_the_subtree_is_one_query(world, django_assert_num_queries):
    from teams.selectors import team_subtree

    with django_assert_num_queries(1):
        names = {t.name for t in team_subtree(world.c1)}
    assert names == {"Tâm Thắng", "Thôn 1", "Thôn 2"}


def test_sending_a_team_back_unchanged_is_not_a_move(world, client_for):
    """coord_c1 does not coordinate the district above c1, but may send c1's own parent back."""
    client = client_for(world.coord_c1)
    team = client.get(f"{URL}{world.c1.pk}/").json()
    body = {"name": "Tâm Thắng (mới)", "level": team["level"], "parent": team["parent"]}
    response = client.patch(f"{URL}{world.c1.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == world.district.pk
    assert_paths_consistent()
    # ...but moving it elsewhere still needs the new parent to be theirs
    response = client.patch(f"{URL}{world.c1.pk}/", {"parent": world.other_district.pk}, format="json")
    assert response.status_code == 400
