"""Period reports in the console: a team's report for a week, month, quarter or year, as the
API's `GET /api/v1/teams/{id}/report/?format=xlsx|pdf` makes it.

Who may is the API's: coordinators and observers (the 403 page for everyone else, before
any team id is read), for a team inside their subtrees (reports.selectors.team_for_report:
the 404 page otherwise). The period and the day are checked by the API's own query
serializer; the numbers are reports.period_report's, drawn by reports.documents, in the
page's language.
"""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from reports import documents
from reports import selectors as report_selectors
from reports.period_report import period_report
from reports.renderers import ReportXLSXRenderer
from reports.serializers import ReportQuerySerializer
from teams import selectors as team_selectors

from .pages import page
from .publishing_forms import ReportForm
from .roles import read_roots

FILES = {"xlsx": (documents.report_xlsx, ReportXLSXRenderer.media_type), "pdf": (documents.report_pdf, "application/pdf")}
TEAMS_BELOW_LIMIT = 200


def _report_team(request, pk):
    team = report_selectors.team_for_report(request.user, pk)
    if team is None:
        raise Http404
    return team


@require_safe
@page("read")
def reports(request):
    """The teams whose reports the caller reads, outermost first (one: straight to its page)."""
    paths = read_roots(request.user)
    teams = team_selectors.teams_visible_to(request.user)
    teams = teams.filter(path__in=paths) if paths else teams.filter(parent__isnull=True)
    roots = list(teams.order_by("path").only("id", "name", "level", "path")[:TEAMS_BELOW_LIMIT])
    if len(roots) == 1:
        return redirect("console:team-report", pk=roots[0].pk)
    return render(request, "console/reports.html", {"teams": roots})


@require_safe
@page("read")
def team_report(request, pk):
    """The report's form (GET without `format`), or the file (`format=xlsx|pdf`)."""
    team = _report_team(request, pk)
    fmt = request.GET.get("format", "")
    if fmt:
        return _report_file(request, team, fmt)
    below = list(team_selectors.teams_visible_to(request.user).filter(parent_id=team.pk)
                 .order_by("name", "pk").only("id", "name", "level")[:TEAMS_BELOW_LIMIT])
    form = ReportForm(initial={"period": "month", "date": timezone.localdate()})
    return render(request, "console/team_report.html", {"team": team, "form": form, "below": below})


def _report_file(request, team, fmt):
    if fmt not in FILES:
        raise Http404
    params = ReportQuerySerializer(data={key: value for key, value in request.GET.items() if value and key != "format"})
    if not params.is_valid():
        return render(request, "console/bad_report.html", {"team": team, "errors": params.errors}, status=400)
    period = params.validated_data["period"]
    draw, content_type = FILES[fmt]
    response = HttpResponse(draw(period_report(team, period)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="report-{team.pk}-{period.label}.{fmt}"'
    return response
