"""Who may read which report, bad input, and query counts that do not grow."""
import pytest

pytestmark = pytest.mark.django_db

STATS_PATHS = ["stats/", "stats/children/", "stats/daily/", "stats/members/", "history/"]

# role -> expected code for the district's reports (sibling and other-district roles included)
DISTRICT_MATRIX = [
    ("superuser", 200),
    ("coord_district", 200),
    ("observer_district", 200),
    ("coord_c1", 404),            # below the district: the district is outside its subtree
    ("coord_c2", 404),
    ("coord_v1a", 404),
    ("coord_other_district", 404),  # a sibling district
    ("member_v1a", 403),          # plain members never read reports
    ("member_v2a", 403),
    ("outsider", 403),
    (None, 401),
]
C1_MATRIX = [
    ("coord_c1", 200),
    ("coord_district", 200),
    ("observer_district", 200),
    ("coord_c2", 404),            # the sibling commune
    ("coord_v1a", 404),
    ("member_v1a", 403),
]


def who(world, role):
    return None if role is None else getattr(world, role)


@pytest.mark.parametrize("suffix", STATS_PATHS)
@pytest.mark.parametrize("role,expected", DISTRICT_MATRIX)
def test_district_report_matrix(work, client_for, suffix, role, expected):
    response = client_for(who(work.world, role)).get(f"/api/v1/teams/{work.world.district.pk}/{suffix}")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("suffix", STATS_PATHS)
@pytest.mark.parametrize("role,expected", C1_MATRIX)
def test_commune_report_matrix(work, client_for, suffix, role, expected):
    response = client_for(who(work.world, role)).get(f"/api/v1/teams/{work.world.c1.pk}/{suffix}")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("url", ["/api/v1/campaigns/{camp}/stats/", "/api/v1/tasks/{task}/history/"])
@pytest.mark.parametrize("role,expected", DISTRICT_MATRIX)
def test_campaign_and_task_matrix(work, client_for, url, role, expected):
    url = url.format(camp=work.camp.pk, task=work.past.pk)
    assert client_for(who(work.world, role)).get(url).status_code == expected


@pytest.mark.parametrize("role", ["member_v1a", "outsider"])
def test_plain_members_get_403_even_with_csv_and_bad_filters(work, client_for, role):
    response = client_for(getattr(work.world, role)).get(
        f"/api/v1/teams/{work.world.v1a.pk}/stats/", {"format": "csv", "since": "nonsense"}
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 403


def test_unknown_team_and_campaign_are_404(work, client_for):
    client = client_for(work.world.superuser)
    assert client.get("/api/v1/teams/999999/stats/").status_code == 404
    assert client.get("/api/v1/campaigns/999999/stats/").status_code == 404
    assert client.get("/api/v1/tasks/999999/history/").status_code == 404


@pytest.mark.parametrize("suffix", ["stats/", "stats/children/", "stats/daily/", "stats/members/"])
@pytest.mark.parametrize("params,field", [
    ({"since": "2025-03-12", "until": "2025-03-10"}, "since"),
    ({"since": "2024-01-01", "until": "2025-01-01"}, "until"),   # 367 days
    ({"since": "10/03/2025"}, "since"),
    ({"task": "999999"}, "task"),
    ({"task": "abc"}, "task"),
    ({"campaign": "999999"}, "campaign"),
])
def test_bad_filters_are_400_naming_the_field(work, client_for, suffix, params, field):
    response = client_for(work.world.coord_district).get(f"/api/v1/teams/{work.world.district.pk}/{suffix}", params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_daily_range_is_capped_when_only_since_is_given(work, client_for):
    url = f"/api/v1/teams/{work.world.district.pk}/stats/daily/"
    response = client_for(work.world.coord_district).get(url, {"since": "2020-01-01"})
    assert response.status_code == 400
    assert "until" in response.json()["errors"]


def test_a_full_year_is_allowed(work, client_for):
    response = client_for(work.world.coord_district).get(
        f"/api/v1/teams/{work.world.district.pk}/stats/daily/", {"since": "2024-03-14", "until": "2025-03-14"}
    )
    assert response.status_code == 200
    assert len(response.json()) == 366


def test_filters_outside_the_callers_reach_are_unknown(work, client_for):
    client = client_for(work.world.coord_district)
    url = f"/api/v1/teams/{work.world.district.pk}/stats/"
    response = client.get(url, {"task": work.other.pk, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "task" in response.json()["errors"]


def test_a_coordinator_of_two_subtrees_filters_by_the_work_of_both(work, client_for):
    """Someone coordinating Tâm Thắng and the Krông Nô district filters reports by a task of
    either subtree (or above one: "past" is the Cư Jút district's), never by one beside them."""
    from teams.models import Member, Membership
    from tests.factories import TaskFactory

    w = work.world
    Membership.objects.create(member=w.coord_c1, team=w.other_district, role="coordinator")
    beside = TaskFactory(team=w.c2, created_by=w.coord_c2)
    client = client_for(Member.objects.get(pk=w.coord_c1.pk))

    def answer(team, task):
        return client.get(f"/api/v1/teams/{team.pk}/stats/", {"task": task.pk}).status_code

    assert answer(w.c1, work.past) == 200
    assert answer(w.other_district, work.other) == 200
    assert answer(w.c1, beside) == 400

def test_bad_filter_on_campaign_stats(work, client_for):
    response = client_for(work.world.coord_district).get(
        f"/api/v1/campaigns/{work.camp.pk}/stats/", {"since": "2025-03-12", "until": "2025-03-01"}
    )
    assert response.status_code == 400
    assert "since" in response.json()["errors"]


def test_campaign_of_a_sibling_is_404(work, client_for):
    from tests.factories import CampaignFactory

    sibling = CampaignFactory(team=work.world.c2)
    assert client_for(work.world.coord_c1).get(f"/api/v1/campaigns/{sibling.pk}/stats/").status_code == 404
    assert client_for(work.world.coord_c2).get(f"/api/v1/campaigns/{sibling.pk}/stats/").status_code == 200


# Query counts -------------------------------------------------------------------

def count_queries(django_assert_max_num_queries, client, url, limit, **params):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("suffix,limit", [
    ("stats/", 5),            # scope, team, counts (rollup), offline quantities, active members
    ("stats/children/", 6),   # scope, team, teams below, counts by team, quantities by child, active by child
    ("stats/daily/", 6),      # scope, team, created, completed, verified, quantity
    ("stats/members/", 5),    # scope, team, page count, page, medians of the page (SQLite)
])
def test_query_counts_do_not_grow_with_children_members_or_days(
    work, grow, client_for, django_assert_max_num_queries, suffix, limit
):
    client = client_for(work.world.coord_district)
    url = f"/api/v1/teams/{work.world.district.pk}/{suffix}"
    small = count_queries(django_assert_max_num_queries, client, url, limit,
                          since="2025-03-10", until="2025-03-12", page_size=1)
    grow(12, work.future)
    grow(5, work.extra, parent=work.world.c1, level="village")
    large = count_queries(django_assert_max_num_queries, client, url, limit,
                          since="2024-03-14", until="2025-03-14", page_size=100)
    assert small == large


def test_grown_children_are_all_counted(work, grow, client_for):
    grow(12, work.future)
    rows = client_for(work.world.coord_district).get(f"/api/v1/teams/{work.world.district.pk}/stats/children/").json()
    assert len(rows) == 14
    assert sum(row["assignments"]["total"] for row in rows) == 11 + 12
    assert sum(row["members_active"] for row in rows) == 4 + 12


def test_campaign_stats_query_count(work, client_for, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # scope, campaign, tasks, counts, quantities, active members
        assert client_for(work.world.coord_district).get(f"/api/v1/campaigns/{work.camp.pk}/stats/").status_code == 200


def test_schema_documents_csv_and_validates(db):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    for path in ["/api/v1/teams/{id}/stats/", "/api/v1/teams/{id}/stats/children/",
                 "/api/v1/teams/{id}/stats/daily/", "/api/v1/teams/{id}/stats/members/",
                 "/api/v1/campaigns/{id}/stats/"]:
        operation = schema["paths"][path]["get"]
        formats = [p for p in operation["parameters"] if p["name"] == "format"]
        assert formats and sorted(formats[0]["schema"]["enum"]) == ["csv", "json"], path
        assert list(operation["responses"]["200"]["content"]) == ["application/json", "text/csv"], path
        assert list(operation["responses"]["400"]["content"]) == ["application/json"], path
    for path in ["/api/v1/teams/{id}/history/", "/api/v1/tasks/{id}/history/"]:
        assert "200" in schema["paths"][path]["get"]["responses"]


@pytest.mark.postgres
def test_stats_covering_index_exists_on_postgresql(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'reports_assignment_team_stats'")
        (definition,) = cursor.fetchone()
    assert "(team_id) INCLUDE (status, task_id, assignee_id, created_at, completed_at, reviewed_at)" in definition
