"""Report figures for make bench (issue 13), each beside the live-count query it replaces.

On the bench seed (one district, 100,000 members, 1,100,110 assignments), as the
district's coordinator through the full stack (Django's test client, a real JWT):

- member_board:       GET stats/members/ (page 1, from the rollups) vs the board counted
                      over the assignments (reports.selectors.member_board, count + page)
- daily_366:          GET stats/daily/ over 366 days (reports.models.TeamDay) vs the three
                      grouped counts over the assignments (reports.selectors.daily_live)
- participation_year: GET stats/participation/?interval=month over a year vs distinct
                      people handing in work per month counted over the assignments
- report_month:       GET report/?period=month as JSON and as XLSX vs the same sections'
                      counts taken over the assignments (summary, per child, daily series)
"""
from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from reports import selectors
from reports.periods import period_of
from tasks.models import Assignment
from teams.models import Membership


def measure(seeded, out: dict, details: dict, api_for, median_ms, repeats: int) -> None:
    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    api = api_for(coordinator)
    base = f"/api/v1/teams/{district.pk}"
    today = timezone.localdate()
    info = details.setdefault("reports", {"team": district.pk, "caller": "the district's coordinator"})
    path = district.path

    def live_board():
        qs = selectors.member_board(selectors.StatsFilter(path=path))
        qs.count()
        page = list(qs[:50])
        selectors.add_medians(page, selectors.StatsFilter(path=path))

    body = api.json(f"{base}/stats/members/?page_size=50")
    info["member_board_count"] = body["count"]
    out["member_board_ms"] = median_ms(lambda: api.get(f"{base}/stats/members/?page_size=50"), repeats=repeats)
    out["member_board_live_ms"] = median_ms(live_board, repeats=max(3, repeats // 4), warmup=1)

    since = today - timedelta(days=365)
    daily = f"{base}/stats/daily/?since={since}&until={today}"
    out["daily_366_ms"] = median_ms(lambda: api.get(daily), repeats=repeats)
    flt = selectors.StatsFilter(path=path, since=since, until=today)
    out["daily_366_live_ms"] = median_ms(lambda: selectors.daily_live(flt), repeats=max(3, repeats // 4), warmup=1)

    start = period_of("month", today - timedelta(days=330)).start
    part = f"{base}/stats/participation/?interval=month&since={start}&until={today}"
    info["participation_rows"] = api.json(part)["results"]

    def live_participation():
        list(Assignment.objects.filter(team__path__startswith=path, completed_at__date__gte=start)
             .annotate(month=TruncMonth("completed_at")).values("month")
             .annotate(n=Count("assignee_id", distinct=True)).order_by())

    out["participation_year_ms"] = median_ms(lambda: api.get(part), repeats=repeats)
    out["participation_year_live_ms"] = median_ms(live_participation, repeats=max(3, repeats // 4), warmup=1)

    report = f"{base}/report/?period=month&date={today}"
    info["report_month_stats"] = api.json(report)["stats"]
    out["report_month_json_ms"] = median_ms(lambda: api.get(report), repeats=repeats)
    out["report_month_xlsx_ms"] = median_ms(lambda: api.get(report + "&format=xlsx"), repeats=max(3, repeats // 2))
    month = period_of("month", today)
    mflt = selectors.StatsFilter(path=path, since=month.start, until=month.end)

    def live_report():
        Assignment.objects.filter(mflt.q()).aggregate(**selectors.status_aggregates())
        # the members count as it was counted before the rollups: distinct active member-role people
        Membership.objects.filter(selectors.active_members_q(path)).aggregate(n=Count("member_id", distinct=True))
        selectors.daily_live(mflt)

    out["report_month_live_ms"] = median_ms(live_report, repeats=max(3, repeats // 4), warmup=1)
    for key in ("member_board", "daily_366", "participation_year", "report_month_json", "report_month_xlsx"):
        live = out[key.replace("_json", "").replace("_xlsx", "") + "_live_ms"]
        out[f"{key}_ratio"] = round(out[f"{key}_ms"] / live, 3) if live else None
    info["database"] = connection.vendor
