"""Participation, the team board, `show_on_boards` and the period reports (JSON, XLSX,
PDF) against the hand-counted work of tests/reports/conftest.py (March 2025)."""
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from teams.models import Membership
from tests.factories import AssignmentFactory, TaskFactory

from .conftest import DISTRICT_COUNTS, VN, counts, local


@pytest.fixture
def joined(work):
    """The district's member-role people joined in February 2025, Dương Thị Mai on 5 March."""
    w = work.world
    Membership.objects.filter(team__path__startswith=w.district.path, role="member").update(
        created_at=datetime(2025, 2, 10, 9, tzinfo=VN))
    Membership.objects.filter(member=w.member_v2a).update(created_at=datetime(2025, 3, 5, 9, tzinfo=VN))
    return work


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response


# Participation ---------------------------------------------------------------------------------

def test_participation_by_month(joined, client_for):
    w = joined.world
    # April: only Đặng Thị Lan hands in work; the four others active in March lapse.
    task = TaskFactory(team=w.district, created_by=w.coord_district)
    AssignmentFactory(task=task, assignee=w.member_v1a, team=w.v1a, status="completed",
                      created_at=datetime(2025, 4, 2, 8, tzinfo=VN), completed_at=datetime(2025, 4, 2, 9, tzinfo=VN))
    rows = get(client_for(w.coord_district), f"/api/v1/teams/{w.district.pk}/stats/participation/",
               since="2025-02-01", until="2025-04-30", interval="month").json()["results"]
    assert rows == [
        {"period_start": "2025-02-01", "members": 3, "active": 0, "new": 3, "lapsed": 0},
        # Active: Lan, Minh, Hoa (rejected later: still handed in), Mai, and the one who left.
        {"period_start": "2025-03-01", "members": 4, "active": 5, "new": 1, "lapsed": 0},
        {"period_start": "2025-04-01", "members": 4, "active": 1, "new": 0, "lapsed": 4},
    ]


def test_participation_by_week_and_of_a_village(joined, client_for):
    w = joined.world
    client = client_for(w.observer_district)
    weeks = get(client, f"/api/v1/teams/{w.district.pk}/stats/participation/",
                since="2025-03-03", until="2025-03-16", interval="week").json()["results"]
    assert [(r["period_start"], r["active"], r["new"]) for r in weeks] == [("2025-03-03", 0, 1), ("2025-03-10", 5, 0)]
    village = get(client, f"/api/v1/teams/{w.v1a.pk}/stats/participation/",
                  since="2025-03-01", until="2025-03-31").json()["results"]
    assert village == [{"period_start": "2025-03-01", "members": 2, "active": 3, "new": 0, "lapsed": 0}]


def test_participation_refuses_members_and_bad_ranges(joined, client_for):
    w = joined.world
    url = f"/api/v1/teams/{w.district.pk}/stats/participation/"
    assert client_for(w.member_v1a).get(url).status_code == 403
    assert client_for(w.coord_other_district).get(url).status_code == 404
    bad = client_for(w.coord_district).get(url, {"interval": "day"})
    assert bad.status_code == 400 and "interval" in bad.json()["errors"]
    assert client_for(w.coord_district).get(url, {"since": "2020-01-01", "until": "2025-01-01"}).status_code == 400
    assert client_for(w.coord_district).get(url).status_code == 200  # the last twelve months


def test_participation_on_a_topic_counts_only_its_work(joined, on_topics, client_for):
    w = joined.world
    # Lan hands in scam work at 00:30 on 1 April, Vietnam time (still 31 March in UTC).
    scam_april = TaskFactory(team=w.district, created_by=w.coord_district, topic=on_topics.scam)
    AssignmentFactory(task=scam_april, assignee=w.member_v1a, team=w.v1a, status="completed",
                      created_at=datetime(2025, 3, 31, 20, tzinfo=VN),
                      completed_at=datetime(2025, 4, 1, 0, 30, tzinfo=VN))
    client = client_for(w.coord_district)
    url = f"/api/v1/teams/{w.district.pk}/stats/participation/"
    months = {"since": "2025-02-01", "until": "2025-04-30", "interval": "month"}

    def rows(**params):
        return [(r["period_start"], r["members"], r["active"], r["new"], r["lapsed"])
                for r in get(client, url, **months, **params).json()["results"]]

    # members and new are the memberships whatever the topic
    assert rows() == [("2025-02-01", 3, 0, 3, 0), ("2025-03-01", 4, 5, 1, 0), ("2025-04-01", 4, 1, 0, 4)]
    # scam: Hoa and the one who left in March, both lapse in April; Lan is new to it in April
    assert rows(topic=on_topics.scam.pk) == [
        ("2025-02-01", 3, 0, 3, 0), ("2025-03-01", 4, 2, 1, 0), ("2025-04-01", 4, 1, 0, 2)]
    # good deeds: Lan, Minh and Mai in March; all three lapse, Lan too though she did scam work in April
    assert rows(topic=on_topics.good.pk) == [
        ("2025-02-01", 3, 0, 3, 0), ("2025-03-01", 4, 3, 1, 0), ("2025-04-01", 4, 0, 0, 3)]
    weeks = get(client, url, since="2025-03-10", until="2025-03-23", interval="week",
                topic=on_topics.scam.pk).json()["results"]
    assert [(r["period_start"], r["active"], r["lapsed"]) for r in weeks] == [("2025-03-10", 2, 0),
                                                                             ("2025-03-17", 0, 2)]
    village = get(client, f"/api/v1/teams/{w.v1b.pk}/stats/participation/", since="2025-03-01",
                  until="2025-03-31", topic=on_topics.scam.pk).json()["results"]
    assert [(r["active"], r["members"]) for r in village] == [(1, 1)]  # Hoa


def test_participation_refuses_an_unknown_topic_or_one_out_of_sight(joined, on_topics, client_for):
    from tasks.models import Topic

    w = joined.world
    sibling = Topic.objects.create(team=w.c2, name="Nam Dong: thể thao")
    refusals = [
        (w.coord_district, w.district, 987654),           # no such topic
        (w.coord_district, w.district, on_topics.elsewhere.pk),  # the other district's
        (w.coord_c1, w.c1, sibling.pk),                   # the sibling commune's
    ]
    for caller, team, topic in refusals:
        response = client_for(caller).get(f"/api/v1/teams/{team.pk}/stats/participation/", {"topic": topic})
        assert response.status_code == 400, (caller, topic)
        assert list(response.json()["errors"]) == ["topic"]
    assert client_for(w.coord_c1).get(f"/api/v1/teams/{w.c1.pk}/stats/participation/",
                                      {"topic": on_topics.scam.pk}).status_code == 200  # a topic from above
    bad = client_for(w.coord_district).get(f"/api/v1/teams/{w.district.pk}/stats/participation/", {"topic": "x"})
    assert bad.status_code == 400 and "topic" in bad.json()["errors"]


def test_participation_on_a_topic_is_one_live_query_whatever_the_periods(joined, on_topics, grow, client_for,
                                                                          django_assert_num_queries):
    w = joined.world
    client = client_for(w.coord_district)
    url = f"/api/v1/teams/{w.district.pk}/stats/participation/"
    # the caller's roles, the team, the topic's scope check, active and lapsed live, the memberships
    with django_assert_num_queries(5):
        get(client, url, since="2025-03-10", until="2025-03-16", interval="week", topic=on_topics.good.pk)
    grow(6, on_topics.future)
    with django_assert_num_queries(5) as captured:
        rows = get(client, url, since="2024-04-01", until="2025-03-31", interval="week",
                   topic=on_topics.good.pk).json()["results"]
    assert len(rows) == 53
    assert {r["period_start"]: r["active"] for r in rows}["2025-03-10"] == 3 + 6
    assert not any("reports_subtreeperiod" in q["sql"] for q in captured.captured_queries)


# Boards ----------------------------------------------------------------------------------------

def test_team_board_ranks_the_children(work, client_for):
    w = work.world
    rows = get(client_for(w.coord_district), f"/api/v1/teams/{w.district.pk}/stats/teams/").json()
    assert [(r["rank"], r["team"]["name"]) for r in rows] == [(1, "Tâm Thắng"), (2, "Nam Dong")]
    assert rows[0]["assignments"]["verified"] == 2 and rows[1]["assignments"]["verified"] == 1
    assert sum(r["assignments"]["total"] for r in rows) == DISTRICT_COUNTS["total"]


def test_team_board_on_a_topic(on_topics, client_for):
    w = on_topics.world
    client = client_for(w.coord_district)
    url = f"/api/v1/teams/{w.district.pk}/stats/teams/"
    scam = get(client, url, topic=on_topics.scam.pk).json()
    assert [(r["rank"], r["team"]["name"]) for r in scam] == [(1, "Tâm Thắng"), (2, "Nam Dong")]
    assert scam[0]["assignments"] == counts(total=4, assigned=1, in_progress=1, completed=1, rejected=1, overdue=3)
    assert scam[1]["assignments"] == counts(total=1, declined=1)
    assert scam[0]["completion_rate"] == 0.25 and scam[0]["members_active"] == 3
    good = get(client, url, topic=on_topics.good.pk).json()
    assert good[0]["assignments"] == counts(total=4, assigned=1, completed=1, verified=1, cancelled=1)
    assert good[1]["assignments"] == counts(total=1, verified=1)
    csv_rows = get(client, url, topic=on_topics.scam.pk, format="csv").content.decode("utf-8-sig").splitlines()
    header = csv_rows[0].split(",")
    assert [dict(zip(header, line.split(",")))["assignments.total"] for line in csv_rows[1:]] == ["4", "1"]
    for topic in (on_topics.elsewhere.pk, 987654):
        for params in ({"topic": topic}, {"topic": topic, "format": "csv"}):
            response = client.get(url, params)
            assert response.status_code == 400 and list(response.json()["errors"]) == ["topic"], params


def test_show_on_boards_hides_the_name_not_the_numbers(work, client_for):
    w = work.world
    me = client_for(w.member_v1a)
    assert me.get("/api/v1/me/").json()["show_on_boards"] is True
    response = me.patch("/api/v1/me/", {"show_on_boards": False}, format="json")
    assert response.status_code == 200 and response.json()["show_on_boards"] is False
    coordinator = client_for(w.coord_district)
    for params in ({}, {"since": "2025-03-01", "until": "2025-03-31"}):  # from the rollups, and live
        board = get(coordinator, f"/api/v1/teams/{w.district.pk}/stats/members/", **params).json()
        assert w.member_v1a.pk not in [row["member"]["id"] for row in board["results"]]
        assert board["count"] == 5
    stats = get(coordinator, f"/api/v1/teams/{w.district.pk}/stats/").json()
    assert stats["assignments"] == DISTRICT_COUNTS and stats["members_active"] == 4
    teams = get(coordinator, f"/api/v1/teams/{w.district.pk}/stats/teams/").json()
    assert teams[0]["assignments"]["verified"] == 2
    report = get(coordinator, f"/api/v1/teams/{w.district.pk}/report/", period="month", date="2025-03-10").json()
    assert report["stats"]["assignments"] == DISTRICT_COUNTS


# Period reports --------------------------------------------------------------------------------

def test_month_report_sections(joined, client_for):
    w = joined.world
    data = get(client_for(w.observer_district), f"/api/v1/teams/{w.district.pk}/report/",
               period="month", date="2025-03-12").json()
    assert data["team"] == {"id": w.district.pk, "name": "Cư Jút", "level": "district"}
    assert data["period"] == {"kind": "month", "start": "2025-03-01", "end": "2025-03-31", "label": "2025-03"}
    assert data["stats"]["assignments"] == DISTRICT_COUNTS
    assert data["stats"]["completion_rate"] == 0.5 and data["stats"]["members_active"] == 4
    children = {row["team"]["name"]: row for row in data["children"]}
    assert children["Tâm Thắng"]["assignments"]["total"] == 9 and children["Nam Dong"]["assignments"]["total"] == 2
    assert data["campaigns"] == [{
        "campaign": {"id": joined.camp.pk, "name": "Chiến dịch mùa xuân", "team": w.district.pk}, "tasks": 1,
        "assignments": counts(total=5, assigned=1, in_progress=1, completed=1, rejected=1, declined=1, overdue=3),
        "completion_rate": 0.2, "quantity": 0,
    }]
    assert data["participation"] == {"members": 4, "active": 5, "new": 1, "lapsed": 0}
    assert len(data["daily"]) == 31
    day_10 = next(row for row in data["daily"] if row["date"] == "2025-03-10")
    assert day_10 == {"date": "2025-03-10", "created": 4, "completed": 1, "verified": 0, "quantity": 0}
    assert data["surveys"] == []
    assert data["channels"] == []  # the section is always there; tests/reports/test_report_channels.py fills it


def test_week_quarter_and_year_reports(joined, client_for):
    w = joined.world
    client = client_for(w.coord_c1)
    week = get(client, f"/api/v1/teams/{w.c1.pk}/report/", period="week", date="2025-03-13").json()
    assert week["period"]["start"] == "2025-03-10" and week["period"]["end"] == "2025-03-16"
    assert week["stats"]["assignments"]["total"] == 9
    before = get(client, f"/api/v1/teams/{w.c1.pk}/report/", period="week", date="2025-03-09").json()
    assert before["stats"]["assignments"]["total"] == 0 and before["participation"]["active"] == 0
    quarter = get(client, f"/api/v1/teams/{w.c1.pk}/report/", period="quarter", date="2025-02-01").json()
    assert quarter["period"]["label"] == "2025-Q1" and quarter["stats"]["assignments"]["total"] == 9
    year = get(client, f"/api/v1/teams/{w.c1.pk}/report/", period="year", date="2025-12-31").json()
    assert year["period"] == {"kind": "year", "start": "2025-01-01", "end": "2025-12-31", "label": "2025"}
    assert year["participation"]["active"] == 4


def test_report_access_and_bad_input(work, client_for):
    w = work.world
    url = f"/api/v1/teams/{w.district.pk}/report/"
    assert client_for(w.member_v1a).get(url, {"format": "pdf"}).status_code == 403
    assert client_for(w.coord_c1).get(url).status_code == 404
    assert client_for(w.coord_other_district).get(url, {"format": "xlsx"}).status_code == 404
    bad = client_for(w.coord_district).get(url, {"period": "decade", "format": "xlsx"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")
    assert "period" in bad.json()["errors"]
    edge = client_for(w.coord_district).get(url, {"period": "year", "date": "9999-12-31"})
    assert edge.status_code == 400 and "date" in edge.json()["errors"]


def test_report_as_xlsx_reads_back_typed_and_vietnamese(joined, client_for):
    w = joined.world
    response = client_for(w.coord_district).get(f"/api/v1/teams/{w.district.pk}/report/",
                                                {"period": "month", "date": "2025-03-12", "format": "xlsx"},
                                                HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="report-{w.district.pk}-2025-03.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Đội cấp dưới", "Chiến dịch", "Kênh", "Khảo sát", "Tham gia", "Theo ngày"]
    summary = book["Tổng hợp"]
    assert summary["A1"].value == "Báo cáo Cư Jút, 2025-03"
    values = {row[0].value: row[1] for row in summary.iter_rows(min_row=5)}
    assert values["Tổng số"].value == 11 and values["Quá hạn"].value == 3
    assert values["Tỉ lệ hoàn thành"].value == 0.5 and values["Tỉ lệ hoàn thành"].number_format == "0.0%"
    children = {row[0].value: row[1].value for row in book["Đội cấp dưới"].iter_rows(min_row=5)}
    assert children == {"Tâm Thắng": 9, "Nam Dong": 2}
    assert book["Chiến dịch"]["A5"].value == "Chiến dịch mùa xuân"
    daily = book["Theo ngày"]
    assert daily["A5"].value == datetime(2025, 3, 1) and daily["A5"].number_format == "yyyy-mm-dd"
    assert daily["B14"].value == 4  # 10 March
    assert summary.column_dimensions["A"].width >= 12


@pytest.mark.skipif(not __import__("shutil").which("fc-list"), reason="no fontconfig: WeasyPrint has no fonts")
def test_report_as_pdf_holds_the_vietnamese_names(joined, client_for):
    from pypdf import PdfReader

    w = joined.world
    response = client_for(w.coord_district).get(f"/api/v1/teams/{w.district.pk}/report/",
                                                {"period": "month", "date": "2025-03-12", "format": "pdf"},
                                                HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    text = "\n".join(p.extract_text() for p in reader.pages)
    for words in ("Báo cáo Cư Jút, 2025-03", "Tâm Thắng", "Nam Dong", "Chiến dịch mùa xuân", "Tham gia"):
        assert words in text, words


def test_report_query_count_does_not_grow_with_children_or_days(work, grow, client_for,
                                                                django_assert_max_num_queries):
    client = client_for(work.world.coord_district)
    url = f"/api/v1/teams/{work.world.district.pk}/report/"

    def queries(**params):
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    small = queries(period="week", date="2025-03-10")
    grow(12, work.future)
    assert queries(period="year", date="2025-03-10") == small


def test_periods_at_the_calendar_edges():
    from reports.periods import period_of, periods_between

    assert period_of("week", date(2025, 3, 16)).start == date(2025, 3, 10)
    assert period_of("quarter", date(2025, 12, 31)).end == date(2025, 12, 31)
    assert period_of("month", date(2024, 2, 10)).end == date(2024, 2, 29)
    assert [p.label for p in periods_between("month", date(2024, 11, 30), date(2025, 1, 1))] == [
        "2024-11", "2024-12", "2025-01"]
    assert local(10, 8).date() == date(2025, 3, 10)
