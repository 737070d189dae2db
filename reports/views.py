"""Report endpoints: thin views over reports.selectors and reports.history.

Who may read them: coordinators and observers (the "read" capability), for
teams inside their subtrees. A plain member gets 403 whatever the team (the
role check comes first); a team, campaign or task outside the caller's reach is
404; bad filters are 400 naming the parameter.
"""
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.db_routers import ReplicaReadMixin
from api.pagination import PageNumberPagination
from api.schema import ErrorSerializer
from tasks.models import Task
from teams.models import Team
from api.access import forget_scope, scope_for

from . import history, selectors
from .renderers import CSVRenderer
from .serializers import (
    CampaignStatsQuerySerializer,
    CampaignStatsSerializer,
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
        csv_requested = isinstance(getattr(request, "accepted_renderer", None), CSVRenderer)
        if csv_requested and response.status_code >= 400:
            # Errors keep the one JSON error body whatever format was asked for.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if csv_requested and response.status_code == 200:
            response["Content-Disposition"] = f'attachment; filename="{self.csv_name}-{self.kwargs["pk"]}.csv"'
        return response

    def get_team(self) -> Team:
        team = selectors.team_for_report(self.request.user, self.kwargs["pk"])
        if team is None:
            raise Http404
        return team

    def get_filter(self, path: str, **fixed) -> selectors.StatsFilter:
        params = self.query_serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        asked = params.validated_data
        if "task" in asked and not selectors.task_known_to(self.request.user, asked["task"]):
            raise ValidationError({"task": [_("Unknown task.")]})
        if "campaign" in asked and not selectors.campaign_known_to(self.request.user, asked["campaign"]):
            raise ValidationError({"campaign": [_("Unknown campaign.")]})
        data = {**asked, **fixed}
        return selectors.StatsFilter(
            path=path, task_id=data.get("task"), campaign_id=data.get("campaign"),
            since=data.get("since"), until=data.get("until"),
        )


def team_ref(team: Team) -> dict:
    return {"id": team.pk, "name": team.name, "level": team.level}


REPORT_RULES = ("Coordinators and observers, for a team in their subtrees; a member gets 403 `permission_denied` "
                "whatever the team. `since`/`until` are days (YYYY-MM-DD, Asia/Ho_Chi_Minh) counted on the "
                "assignment's creation, at most 366 days apart. `?format=csv` gives the same numbers as CSV. "
                "Errors: 400 `invalid` naming the filter (an unknown `task` or `campaign` included), 404 "
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
        page = self.paginate_queryset(selectors.member_board(flt))
        selectors.add_medians(page, flt)
        return self.get_paginated_response(selectors.member_board_rows(page))


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
