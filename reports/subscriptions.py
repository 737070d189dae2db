"""Report subscriptions: after each period the beat makes the report, stores it and tells the subscriber.

- `report_subscription_create`: coordinators and observers, for a team in their
  report scope (else a 400 on `team`); one live subscription per (person, team,
  period, format) (else a 409 `already_subscribed`).
- `report_subscription_end`: the subscriber ends it; reports already made stay.
- `reports_deliver_due` (the beat, hourly): for every live subscription, the last
  finished period (one that ended after the subscription began) is made once:
  the subscription's row is locked while its report is made and the delivery's
  unique key (subscription, period start) refuses a second, so two beats racing
  make one report. The notification is owed through the outbox in the same
  transaction (`reports.delivered`, consumed by notifications with a unique key).
  A subscriber who no longer reads the team's reports gets nothing.
- The download (`report-deliveries/{id}/download/`) is served to whoever may read
  the team's reports now: the subscriber and others in scope.
"""
from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import forget_scope, restrict, scope_for
from api.exceptions import Conflict
from api.outbox import outbox_enqueue
from teams.models import Member, Team

from .access import REPORT
from .models import ReportDelivery, ReportSubscription
from .period_report import period_report
from .periods import Period, period_of

DELIVERED = "reports.delivered"
CONTENT_TYPES = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@transaction.atomic
def report_subscription_create(*, member: Member, team: Team, period: str, format: str) -> ReportSubscription:
    """Subscribe `member` to `team`'s report. Raises PermissionDenied (members), ValidationError
    (a team outside their report scope), Conflict `already_subscribed`."""
    if not scope_for(member).has_capability("read"):
        raise PermissionDenied(_("Only coordinators and observers can read reports."))
    if not restrict(Team.objects.filter(pk=team.pk), member, REPORT).exists():
        raise ValidationError({"team": [_("This is not a team whose reports you read.")]})
    if ReportSubscription.objects.filter(member=member, team=team, period=period, format=format,
                                         ended_at__isnull=True).exists():
        raise Conflict(_("You already receive this report."), code="already_subscribed")
    return ReportSubscription.objects.create(member=member, team=team, period=period, format=format)


@transaction.atomic
def report_subscription_end(*, subscription: ReportSubscription, actor: Member) -> None:
    """The subscriber ends their subscription: without reports made it goes; with some it is
    ended and they stay downloadable."""
    if subscription.member_id != actor.pk:
        raise PermissionDenied(_("Only the subscriber can end a subscription."))
    if not ReportDelivery.objects.filter(subscription=subscription).exists():
        ReportSubscription.objects.filter(pk=subscription.pk).delete()
        return
    ReportSubscription.objects.filter(pk=subscription.pk, ended_at__isnull=True).update(ended_at=timezone.now())


def render_report(report: dict, format: str) -> bytes:
    if format == "json":
        from rest_framework.renderers import JSONRenderer

        from .serializers import PeriodReportSerializer

        return JSONRenderer().render(PeriodReportSerializer(report).data)
    from .documents import report_pdf, report_xlsx

    return report_xlsx(report) if format == "xlsx" else report_pdf(report)


def due_period(subscription: ReportSubscription, today: date) -> Period | None:
    """The last finished period, if it ended after the subscription began."""
    period = period_of(subscription.period, today).previous()
    began = timezone.localtime(subscription.created_at).date()
    return period if period.end >= began else None


def report_deliver(*, subscription: ReportSubscription, period: Period) -> ReportDelivery | None:
    """Make one period's report of one subscription, once; None when it exists already or
    the subscriber no longer reads the team's reports."""
    with transaction.atomic():
        locked = ReportSubscription.objects.select_for_update().filter(pk=subscription.pk,
                                                                       ended_at__isnull=True).first()
        if locked is None or ReportDelivery.objects.filter(subscription=locked, period_start=period.start).exists():
            return None
        member = Member.objects.get(pk=locked.member_id)
        forget_scope(member)
        team = restrict(Team.objects.filter(pk=locked.team_id), member, REPORT).first()
        if team is None or not member.is_active:
            return None
        content = render_report(period_report(team, period), locked.format)
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(
                    subscription=locked, period_start=period.start, period_end=period.end, content=content,
                    content_type=CONTENT_TYPES[locked.format],
                    filename=f"report-{team.pk}-{period.label}.{locked.format}",
                )
        except IntegrityError:  # another beat made it between our check and our insert
            return None
        outbox_enqueue(DELIVERED, {"delivery_id": delivery.pk, "member_id": member.pk, "team": team.name,
                                   "period": period.label}, key=f"{DELIVERED}:{delivery.pk}")
        return delivery


def reports_deliver_due(today: date | None = None) -> int:
    """The beat's step: every live subscription's last finished period, made once. Returns how many."""
    today = today or timezone.localdate()
    made = 0
    for subscription in ReportSubscription.objects.filter(ended_at__isnull=True).order_by("pk").iterator():
        period = due_period(subscription, today)
        if period is not None and report_deliver(subscription=subscription, period=period) is not None:
            made += 1
    return made


def delivery_for_download(user, pk: int) -> ReportDelivery | None:
    """A stored report the caller may read now: its team lies in their report scope."""
    teams = restrict(Team.objects.all(), user, REPORT).values("pk")
    return ReportDelivery.objects.filter(pk=pk, subscription__team__in=teams).first()


def reports_teams_merged(*, source: Team, target: Team, actor) -> dict[str, int]:
    """api.hooks.teams_merged: report subscriptions move from `source` to `target`, so a
    coordinator who asked for the old commune's monthly report gets the merged commune's
    (their role moved with them). One who already asks for `target`'s report in the same
    period and format keeps that one: the moved copy is ended. Reports already made stay
    downloadable under the subscription they were made for."""
    now = timezone.now()
    held_on_target = ReportSubscription.objects.filter(
        team=target, ended_at__isnull=True, member_id=OuterRef("member_id"), period=OuterRef("period"),
        format=OuterRef("format"))
    ended = ReportSubscription.objects.filter(team=source, ended_at__isnull=True).filter(
        Exists(held_on_target)).update(ended_at=now)
    return {"report_subscriptions": ReportSubscription.objects.filter(team=source).update(team=target),
            "report_subscriptions_ended": ended}
