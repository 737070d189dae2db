"""Accent-insensitive search on both databases, and list query counts that do not grow."""
import pytest

from teams.choices import Level, Role
from teams.text import fold
from tests.factories import MemberFactory, MembershipFactory, TeamFactory


@pytest.mark.parametrize("text,folded", [
    ("Tâm Thắng", "tam thang"), ("TAM THẮNG", "tam thang"), ("  Đắk   Nông ", "dak nong"),
    ("đường", "duong"), ("Nguyễn Thị Ánh", "nguyen thi anh"), ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("query", ["tam thang", "TAM THẮNG", "Tâm Thắng", "tâm", "THANG", "Tam  Thang"])
def test_team_search_ignores_accents_and_case(world, client_for, query):
    response = client_for(world.superuser).get("/api/v1/teams/", {"search": query})
    assert response.status_code == 200
    assert "Tâm Thắng" in {t["name"] for t in response.json()["results"]}
    assert "Nam Dong" not in {t["name"] for t in response.json()["results"]}


@pytest.mark.parametrize("query", ["dak nong", "ĐẮK NÔNG", "Đắk", "dak"])
def test_team_search_treats_d_stroke_as_d(world, client_for, query):
    names = {t["name"] for t in client_for(world.superuser).get("/api/v1/teams/", {"search": query}).json()["results"]}
    assert names == {"Đắk Nông"}


@pytest.mark.parametrize("query,expected", [
    ("dang thi lan", {"Đặng Thị Lan"}), ("ĐẶNG", {"Đặng Thị Lan"}), ("đặng thị", {"Đặng Thị Lan"}),
    ("thi", {"Trần Thị Huyện", "Đặng Thị Lan", "Đỗ Thị Hoa", "Dương Thị Mai", "Hoàng Thị Dong"}),
    ("do thi hoa", {"Đỗ Thị Hoa"}), ("zzz", set()),
])
def test_member_search_ignores_accents_and_case(world, client_for, query, expected):
    response = client_for(world.coord_district).get("/api/v1/members/", {"search": query})
    assert response.status_code == 200
    assert {m["full_name"] for m in response.json()["results"]} == expected


def test_search_stays_inside_scope(world, client_for):
    response = client_for(world.coord_c2).get("/api/v1/teams/", {"search": "tam thang"})
    assert response.json()["results"] == []
    response = client_for(world.coord_c2).get("/api/v1/members/", {"search": "dang thi lan"})
    assert response.json()["results"] == []


def test_search_after_a_rename_finds_the_new_name(world, client_for):
    client = client_for(world.coord_c1)
    assert client.patch(f"/api/v1/teams/{world.v1a.pk}/", {"name": "Thôn Đồng Tâm"}, format="json").status_code == 200
    names = {t["name"] for t in client.get("/api/v1/teams/", {"search": "dong tam"}).json()["results"]}
    assert names == {"Thôn Đồng Tâm"}


@pytest.fixture
def crowd(world):
    """More than 100 rows in every list a coordinator of c1 sees."""
    villages = [world.v1a, world.v1b] + [
        TeamFactory(name=f"Thôn số {i}", level=Level.VILLAGE, parent=world.c1) for i in range(105)]
    for i in range(110):
        member = MemberFactory(full_name=f"Người số {i}")
        MembershipFactory(member=member, team=villages[i % len(villages)], role=Role.MEMBER)
        if i % 3 == 0:
            MembershipFactory(member=member, team=villages[(i + 1) % len(villages)], role=Role.OBSERVER)
    return world


LISTS = ["/api/v1/teams/", "/api/v1/members/", "/api/v1/memberships/"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["coord_c1", "observer_district", "member_v1a", "superuser"])
def test_list_query_count_does_not_grow_with_page_size(crowd, client_for, django_assert_max_num_queries,
                                                       url, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(getattr(crowd, who))
    # Newest first, so the one-row page is not the province, the only team with no
    # ancestors to look up (that page needs one query fewer).
    counts = {}
    for size in (1, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": size, "ordering": "-id"})
        assert response.status_code == 200
        assert len(response.json()["results"]) == (1 if size == 1 else min(100, response.json()["count"]))
        counts[size] = len(ctx.captured_queries)
    assert counts[1] == counts[100], counts
    with django_assert_max_num_queries(5):
        client.get(url, {"page_size": 100})
    if who != "member_v1a":
        assert response.json()["count"] > 100
