"""CSV for the report endpoints (`?format=csv`).

UTF-8 with a byte-order mark so spreadsheet programs read Vietnamese names
correctly, one header row, then the same numbers the JSON carries: nested
objects become dotted columns (`assignments.total`), a list or a page's
`results` become rows.
"""
import csv
import io

from rest_framework import renderers

BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flatten(row: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        rows = [flatten(item) for item in (data if isinstance(data, list) else [data])]
        columns = list(getattr(view, "csv_columns", None) or [])
        for row in rows:
            columns += [key for key in row if key not in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row.get(column)) for column in columns])
        return (BOM + buffer.getvalue()).encode("utf-8")


class ReportXLSXRenderer(renderers.BaseRenderer):
    """A period report as a workbook (reports.documents.report_xlsx); `data` is the report's dict."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from .documents import report_xlsx

        return report_xlsx(data)


class ReportPDFRenderer(renderers.BaseRenderer):
    """A period report as an A4 PDF (reports.documents.report_pdf); `data` is the report's dict."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from .documents import report_pdf

        return report_pdf(data)
