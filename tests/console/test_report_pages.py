"""Period reports in the console: the API's XLSX and PDF of a team's week, month, quarter or
year, for coordinators and observers of the team or above; members get the 403 page, a team
outside the caller's subtree the 404 page, a bad day the report's 400 page in both languages."""
import io

import pytest
from openpyxl import load_workbook

from .conftest import text

pytestmark = pytest.mark.django_db


def test_the_report_page_offers_periods_and_the_teams_below(world, work, browse):
    client = browse(world.coord_c1)
    assert client.get("/console/reports/")["Location"] == f"/console/teams/{world.c1.pk}/report/"
    page = text(client.get(f"/console/teams/{world.c1.pk}/report/"))
    assert "Báo cáo: Tâm Thắng" in page and '<option value="quarter">Quý</option>' in page
    assert 'name="format" value="xlsx"' in page and 'name="format" value="pdf"' in page
    assert f"/console/teams/{world.v1a.pk}/report/" in page and "Thôn 4" not in page
    assert f"/console/teams/{world.c1.pk}/report/" in text(client.get(f"/console/teams/{world.c1.pk}/"))


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_a_coordinator_downloads_the_workbook_of_each_period(world, work, browse, period):
    response = browse(world.coord_c1).get(f"/console/teams/{world.c1.pk}/report/",
                                          {"period": period, "date": "2026-11-18", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    label = {"week": "2026-W47", "month": "2026-11", "quarter": "2026-Q4", "year": "2026"}[period]
    assert response["Content-Disposition"] == f'attachment; filename="report-{world.c1.pk}-{label}.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Tâm Thắng" in value for value in cells)  # Vietnamese intact
    assert any("Thôn 1" in value for value in cells)  # a child team's row


def test_an_observer_downloads_the_pdf_in_english(world, work, browse):
    response = browse(world.observer_district, lang="en").get(f"/console/teams/{world.c1.pk}/report/",
                                                              {"period": "month", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("lang, title, message", [
    (None, "Không lập được báo cáo này", "Ngày sai định dạng."),
    ("en", "This report cannot be made", "Date has wrong format.")])
def test_a_bad_day_is_the_reports_400_page_in_both_languages(world, browse, lang, title, message):
    response = browse(world.coord_c1, lang=lang).get(f"/console/teams/{world.c1.pk}/report/",
                                                     {"period": "month", "date": "18/11/2026", "format": "xlsx"})
    assert response.status_code == 400
    page = text(response)
    assert title in page and message in page and "YYYY-MM-DD" in page


def test_an_unknown_period_or_format_is_refused(world, browse):
    client = browse(world.coord_c1)
    assert client.get(f"/console/teams/{world.c1.pk}/report/", {"period": "decade", "format": "pdf"}).status_code == 400
    assert client.get(f"/console/teams/{world.c1.pk}/report/", {"format": "docx"}).status_code == 404


def test_members_and_other_subtrees_get_no_report(world, browse):
    member = browse(world.member_v1a)
    response = member.get(f"/console/teams/{world.v1a.pk}/report/", {"format": "xlsx"})
    assert response.status_code == 403 and "Không được phép" in text(response)
    response = browse(world.coord_c1).get(f"/console/teams/{world.c2.pk}/report/", {"format": "xlsx"})
    assert response.status_code == 404 and "Không tìm thấy" in text(response)
    # The village's coordinator reads their own village's report, not the commune's above it.
    village = browse(world.coord_v1a)
    assert village.get(f"/console/teams/{world.v1a.pk}/report/", {"format": "xlsx"}).status_code == 200
    assert village.get(f"/console/teams/{world.c1.pk}/report/", {"format": "xlsx"}).status_code == 404
