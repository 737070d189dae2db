"""A team's report for one week, month, quarter or year: the sections of the contract.

Every section reads the rollups (reports.models) or a few small tables; none counts
the assignments one by one:

- stats: the subtree's counts of the assignments created in the period (by status,
  overdue, completion rate), its members with the member role now, and `quantity`: the
  offline work among them that is completed or verified, its quantities summed (the
  same filter as every other count of `stats`, and as stats/?since=&until=). The rollups
  keep no quantities per day (DailyTally counts rows), so it is summed over the
  assignments that carry one, through their partial index (reports migration 0012);
- children: the same per direct child team;
- campaigns: the same per campaign whose tasks have work created in the period;
- participation: members, active, new, lapsed (reports.participation);
- channels: per channel of the subtree's teams, posts in the period against its daily
  target (selectors.channel_stats, the numbers of stats/channels/ for since/until = the
  period). publishing lies below reports, so reports reads it directly: no hook;
- daily: created, handed in and verified per day (the PDF's chart), and the offline
  quantities handed in that day;
- sections higher apps add through api.hooks.report_sections (surveys).
"""
from __future__ import annotations

from django.utils import timezone

from api import hooks
from django.db.models import Sum

from tasks.models import Assignment, Campaign, Task
from teams.models import Team

from . import participation, selectors
from .periods import Period


def report_filter(team: Team, period: Period) -> selectors.StatsFilter:
    return selectors.StatsFilter(path=team.path, since=period.start, until=period.end)


def campaign_rows(team: Team, period: Period) -> list[dict]:
    """Per campaign with work created in the period in the subtree: three queries."""
    flt = report_filter(team, period)
    with_campaign = Task.objects.filter(campaign__isnull=False).values("pk")
    per_task = (
        selectors.rollup_rows(flt).filter(task_id__in=with_campaign)
        .values("task_id").annotate(**selectors.rollup_aggregates()).order_by()
    )
    per_task = {row.pop("task_id"): row for row in per_task}
    campaign_of = dict(Task.objects.filter(pk__in=list(per_task)).values_list("pk", "campaign_id"))
    sums: dict[int, dict] = {}
    tasks: dict[int, int] = {}
    for task_id, row in per_task.items():
        campaign_id = campaign_of[task_id]
        tasks[campaign_id] = tasks.get(campaign_id, 0) + 1
        total = sums.setdefault(campaign_id, {})
        for key, value in row.items():
            total[key] = total.get(key, 0) + int(value or 0)
    campaigns = Campaign.objects.filter(pk__in=list(sums)).order_by("name", "id").only("id", "name", "team_id")
    # Offline quantities are not in the rollups yet: summed over the assignments that carry one.
    quantities = dict(
        Assignment.objects.filter(flt.q(), status__in=selectors.DONE_STATUSES, quantity__isnull=False,
                                  task__campaign_id__in=list(sums))
        .values_list("task__campaign_id").annotate(q=Sum("quantity")).order_by()
    )
    rows = []
    for c in campaigns:
        summary = selectors.summarize({**sums[c.pk], "quantity": quantities.get(c.pk, 0)})
        rows.append({"campaign": {"id": c.pk, "name": c.name, "team": c.team_id}, "tasks": tasks[c.pk], **summary})
    return rows


def period_report(team: Team, period: Period) -> dict:
    """Every section of the report of `team`'s subtree for `period` (a plain dict)."""
    flt = report_filter(team, period)
    # The children's pass over the tally also sums the whole subtree: the summary reads no more rows.
    totals: dict = {}
    children = selectors.children_stats(team, flt, totals=totals)
    stats = selectors.summarize(totals)
    stats["members_active"] = selectors.members_active(team.path)
    report = {
        "team": {"id": team.pk, "name": team.name, "level": team.level},
        "period": period.as_dict(),
        "generated_at": timezone.now(),
        "stats": stats,
        "children": children,
        "campaigns": campaign_rows(team, period),
        "participation": participation.participation_in(team.path, period),
        # Two queries (the channels, then their posts summed per channel) whatever their number.
        "channels": selectors.channel_stats(list(selectors.channels_in_subtree(team.path)), period.start, period.end),
        "daily": selectors.daily_from_rollup(flt),
    }
    for sections in hooks.report_sections.send(team=team, start=period.start, end=period.end):
        report.update(sections or {})
    return report
