"""CSV and XLSX of results, read back as a spreadsheet user would, in both languages."""
import csv
import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1, title="Khảo sát “chuyển đổi số” 2026")
    for n, person in enumerate(people_in(world.v1a, 6)):
        answer(survey, person, single="Không biết" if n else "Có", multiple=["Zalo", "VNeID"], scale=1 + n % 5,
               text="=CMD() góp ý" if n == 0 else f"Cần học thêm về ví điện tử {n}")
    return survey


HEADINGS = {
    "vi": ("Câu hỏi", "Số lượng", "Tỉ lệ trả lời", "Trung bình", "Trả lời tự do"),
    "en": ("Question", "Count", "Response rate", "Mean", "Free text"),
}


def _get(client, survey, fmt, language, **params):
    return client.get(f"/api/v1/surveys/{survey.pk}/results/", {"format": fmt, **params},
                      HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_xlsx_has_typed_cells_and_vietnamese_intact(world, client_for, answered, language):
    response = _get(client_for(world.coord_c1), answered, "xlsx", language)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    question, count, rate, mean, free_text = HEADINGS[language]
    assert rows[0][1] == "Khảo sát “chuyển đổi số” 2026"
    summary = {row[0]: row[1] for row in rows[:5]}
    assert summary[rate] == 0.5455 and isinstance(summary[rate], float)  # 6 of the 11 people in c1
    assert sheet.cell(row=5, column=2).number_format == "0.0%"
    header_at = next(i for i, row in enumerate(rows) if row[1] == question)
    assert rows[header_at][4] == count
    table = rows[header_at + 1:]
    single = {row[3]: row[4] for row in table if row[1] == "Bạn đã dùng dịch vụ công trực tuyến chưa?"}
    assert single == {"Có": 1, "Chưa": 0, "Không biết": 5}
    assert all(isinstance(v, int) for v in single.values())
    scale = {row[3]: row[4] for row in table if row[1] == "Mức tự tin khi nhận biết tin giả"}
    assert scale[1] == 2 and isinstance(scale[mean], float) and scale[mean] == pytest.approx(2.67)
    texts = sorted(row[3] for row in table if row[2] == free_text)
    assert "Cần học thêm về ví điện tử 3" in texts
    assert "'=CMD() góp ý" in texts  # never a formula
    assert all(sheet.cell(row=r, column=c).data_type != "f" for r in range(1, sheet.max_row + 1) for c in range(1, 6))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_csv_carries_the_same_table(world, client_for, answered, language):
    response = _get(client_for(world.coord_c1), answered, "csv", language)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    question, count, _rate, _mean, _free = HEADINGS[language]
    assert rows[0] == ["Survey" if language == "en" else "Khảo sát", "Khảo sát “chuyển đổi số” 2026"]
    header_at = rows.index(next(r for r in rows if r[1:2] == [question]))
    assert rows[header_at][4] == count
    multiple = {r[3]: r[4] for r in rows[header_at + 1:] if r[1] == "Ứng dụng nào bạn dùng hằng tuần?"}
    assert multiple == {"Zalo": "6", "Facebook": "0", "VNeID": "6"}


def test_a_suppressed_group_exports_no_answers(world, client_for, answered):
    response = _get(client_for(world.coord_c1), answered, "xlsx", "en", team=world.v1b.pk)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Hidden: fewer than 5 responses" in values
    assert not any(isinstance(v, str) and "ví điện tử" in v for v in values)


def test_errors_stay_json_whatever_format_was_asked_for(world, client_for, answered):
    response = _get(client_for(world.member_v1a), answered, "xlsx", "en")
    assert response.status_code == 403
    assert response.json()["status"] == 403
