"""CSV and XLSX of a survey's results (`?format=csv`, `?format=xlsx`).

Both carry the same table: a few lines about the group, then one row per
option (a scale's value, a text answer) with its count. Headings follow the
request's language; the survey's own words are written as they were sent.
XLSX cells are typed: counts are numbers, the response rate a percentage.
"""
import csv
import io

from django.utils.translation import gettext as _
from rest_framework import renderers

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    """Text a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def result_rows(data: dict) -> tuple[list[list], list[str], list[list]]:
    """(summary rows, table header, table rows) of a results body, in the active language."""
    summary = [
        [_("Survey"), data.get("survey_title", data["survey"])],
        [_("Team"), data.get("team_name") or _("Whole audience")],
        [_("Responses"), data["responses"]],
        [_("Audience"), data["audience_size"]],
        [_("Response rate"), data["response_rate"]],
    ]
    header = [_("No."), _("Question"), _("Kind"), _("Answer"), _("Count")]
    rows = []
    kinds = {"single": _("One choice"), "multiple": _("Several choices"), "scale": _("Scale 1-5"),
             "text": _("Free text")}
    for number, q in enumerate(data["questions"], start=1):
        kind = kinds.get(q["kind"], q["kind"])
        if q["suppressed"]:
            rows.append([number, q["text"], kind, _("Hidden: fewer than %(k)d responses") %
                         {"k": data["min_group_size"]}, None])
            continue
        if q["kind"] == "text":
            for answer in q["answers"]:
                rows.append([number, q["text"], kind, answer, None])
            continue
        for option, n in q["counts"].items():
            rows.append([number, q["text"], kind, int(option) if q["kind"] == "scale" else option, n])
        if q["kind"] == "scale":
            rows.append([number, q["text"], kind, _("Mean"), q["mean"]])
    return summary, header, rows


class SurveyResultsCSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        summary, header, rows = result_rows(data)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in summary:
            writer.writerow([_safe(v) for v in row])
        writer.writerow([])
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else _safe(v) for v in row])
        return (BOM + buffer.getvalue()).encode("utf-8")


class SurveyResultsXLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        summary, header, rows = result_rows(data)
        book = Workbook()
        sheet = book.active
        sheet.title = _("Results")[:31]
        bold = Font(bold=True)
        for label, value in summary:
            sheet.append([label, _safe(value)])
            sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.cell(row=len(summary), column=2).number_format = "0.0%"
        sheet.append([])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in rows:
            sheet.append([_safe(v) for v in row])
        sheet.column_dimensions["B"].width = 50
        sheet.column_dimensions["D"].width = 40
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
