"""Numbers of the report endpoints against the hand-counted fixture in conftest.py."""
import csv
import io

import pytest
from django.db import connection

from tests.reports.conftest import DISTRICT_COUNTS, counts

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def read_csv(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf"), "spreadsheet programs need the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8")[1:])))


# Summary ----------------------------------------------------------------------

def test_district_summary_counts_the_whole_subtree(work, client_for):
    data = get(client_for(work.world.coord_district), f"/api/v1/teams/{work.world.district.pk}/stats/")
    assert data["assignments"] == DISTRICT_COUNTS
    assert data["completion_rate"] == 0.5
    assert data["members_active"] == 4
    assert data["team"]["name"] == "Cư Jút"


def test_commune_and_village_summaries(work, client_for):
    client = client_for(work.world.coord_district)
    c1 = get(client, f"/api/v1/teams/{work.world.c1.pk}/stats/")
    assert c1["assignments"] == counts(total=9, assigned=2, in_progress=1, completed=2, verified=2,
                                       rejected=1, cancelled=1, overdue=3)
    assert c1["completion_rate"] == 0.5
    assert c1["members_active"] == 3
    v1b = get(client, f"/api/v1/teams/{work.world.v1b.pk}/stats/")
    assert v1b["assignments"] == counts(total=2, rejected=1, cancelled=1, overdue=1)
    assert v1b["completion_rate"] == 0.0


def test_empty_subtree_has_zero_rate(work, client_for):
    data = get(client_for(work.world.superuser), f"/api/v1/teams/{work.world.province.pk}/stats/",
               task=work.other.pk, until="2025-03-01")
    assert data["assignments"] == counts()
    assert data["completion_rate"] == 0.0


def test_filters_task_campaign_and_days(work, client_for):
    client = client_for(work.world.coord_district)
    url = f"/api/v1/teams/{work.world.district.pk}/stats/"
    by_task = get(client, url, task=work.future.pk)
    assert by_task["assignments"] == counts(total=5, assigned=1, completed=1, verified=2, cancelled=1)
    assert by_task["completion_rate"] == 0.75
    by_campaign = get(client, url, campaign=work.camp.pk)
    assert by_campaign["assignments"] == counts(total=5, assigned=1, in_progress=1, completed=1, rejected=1,
                                                 declined=1, overdue=3)
    # Assignment 3 was created on 10 March in UTC but the 11th in Vietnam.
    one_day = get(client, url, since="2025-03-11", until="2025-03-11")
    assert one_day["assignments"] == counts(total=3, completed=1, verified=1, rejected=1, overdue=1)
    assert get(client, url, since="2025-03-12")["assignments"]["total"] == 4
    assert get(client, url, until="2025-03-10")["assignments"]["total"] == 4


def test_campaign_owned_above_the_caller_is_a_known_filter(work, client_for):
    from tests.factories import CampaignFactory

    province_campaign = CampaignFactory(team=work.world.province)
    data = get(client_for(work.world.coord_c1), f"/api/v1/teams/{work.world.c1.pk}/stats/",
               campaign=province_campaign.pk)
    assert data["assignments"]["total"] == 0


def test_summary_csv_has_the_json_numbers(work, client_for):
    client = client_for(work.world.observer_district)
    url = f"/api/v1/teams/{work.world.district.pk}/stats/"
    rows = read_csv(client.get(url, {"format": "csv"}))
    assert len(rows) == 1
    row = rows[0]
    assert row["team.name"] == "Cư Jút"
    for key, value in DISTRICT_COUNTS.items():
        assert int(row[f"assignments.{key}"]) == value
    assert float(row["completion_rate"]) == 0.5
    assert int(row["members_active"]) == 4
    # JSON stays the default.
    assert client.get(url)["Content-Type"] == "application/json"


# Drill-down -------------------------------------------------------------------

def test_children_of_the_district(work, client_for):
    rows = get(client_for(work.world.coord_district), f"/api/v1/teams/{work.world.district.pk}/stats/children/")
    by_name = {row["team"]["name"]: row for row in rows}
    assert set(by_name) == {"Tâm Thắng", "Nam Dong"}
    c1 = by_name["Tâm Thắng"]
    # c1 holds assignment 11 itself; its villages hold the rest.
    assert c1["assignments"] == counts(total=9, assigned=2, in_progress=1, completed=2, verified=2,
                                       rejected=1, cancelled=1, overdue=3)
    assert c1["members_active"] == 3
    c2 = by_name["Nam Dong"]
    assert c2["assignments"] == counts(total=2, verified=1, declined=1)
    assert c2["completion_rate"] == 0.5
    assert c2["members_active"] == 1


def test_children_of_a_commune_leave_out_work_held_at_the_commune(work, client_for):
    rows = get(client_for(work.world.coord_c1), f"/api/v1/teams/{work.world.c1.pk}/stats/children/")
    by_name = {row["team"]["name"]: row for row in rows}
    assert by_name["Thôn 1"]["assignments"] == counts(total=6, assigned=1, in_progress=1, completed=2,
                                                      verified=2, overdue=2)
    assert by_name["Thôn 1"]["completion_rate"] == 0.6667
    assert by_name["Thôn 1"]["members_active"] == 2
    assert by_name["Thôn 2"]["assignments"] == counts(total=2, rejected=1, cancelled=1, overdue=1)


def test_children_with_no_work_are_listed_with_zeros(work, client_for):
    rows = get(client_for(work.world.coord_c2), f"/api/v1/teams/{work.world.c2.pk}/stats/children/",
               task=work.extra.pk)
    assert [(row["team"]["name"], row["assignments"]["total"]) for row in rows] == [("Thôn 4", 0)]


def test_children_csv(work, client_for):
    client = client_for(work.world.coord_district)
    url = f"/api/v1/teams/{work.world.district.pk}/stats/children/"
    json_rows = {row["team"]["id"]: row for row in get(client, url)}
    rows = read_csv(client.get(url, {"format": "csv"}))
    assert len(rows) == 2
    for row in rows:
        expected = json_rows[int(row["team.id"])]
        assert row["team.name"] == expected["team"]["name"]
        for key, value in expected["assignments"].items():
            assert int(row[f"assignments.{key}"]) == value
        assert int(row["members_active"]) == expected["members_active"]


# Daily ------------------------------------------------------------------------

def test_daily_series_in_vietnam_days_with_zero_days(work, client_for):
    rows = get(client_for(work.world.coord_district), f"/api/v1/teams/{work.world.district.pk}/stats/daily/",
               since="2025-03-09", until="2025-03-14")
    assert rows == [
        {"date": "2025-03-09", "created": 0, "completed": 0, "verified": 0, "quantity": 0},
        {"date": "2025-03-10", "created": 4, "completed": 1, "verified": 0, "quantity": 0},
        {"date": "2025-03-11", "created": 3, "completed": 3, "verified": 0, "quantity": 0},
        {"date": "2025-03-12", "created": 4, "completed": 2, "verified": 2, "quantity": 0},
        {"date": "2025-03-13", "created": 0, "completed": 0, "verified": 1, "quantity": 0},
        {"date": "2025-03-14", "created": 0, "completed": 0, "verified": 0, "quantity": 0},
    ]


def test_daily_series_filters_and_csv(work, client_for):
    client = client_for(work.world.observer_district)
    url = f"/api/v1/teams/{work.world.v1a.pk}/stats/daily/"
    params = {"since": "2025-03-10", "until": "2025-03-12", "task": work.future.pk}
    rows = get(client, url, **params)
    assert rows == [
        {"date": "2025-03-10", "created": 0, "completed": 0, "verified": 0, "quantity": 0},
        {"date": "2025-03-11", "created": 2, "completed": 2, "verified": 0, "quantity": 0},
        {"date": "2025-03-12", "created": 0, "completed": 0, "verified": 1, "quantity": 0},
    ]
    csv_rows = read_csv(client.get(url, {**params, "format": "csv"}))
    assert [list(r.values()) for r in csv_rows] == [
        [r["date"], str(r["created"]), str(r["completed"]), str(r["verified"]), str(r["quantity"])] for r in rows
    ]


def test_daily_defaults_to_the_last_30_days(work, client_for):
    rows = get(client_for(work.world.coord_district), f"/api/v1/teams/{work.world.district.pk}/stats/daily/")
    assert len(rows) == 30


# Member board -----------------------------------------------------------------

def test_member_board_order_counts_and_medians(work, client_for):
    w = work.world
    data = get(client_for(w.coord_district), f"/api/v1/teams/{w.district.pk}/stats/members/")
    assert data["count"] == 6
    rows = data["results"]
    assert [row["member"]["id"] for row in rows] == [
        w.member_v1a.pk, w.member_v1a_2.pk, w.member_v2a.pk, w.inactive_v1a.pk, w.coord_c1.pk, w.member_v1b.pk,
    ]
    by_id = {row["member"]["id"]: row for row in rows}
    lan = by_id[w.member_v1a.pk]
    assert lan["assignments"] == counts(total=3, assigned=1, completed=1, verified=1, overdue=1)
    # 9.5 h and 30 min: the median of two is their mean.
    assert lan["median_completion_seconds"] == 18000.0
    assert by_id[w.member_v1a_2.pk]["median_completion_seconds"] == 10800.0
    assert by_id[w.member_v2a.pk]["median_completion_seconds"] == 3600.0
    assert by_id[w.inactive_v1a.pk]["member"]["is_active"] is False
    assert by_id[w.inactive_v1a.pk]["median_completion_seconds"] == 169200.0
    # Nobody has done anything: still on the board, with zeros.
    assert by_id[w.member_v1b.pk]["assignments"]["verified"] == 0
    assert by_id[w.member_v1b.pk]["median_completion_seconds"] is None


def test_member_board_pages_and_filters(work, client_for):
    w = work.world
    client = client_for(w.coord_district)
    url = f"/api/v1/teams/{w.district.pk}/stats/members/"
    page2 = get(client, url, page=2, page_size=4)
    # Ties (no verified, no completed work) go by id.
    assert [row["member"]["id"] for row in page2["results"]] == [w.coord_c1.pk, w.member_v1b.pk]
    by_task = get(client, url, task=work.extra.pk)
    top = by_task["results"][0]
    assert top["member"]["id"] == w.member_v1a.pk
    assert top["assignments"] == counts(total=1, verified=1)
    assert top["median_completion_seconds"] == 1800.0
    # Other people of the subtree are still listed, with zeros.
    assert by_task["count"] == 4


def test_member_board_csv(work, client_for):
    w = work.world
    client = client_for(w.observer_district)
    url = f"/api/v1/teams/{w.district.pk}/stats/members/"
    json_rows = get(client, url)["results"]
    rows = read_csv(client.get(url, {"format": "csv"}))
    assert [row["member.full_name"] for row in rows] == [row["member"]["full_name"] for row in json_rows]
    assert rows[0]["member.full_name"] == "Đặng Thị Lan"
    assert int(rows[0]["assignments.verified"]) == 1
    assert float(rows[0]["median_completion_seconds"]) == 18000.0
    assert rows[-1]["median_completion_seconds"] == ""


# Campaign ---------------------------------------------------------------------

def test_campaign_progress(work, client_for):
    data = get(client_for(work.world.observer_district), f"/api/v1/campaigns/{work.camp.pk}/stats/")
    assert data["campaign"] == {"id": work.camp.pk, "name": "Chiến dịch mùa xuân", "team": work.world.district.pk}
    assert data["tasks"] == 1
    assert data["assignments"] == counts(total=5, assigned=1, in_progress=1, completed=1, rejected=1, declined=1,
                                         overdue=3)
    assert data["completion_rate"] == 0.2
    assert data["members_active"] == 4


def test_campaign_csv(work, client_for):
    rows = read_csv(client_for(work.world.coord_district).get(f"/api/v1/campaigns/{work.camp.pk}/stats/",
                                                              {"format": "csv"}))
    assert rows[0]["campaign.name"] == "Chiến dịch mùa xuân"
    assert int(rows[0]["assignments.total"]) == 5
    assert int(rows[0]["assignments.overdue"]) == 3
    assert float(rows[0]["completion_rate"]) == 0.2


def test_campaign_progress_on_a_topic(on_topics, client_for):
    from tasks.models import Task

    w = on_topics
    Task.objects.filter(pk=w.future.pk).update(campaign=w.camp)  # the campaign now has a task of each topic
    client = client_for(w.world.coord_district)
    url = f"/api/v1/campaigns/{w.camp.pk}/stats/"
    everything = get(client, url)
    assert everything["tasks"] == 2 and everything["assignments"]["total"] == 10
    scam = get(client, url, topic=w.scam.pk)
    assert scam["tasks"] == 1
    assert scam["assignments"] == counts(total=5, assigned=1, in_progress=1, completed=1, rejected=1, declined=1,
                                         overdue=3)
    assert scam["completion_rate"] == 0.2
    good = get(client, url, topic=w.good.pk)
    assert good["tasks"] == 1
    assert good["assignments"] == counts(total=5, assigned=1, completed=1, verified=2, cancelled=1)
    assert good["completion_rate"] == 0.75 and good["members_active"] == 4
    dated = get(client, url, topic=w.good.pk, since="2025-03-11", until="2025-03-11")  # counted live
    assert dated["assignments"] == counts(total=2, completed=1, verified=1)
    rows = read_csv(client.get(url, {"topic": w.good.pk, "format": "csv"}))
    assert (rows[0]["tasks"], rows[0]["assignments.total"], rows[0]["assignments.verified"]) == ("1", "5", "2")
    assert float(rows[0]["completion_rate"]) == 0.75
    for topic in (w.elsewhere.pk, 987654):
        for params in ({"topic": topic}, {"topic": topic, "format": "csv"}):
            response = client.get(url, params)
            assert response.status_code == 400 and list(response.json()["errors"]) == ["topic"], params


def test_csv_neutralises_formulas_in_names(work, client_for):
    work.world.c2.name = "=HYPERLINK(\"x\")"
    work.world.c2.save()
    rows = read_csv(client_for(work.world.coord_district).get(
        f"/api/v1/teams/{work.world.district.pk}/stats/children/", {"format": "csv"}))
    assert "'=HYPERLINK(\"x\")" in [row["team.name"] for row in rows]


# Overdue has one definition -----------------------------------------------------

def test_is_overdue_agrees_with_the_counted_rule(work):
    from tasks.overdue import is_overdue, overdue_q
    from tasks.models import Assignment

    counted = set(Assignment.objects.filter(overdue_q()).values_list("pk", flat=True))
    one_by_one = {a.pk for a in Assignment.objects.select_related("task") if is_overdue(a)}
    assert counted == one_by_one == {work.a1.pk, work.a2.pk, work.a5.pk}


@pytest.mark.postgres
def test_median_is_computed_by_postgresql(work):
    from reports.selectors import StatsFilter, member_board

    board = list(member_board(StatsFilter(path=work.world.district.path)))
    assert connection.vendor == "postgresql"
    assert {m.pk: m.median_seconds for m in board}[work.world.member_v1a.pk] == 18000.0


def test_empty_csv_still_has_its_header(work, client_for):
    client = client_for(work.world.coord_v1a)
    response = client.get(f"/api/v1/teams/{work.world.v1a.pk}/stats/children/", {"format": "csv"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "team.id,team.name,team.level,assignments.total,assignments.assigned,assignments.in_progress,"
        "assignments.completed,assignments.verified,assignments.rejected,assignments.declined,"
        "assignments.cancelled,assignments.overdue,completion_rate,quantity,members_active"
    ]
