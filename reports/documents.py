"""A period report as a workbook (openpyxl) and as an A4 PDF (WeasyPrint).

Both are drawn from the dict of reports.period_report.period_report, in the
request's language. The workbook has one sheet per section with typed cells
(numbers as numbers, days as dates, rates as percentages) and set column widths;
the PDF names the team and the period in its title, draws the daily series as a
small bar chart (inline SVG, drawn by WeasyPrint itself) and uses DejaVu Sans, which
has every Vietnamese glyph (Debian's fonts-dejavu-core; REPORT_PDF_FONT names another).
"""
from __future__ import annotations

import io
from datetime import date, datetime
from html import escape

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from tasks.choices import Platform

STATUS_KEYS = ("total", "assigned", "in_progress", "completed", "verified", "rejected", "declined", "cancelled",
               "overdue")


def status_labels() -> dict[str, str]:
    return {
        "total": _("Total"), "assigned": _("Assigned"), "in_progress": _("In progress"),
        "completed": _("Completed"), "verified": _("Verified"), "rejected": _("Rejected"),
        "declined": _("Declined"), "cancelled": _("Cancelled"), "overdue": _("Overdue"),
    }


def platform_label(value: str) -> str:
    """The platform's name as people write it (Facebook, Zalo...), "other" in the request's language."""
    return str(Platform(value).label) if value in Platform.values else value


def title_of(report: dict) -> str:
    return _("Report of %(team)s, %(period)s") % {"team": report["team"]["name"], "period": report["period"]["label"]}


def period_line(report: dict) -> str:
    p = report["period"]
    return _("From %(start)s to %(end)s") % {"start": p["start"].isoformat(), "end": p["end"].isoformat()}


def sections(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) per section; rates are floats 0..1, days are dates."""
    labels = status_labels()
    counts = [labels[k] for k in STATUS_KEYS]
    stats = report["stats"]
    summary_rows = [[labels[k], stats["assignments"][k]] for k in STATUS_KEYS]
    summary_rows += [[_("Completion rate"), stats["completion_rate"]], [_("Active members"), stats["members_active"]]]
    if "quantity" in stats:
        summary_rows.append([_("Offline quantity"), stats["quantity"]])
    out = [(_("Summary"), [_("Measure"), _("Value")], summary_rows)]
    out.append((_("Child teams"), [_("Team"), *counts, _("Completion rate"), _("Active members")], [
        [row["team"]["name"], *[row["assignments"][k] for k in STATUS_KEYS], row["completion_rate"],
         row["members_active"]] for row in report["children"]
    ]))
    out.append((_("Campaigns"), [_("Campaign"), _("Tasks"), *counts, _("Completion rate")], [
        [row["campaign"]["name"], row["tasks"], *[row["assignments"][k] for k in STATUS_KEYS], row["completion_rate"]]
        for row in report["campaigns"]
    ]))
    if "channels" in report:
        out.append((_("Channels"), [_("Channel"), _("Platform"), _("Posts"), _("Days"), _("Target per day"),
                                    _("Days on target"), _("On-target rate")], [
            [row["channel"]["name"], platform_label(row["channel"]["platform"]), row["posts"], row["days"],
             row["target_per_day"], row["days_on_target"], row["on_target_rate"]] for row in report["channels"]
        ]))
    if "surveys" in report:
        out.append((_("Surveys"), [_("Survey"), _("Responses"), _("Audience"), _("Response rate")], [
            [row["survey"]["title"], row["responses"], row["audience_size"], row["response_rate"]]
            for row in report["surveys"]
        ]))
    part = report["participation"]
    out.append((_("Participation"), [_("Members"), _("Active"), _("New"), _("Lapsed")],
                [[part["members"], part["active"], part["new"], part["lapsed"]]]))
    # The day's offline quantities are those handed in that day (by completed_at), still completed or verified.
    out.append((_("Daily"), [_("Day"), _("Created"), _("Handed in"), _("Verified"), _("Offline quantity")], [
        [row["date"], row["created"], row["completed"], row["verified"], row.get("quantity", 0)]
        for row in report["daily"]
    ]))
    return out


# XLSX ------------------------------------------------------------------------------------------

def report_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sections(report):
        sheet = book.create_sheet(title=title[:31])
        sheet.append([title_of(report)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([period_line(report)])
        sheet.append([])
        sheet.append(header)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a team or campaign name is text, never a formula
        widths = [len(str(h)) for h in header]
        for r, row in enumerate(rows, start=5):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, float):  # every float of a report is a rate
                    cell.number_format = "0.0%"
                widths[c - 1] = max(widths[c - 1], len(value.isoformat() if isinstance(value, date) else str(value)))
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 10), 60)
        sheet.freeze_panes = "A5"
        # Printed (or made a PDF by LibreOffice), a sheet is one A4 page wide, landscape when it has many
        # columns: otherwise the last columns of the children's and channels' sheets go to pages of their own.
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if len(header) > 6 else "portrait"
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# PDF -------------------------------------------------------------------------------------------

def _cell(value) -> str:
    if isinstance(value, float):  # every float of a report is a rate
        return f"{value * 100:.1f}%"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return escape(str(value))


def daily_chart_svg(daily: list[dict], width: int = 680, height: int = 150) -> str:
    """Bars of work created and handed in per day, with the highest value marked."""
    if not daily:
        return ""
    top = max([1] + [max(row["created"], row["completed"]) for row in daily])
    step = width / len(daily)
    bar = max(step / 2 - 0.5, 0.5)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20}" '
             f'viewBox="0 0 {width} {height + 20}">',
             f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" stroke="#888" stroke-width="0.5"/>']
    for i, row in enumerate(daily):
        for j, (key, colour) in enumerate((("created", "#9db4d6"), ("completed", "#2e6b3a"))):
            h = row[key] / top * (height - 10)
            parts.append(f'<rect x="{i * step + j * bar:.2f}" y="{height - h:.2f}" width="{bar:.2f}" '
                         f'height="{h:.2f}" fill="{colour}"/>')
    parts.append(f'<text x="0" y="10" font-size="9" fill="#444">{formats.number_format(top, force_grouping=True)}'
                 f'</text>')
    parts.append(f'<text x="0" y="{height + 14}" font-size="9" fill="#444">{daily[0]["date"].isoformat()}</text>')
    parts.append(f'<text x="{width}" y="{height + 14}" font-size="9" fill="#444" text-anchor="end">'
                 f'{daily[-1]["date"].isoformat()}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_html(report: dict) -> str:
    font = escape(getattr(settings, "REPORT_PDF_FONT", "DejaVu Sans"))
    html = [f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title_of(report))}</title><style>
@page {{ size: A4; margin: 16mm 14mm; @bottom-right {{ content: counter(page) " / " counter(pages);
        font-family: "{font}"; font-size: 8pt; }} }}
body {{ font-family: "{font}", sans-serif; font-size: 9pt; color: #222; }}
h1 {{ font-size: 15pt; margin: 0 0 2mm 0; }} h2 {{ font-size: 11pt; margin: 6mm 0 2mm 0; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 0.4pt solid #bbb; padding: 1mm 1.5mm; }}
th {{ text-align: left; background: #eef2f7; }} td.n {{ text-align: right; }}
td:first-child {{ white-space: nowrap; }}
.legend span {{ display: inline-block; width: 3mm; height: 3mm; margin: 0 1mm 0 3mm; }}
</style></head><body>""",
            f"<h1>{escape(title_of(report))}</h1><p>{escape(period_line(report))}</p>",
            f"<h2>{escape(_('Daily'))}</h2>{daily_chart_svg(report['daily'])}",
            f'<p class="legend"><span style="background:#9db4d6"></span>{escape(_("Created"))}'
            f'<span style="background:#2e6b3a"></span>{escape(_("Handed in"))}</p>']
    for title, header, rows in sections(report):
        if title == _("Daily"):
            continue
        html.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            html.append(f"<p>{escape(_('Nothing in this period.'))}</p>")
            continue
        html.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>")
        for row in rows:
            html.append("<tr>" + "".join(
                f'<td class="{"n" if isinstance(v, (int, float)) else ""}">{_cell(v)}</td>'
                for v in row
            ) + "</tr>")
        html.append("</tbody></table>")
    html.append("</body></html>")
    return "".join(html)


def load_weasyprint():
    """WeasyPrint's HTML class. Importing WeasyPrint sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES, which would make every later evidence upload in this worker accept
    half a photo (api/images.py); our reports embed no images of their own, so the flag goes
    straight back."""
    from PIL import ImageFile
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML


def report_pdf(report: dict) -> bytes:
    return load_weasyprint()(string=report_html(report)).write_pdf()
