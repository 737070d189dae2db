"""Report endpoints: thin views over reports.selectors and reports.history.

Who may read them: coordinators and observers (the "read" capability), for
teams inside their subtrees. A plain member gets 403 whatever the team (the
role check comes first); a team, campaign or task outside the caller's reach is
404; bad filters are 400 naming the parameter.
"""
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.db_routers import ReplicaReadMixin
from api.pagination import PageNumberPagination
from api.schema import ErrorSerializer
from publishing.serializers import ChannelStatsSerializer
from tasks.models import Task
from teams.models import Team
from api.access import forget_scope, scope_for

from . import history, selectors
from . import participation, subscriptions
from .models import ReportSubscription
from .period_report import period_report
from .renderers import CSVRenderer, ReportPDFRenderer, ReportXLSXRenderer
from .serializers import (
    ParticipationQuerySerializer,
    ParticipationRowSerializer,
    PeriodReportSerializer,
    ReportQuerySerializer,
    ReportSubscriptionSerializer,
    TeamBoardRowSerializer,
    CampaignStatsQuerySerializer,
    CampaignStatsSerializer,
    ChannelStatsQuerySerializer,
    ChildTeamStatsSerializer,
    DailyQuerySerializer,
    DailyStatsSerializer,
    HistoryEntrySerializer,
    MemberStatsSerializer,
    StatsQuerySerializer,
    TeamStatsSerializer,
)

COUNT_COLUMNS = [
    "assignments.total", "assignments.assigned", "assignments.in_progress", "assignments.completed",
    "assignments.verified", "assignments.rejected", "assignments.declined", "assignments.cancelled",
    "assignments.overdue", "completion_rate", "quantity",
]
TEAM_COLUMNS = ["team.id", "team.name", "team.level"]

FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"],
    description="`csv`: the same numbers as CSV (UTF-8 with BOM, one header row). JSON by default.",
)
# Errors are JSON whatever format was asked for (see ReportView.finalize_response).
ERRORS = {
    (code, "application/json"): OpenApiResponse(ErrorSerializer, description=description)
    for code, description in [
        (400, "A filter is invalid; `errors` names it."),
        (401, "No token, or a bad or expired one."),
        (403, "Only coordinators and observers read reports."),
        (404, "Not found, or outside the caller's scope."),
        (429, "Too many requests; see Retry-After."),
    ]
}
PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Rows per page, 1..200."),
]


def report_responses(serializer, description):
    return {
        (200, "application/json"): OpenApiResponse(serializer, description=description),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=f"{description} As CSV."),
        **ERRORS,
    }


class CanReadReports(BasePermission):
    message = _("Only coordinators and observers can read reports.")

    def has_permission(self, request, view):
        return scope_for(request.user).has_capability("read")


class ReportView(ReplicaReadMixin, generics.GenericAPIView):
    permission_classes = [IsAuthenticated, CanReadReports]
    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends = []
    pagination_class = None
    query_serializer_class = StatsQuerySerializer
    csv_columns: list[str] = []
    csv_name = "stats"

    def initial(self, request, *args, **kwargs):
        # Roles granted or removed a moment ago count from the next request on.
        forget_scope(getattr(request, "user", None))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        csv_requested = not isinstance(getattr(request, "accepted_renderer", None), (JSONRenderer, type(None)))
        if csv_requested and response.status_code >= 400:
            # Errors keep the one JSON error body whatever format was asked for.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if csv_requested and response.status_code == 200:
            extension = request.accepted_renderer.format
            response["Content-Disposition"] = (
                f'attachment; filename="{self.csv_name}-{self.kwargs["pk"]}{self.file_suffix()}.{extension}"'
            )
        return response

    def file_suffix(self) -> str:
        return ""

    def get_team(self) -> Team:
        team = selectors.team_for_report(self.request.user, self.kwargs["pk"])
        if team is None:
            raise Http404
        return team

    def get_params(self) -> dict:
        """The query parameters, validated; a task, campaign or topic the caller cannot
        see is a 400 naming it, like one that does not exist."""
        params = self.query_serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        asked = params.validated_data
        if "task" in asked and not selectors.task_known_to(self.request.user, asked["task"]):
            raise ValidationError({"task": [_("Unknown task.")]})
        if "campaign" in asked and not selectors.campaign_known_to(self.request.user, asked["campaign"]):
            raise ValidationError({"campaign": [_("Unknown campaign.")]})
        if "topic" in asked and not selectors.topic_known_to(self.request.user, asked["topic"]):
            raise ValidationError({"topic": [_("Unknown topic.")]})
        return asked

    def get_filter(self, path: str, **fixed) -> selectors.StatsFilter:
        data = {**self.get_params(), **fixed}
        return selectors.StatsFilter(
            path=path, task_id=data.get("task"), campaign_id=data.get("campaign"), topic_id=data.get("topic"),
            since=data.get("since"), until=data.get("until"),
        )


def team_ref(team: Team) -> dict:
    return {"id": team.pk, "name": team.name, "level": team.level}


REPORT_RULES = ("Coordinators and observers, for a team in their subtrees; a member gets 403 `permission_denied` "
                "whatever the team. `since`/`until` are days (YYYY-MM-DD, Asia/Ho_Chi_Minh) counted on the "
                "assignment's creation, at most 366 days apart. `?format=csv` gives the same numbers as CSV. "
                "`topic` keeps only the work of that topic's tasks. "
                "Errors: 400 `invalid` naming the filter (an unknown `task`, `campaign` or `topic` included), 404 "
                "`not_found` for a team outside the caller's scope.")


@extend_schema(
    summary="Assignment counts for a team's whole subtree",
    description="The contract's counts over the team and everything below it: assignments by status, "
                "`overdue`, `completion_rate` = (completed + verified) / (total - cancelled) (0 when empty) and "
                "`members_active`. " + REPORT_RULES,
    parameters=[StatsQuerySerializer, FORMAT_PARAMETER],
    responses=report_responses(TeamStatsSerializer, "Counts for the subtree."),
)
class TeamStatsView(ReportView):
    csv_columns = TEAM_COLUMNS + COUNT_COLUMNS + ["members_active"]
    csv_name = "team-stats"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        return Response({"team": team_ref(team), **selectors.subtree_stats(flt)})


@extend_schema(
    summary="The same counts per direct child team (drill-down)",
    description="One row per direct child team, each over that child's whole subtree. " + REPORT_RULES,
    parameters=[StatsQuerySerializer, FORMAT_PARAMETER],
    responses=report_responses(ChildTeamStatsSerializer(many=True), "One row per direct child team."),
)
class TeamChildrenStatsView(ReportView):
    csv_columns = TEAM_COLUMNS + COUNT_COLUMNS + ["members_active"]
    csv_name = "team-children-stats"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        return Response(selectors.children_stats(team, flt))


@extend_schema(
    summary="Assignments created, completed and verified per day (Asia/Ho_Chi_Minh)",
    description=f"Every day of the range is present, zeros included; at most {selectors.MAX_RANGE_DAYS} days "
                "(by default the 30 days up to today). " + REPORT_RULES,
    parameters=[DailyQuerySerializer, FORMAT_PARAMETER],
    responses=report_responses(DailyStatsSerializer(many=True), "One row per calendar day."),
)
class TeamDailyStatsView(ReportView):
    query_serializer_class = DailyQuerySerializer
    csv_columns = ["date", "created", "completed", "verified", "quantity"]
    csv_name = "team-daily-stats"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        return Response(DailyStatsSerializer(selectors.daily_stats(flt), many=True).data)


@extend_schema(
    summary="Member board: counts per person in the subtree, most verified work first",
    description="Includes active members with no work at all. `median_completion_seconds` is the "
                "median time from assignment to completion of their completed and verified work. "
                "CSV gives the requested page. " + REPORT_RULES,
    parameters=[StatsQuerySerializer, *PAGE_PARAMETERS, FORMAT_PARAMETER],
    responses=report_responses(MemberStatsSerializer(many=True), "One page of the board."),
)
class TeamMemberStatsView(ReportView):
    pagination_class = PageNumberPagination
    csv_columns = ["member.id", "member.full_name", "member.is_active"] + COUNT_COLUMNS + [
        "median_completion_seconds"
    ]
    csv_name = "team-member-stats"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        page = self.paginate_queryset(selectors.board(flt))
        selectors.add_medians(page, flt)
        return self.get_paginated_response(selectors.member_board_rows(page))


@extend_schema(
    summary="Channels of the subtree: posts against their daily targets (Asia/Ho_Chi_Minh days)",
    description="One row per channel of the team's subtree (inactive ones included): `posts` in the range, "
                "`days` in the range, `target_per_day`, `days_on_target` (local days whose posts reached the "
                "target; with a target of 0 every day is) and `on_target_rate` = days_on_target / days. Posts "
                "count by `published_at` (`topic=`: only posts on that topic); by default the 30 days up to today, at most "
                f"{selectors.MAX_RANGE_DAYS}. Coordinators and observers, for a team in their subtrees; a member "
                "gets 403 `permission_denied`. Page-number pagination; `?format=csv` gives the requested page. "
                "Errors: 400 `invalid` naming the filter, 404 `not_found` for a team outside the caller's scope.",
    parameters=[ChannelStatsQuerySerializer, *PAGE_PARAMETERS, FORMAT_PARAMETER],
    responses=report_responses(ChannelStatsSerializer(many=True), "One page of channels."),
)
class TeamChannelStatsView(ReportView):
    query_serializer_class = ChannelStatsQuerySerializer
    pagination_class = PageNumberPagination
    csv_columns = ["channel.id", "channel.name", "channel.platform", "posts", "days", "target_per_day",
                   "days_on_target", "on_target_rate"]
    csv_name = "team-channel-stats"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        page = self.paginate_queryset(selectors.channels_in_subtree(team.path))
        return self.get_paginated_response(selectors.channel_stats(page, flt.since, flt.until, flt.topic_id))


@extend_schema(
    summary="Campaign progress over the campaign team's subtree",
    description="The counts of the campaign's tasks over its team's subtree, and how many tasks it has. "
                + REPORT_RULES.replace("for a team", "for a campaign of a team"),
    parameters=[CampaignStatsQuerySerializer, FORMAT_PARAMETER],
    responses=report_responses(CampaignStatsSerializer, "Counts for the campaign."),
)
class CampaignStatsView(ReportView):
    query_serializer_class = CampaignStatsQuerySerializer
    csv_columns = ["campaign.id", "campaign.name", "campaign.team", "tasks"] + COUNT_COLUMNS + ["members_active"]
    csv_name = "campaign-stats"

    def get(self, request, pk):
        campaign = selectors.campaign_for_report(self.request.user, pk)
        if campaign is None:
            raise Http404
        flt = self.get_filter(campaign.team.path, campaign=campaign.pk)
        return Response(selectors.campaign_stats(campaign, flt))


class HistoryView(ReportView):
    """Who changed which fields of one object, from what to what, newest first.

    Subclasses name the `model` and define `get_object_for_history()`, the scoped
    look-up of the object (None is never returned: out of scope is Http404).
    """

    renderer_classes = [JSONRenderer]
    pagination_class = PageNumberPagination
    serializer_class = HistoryEntrySerializer
    model = None

    def get(self, request, pk):
        obj = self.get_object_for_history()
        records = history.history_of(self.model, obj.pk)
        page = self.paginate_queryset(records)
        entries = history.history_entries(page, records)
        return self.get_paginated_response(HistoryEntrySerializer(entries, many=True).data)


HISTORY_SCHEMA = dict(responses={200: HistoryEntrySerializer(many=True)})


HISTORY_RULES = ("Newest first, page-number pagination: who changed which fields from what to what (values as "
                 "text). Coordinators and observers in scope; members get 403 `permission_denied`. Errors: 404 "
                 "`not_found` outside the caller's scope.")


@extend_schema(summary="Change history of a task", description="Every change to the task. " + HISTORY_RULES,
               **HISTORY_SCHEMA)
class TaskHistoryView(HistoryView):
    model = Task

    def get_object_for_history(self):
        task = selectors.task_for_report(self.request.user, self.kwargs["pk"])
        if task is None:
            raise Http404
        return task


@extend_schema(summary="Change history of a team",
               description="Every change to the team (renames, moves, level changes). " + HISTORY_RULES,
               **HISTORY_SCHEMA)
class TeamHistoryView(HistoryView):
    model = Team

    def get_object_for_history(self):
        team = selectors.team_for_report(self.request.user, self.kwargs["pk"])
        if team is None:
            raise Http404
        return team


class ParticipationSerializer(serializers.Serializer):
    """The participation answer as served: `{"results": [row, ...]}`."""

    results = ParticipationRowSerializer(many=True)


@extend_schema(
    summary="Participation per week or month: members, active, new, lapsed",
    description="One row per week (Monday to Sunday) or month from the period holding `since` to the one holding "
                "`until` (by default the last twelve months or weeks up to today): `members` hold the member role "
                "in the subtree by the period's end, `active` handed in at least one piece of work in it, `new` "
                "began their first member role there in it, `lapsed` were active in the period before and not in "
                "this one. With `topic`, `active` and `lapsed` count only work handed in on that topic's tasks "
                "(`members` and `new` stay the subtree's memberships). "
                + REPORT_RULES.replace("counted on the assignment's creation", "of the periods"),
    parameters=[ParticipationQuerySerializer],
    responses={(200, "application/json"): OpenApiResponse(ParticipationSerializer,
                                                          description="`results`: one row per period."), **ERRORS},
)
class TeamParticipationView(ReportView):
    renderer_classes = [JSONRenderer]
    query_serializer_class = ParticipationQuerySerializer

    def get(self, request, pk):
        team = self.get_team()
        data = self.get_params()
        rows = participation.participation_series(team.path, data["interval"], data["since"], data["until"],
                                                  topic_id=data.get("topic"))
        return Response({"results": ParticipationRowSerializer(rows, many=True).data})


@extend_schema(
    summary="Team board: the direct child teams ranked by verified, then completed work",
    description="The drill-down of `stats/children/` as a ranking (`rank` 1 has the most verified work; ties by "
                "completed work, then name). Teams are named whatever their members chose for the member board: "
                "a team is not a person. " + REPORT_RULES,
    parameters=[StatsQuerySerializer, FORMAT_PARAMETER],
    responses=report_responses(TeamBoardRowSerializer(many=True), "One row per direct child team, best first."),
)
class TeamBoardView(ReportView):
    csv_columns = ["rank"] + TEAM_COLUMNS + COUNT_COLUMNS + ["members_active"]
    csv_name = "team-board"

    def get(self, request, pk):
        team = self.get_team()
        flt = self.get_filter(team.path)
        return Response(selectors.team_board(team, flt))


REPORT_FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "xlsx", "pdf"],
    description="`xlsx`: a workbook with a sheet per section; `pdf`: an A4 document. JSON by default.",
)


@extend_schema(
    summary="A team's report for a week, month, quarter or year (JSON, XLSX or PDF)",
    description="For the period of kind `period` that holds `date` (by default this month) and the team's whole "
                "subtree: `stats` (the assignments created in the period by status now, overdue, completion rate, "
                "active members, and `quantity`, the offline quantities of those completed or verified), "
                "`children` (the same per direct child team), `campaigns`, `participation` (members, active, new, "
                "lapsed), `channels` (per channel of the subtree's teams: posts in the period, days, target per "
                "day, days on target, on-target rate, as stats/channels/ for the period), `daily` (created, handed "
                "in and verified per day, and the offline quantities handed in), and `surveys` (responses and rate "
                "of the subtree's surveys open during the period). `?format=xlsx` gives a "
                "workbook with one sheet per section, `?format=pdf` an A4 PDF with a chart of the daily series; "
                "both in the request's language. Coordinators and observers of the team or above; a member gets "
                "403 `permission_denied`. Errors: 400 `invalid` naming `period` or `date`, 404 `not_found` for a "
                "team outside the caller's scope; errors are JSON whatever the format.",
    parameters=[ReportQuerySerializer, REPORT_FORMAT_PARAMETER],
    responses={
        (200, "application/json"): OpenApiResponse(PeriodReportSerializer, description="The report."),
        (200, ReportXLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="As a workbook."),
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="As an A4 PDF."),
        **ERRORS,
    },
)
class TeamReportView(ReportView):
    renderer_classes = [JSONRenderer, ReportXLSXRenderer, ReportPDFRenderer]
    csv_name = "report"

    def get(self, request, pk):
        team = self.get_team()
        params = ReportQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.period = params.validated_data["period"]
        report = period_report(team, self.period)
        if isinstance(request.accepted_renderer, JSONRenderer):
            return Response(PeriodReportSerializer(report).data)
        return Response(report)

    def file_suffix(self) -> str:
        period = getattr(self, "period", None)
        return f"-{period.label}" if period else ""


SUBSCRIPTION_ERRORS = {
    (code, "application/json"): OpenApiResponse(ErrorSerializer, description=description)
    for code, description in [
        (400, "Bad input; `errors` names the field (a team outside the caller's report scope is a 400 on `team`)."),
        (401, "No token, or a bad or expired one."),
        (403, "Only coordinators and observers subscribe to reports."),
        (404, "Not found, or not the caller's."),
        (409, "`already_subscribed`: the same team, period and format already come to the caller."),
    ]
}


class ReportSubscriptionList(generics.GenericAPIView):
    """The caller's report subscriptions; POST subscribes."""

    permission_classes = [IsAuthenticated, CanReadReports]
    serializer_class = ReportSubscriptionSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return ReportSubscription.objects.filter(member=self.request.user, ended_at__isnull=True).order_by("-id")

    @extend_schema(tags=["reports"], operation_id="report_subscriptions_list", summary="The caller's report subscriptions",
                   description="Live subscriptions of the caller, newest first, each with its latest reports. "
                               "Coordinators and observers; a member gets 403 `permission_denied`.",
                   responses={200: ReportSubscriptionSerializer(many=True), **SUBSCRIPTION_ERRORS})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset().prefetch_related(None))
        return self.get_paginated_response(ReportSubscriptionSerializer(page, many=True).data)

    @extend_schema(tags=["reports"], summary="Subscribe to a team's report after every period",
                   description="After each week, month, quarter or year the worker makes the team's report in "
                               "`format` (json, xlsx or pdf), stores it and notifies the caller (`report_ready`) "
                               "with a link only people who read the team's reports can download. Errors: 400 "
                               "`invalid` naming the field, 403 `permission_denied` for members, 409 "
                               "`already_subscribed`.",
                   request=ReportSubscriptionSerializer,
                   responses={201: ReportSubscriptionSerializer, **SUBSCRIPTION_ERRORS})
    def post(self, request):
        body = ReportSubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        team = Team.objects.filter(pk=data["team_id"]).first()
        if team is None:
            raise ValidationError({"team": [_("This is not a team whose reports you read.")]})
        subscription = subscriptions.report_subscription_create(
            member=request.user, team=team, period=data["period"], format=data["format"])
        return Response(ReportSubscriptionSerializer(subscription).data, status=201)


class ReportSubscriptionDetail(generics.GenericAPIView):
    """One of the caller's report subscriptions."""

    permission_classes = [IsAuthenticated, CanReadReports]
    serializer_class = ReportSubscriptionSerializer

    def get_object(self):
        subscription = ReportSubscription.objects.filter(
            pk=self.kwargs["pk"], member=self.request.user, ended_at__isnull=True).first()
        if subscription is None:
            raise Http404
        return subscription

    @extend_schema(tags=["reports"], summary="One of the caller's report subscriptions",
                   description="With its latest reports. Another person's subscription is 404 `not_found`.",
                   responses={200: ReportSubscriptionSerializer, **SUBSCRIPTION_ERRORS})
    def get(self, request, pk):
        return Response(ReportSubscriptionSerializer(self.get_object()).data)

    @extend_schema(tags=["reports"], summary="End a report subscription",
                   description="No more reports are made; those already made stay downloadable. Another "
                               "person's subscription is 404 `not_found`.",
                   responses={204: None, **SUBSCRIPTION_ERRORS})
    def delete(self, request, pk):
        subscriptions.report_subscription_end(subscription=self.get_object(), actor=request.user)
        return Response(status=204)


@extend_schema(
    tags=["reports"],
    summary="Download a report made for a subscription",
    description="The stored file (JSON, XLSX or PDF) of one finished period. Served to the subscriber and to "
                "anyone else who reads the team's reports now; outside that scope 404 `not_found`, members 403 "
                "`permission_denied`.",
    responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
               **ERRORS},
)
class ReportDeliveryDownload(ReportView):
    renderer_classes = [JSONRenderer]

    def get(self, request, pk):
        delivery = subscriptions.delivery_for_download(request.user, pk)
        if delivery is None:
            raise Http404
        response = HttpResponse(bytes(delivery.content), content_type=delivery.content_type)
        response["Content-Disposition"] = f'attachment; filename="{delivery.filename}"'
        return response
