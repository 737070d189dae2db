from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.schema import ErrorSerializer
from api.scoping import ScopedViewSetMixin

from . import selectors, services
from .filters import SurveyFilter
from .models import Participation
from .renderers import XLSX_MEDIA_TYPE, SurveyResultsCSVRenderer, SurveyResultsXLSXRenderer
from .results import survey_results
from .serializers import (
    SurveyCreateSerializer,
    SurveyResponseCreateSerializer,
    SurveyResponseReceiptSerializer,
    SurveyResultsQuerySerializer,
    SurveyResultsSerializer,
    SurveySerializer,
    SurveyUpdateSerializer,
)

RESULT_RENDERERS = (SurveyResultsCSVRenderer, SurveyResultsXLSXRenderer)


@extend_schema_view(
    list=extend_schema(summary="Surveys the caller can see (`mine=true`: those still to answer)", tags=["surveys"], description="Coordinators and observers see the surveys of their subtrees; a member sees the open surveys whose audience holds one of their teams. `mine=true` lists only open surveys the caller has not answered yet."),
    retrieve=extend_schema(summary="One survey with its questions", tags=["surveys"], description="A survey outside the caller's scope or audience is 404, like a missing id. `answered` tells whether the caller has already responded."),
    create=extend_schema(request=SurveyCreateSerializer, responses={201: SurveySerializer},
                         summary="Plan a survey (a draft) for a team the caller coordinates", tags=["surveys"], description="Coordinators of the team or above only (403 otherwise, before the body is read). Questions are `single`, `multiple` (with `options`), `scale` (1-5) or `text`; audience teams must be in the caller's scope (400 on `audience`). The survey starts as `draft`."),
    partial_update=extend_schema(request=SurveyUpdateSerializer, responses={200: SurveySerializer},
                                 summary="Change a draft survey (audience and questions are replaced whole)", tags=["surveys"], description="Only a `draft` survey can be changed: 409 `not_draft` otherwise. Coordinators of the survey's team or above."),
)
class SurveyViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Surveys and polls to members. Questions ask about the respondent's own views and
    work: there is no question kind that names or describes another person."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["closes_at", "opens_at", "created_at", "updated_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"create": "manage", "partial_update": "manage", "open": "manage", "close": "manage",
                           "results": "read"}

    def get_queryset(self):
        qs = selectors.survey_list(self.request.user)
        if self.request.user.is_authenticated:
            qs = qs.annotate(answered=Exists(
                Participation.objects.filter(survey=OuterRef("pk"), member_id=self.request.user.pk)))
        return qs

    def _respond(self, survey, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=survey.pk)
        return Response(SurveySerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = SurveyCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        survey = services.survey_create(actor=request.user, **serializer.to_service())
        return self._respond(survey, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        survey = self.get_object()
        serializer = SurveyUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        survey = services.survey_update(survey=survey, actor=request.user, **serializer.to_service())
        return self._respond(survey)

    @extend_schema(request=None, responses={200: SurveySerializer},
                   summary="Open a draft now and notify its audience", tags=["surveys"], description="`draft` -> `open`; 409 `not_draft` from any other status. Every person in the audience gets a `survey_opened` notification.")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._respond(services.survey_open(survey=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: SurveySerializer}, summary="Close an open survey now", tags=["surveys"], description="`open` -> `closed`; 409 `not_open` from any other status. Results stay readable.")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._respond(services.survey_close(survey=self.get_object(), actor=request.user))

    @extend_schema(request=SurveyResponseCreateSerializer, responses={201: SurveyResponseReceiptSerializer},
                   summary="Answer the survey, once (the audience; a second response is 409)", tags=["surveys"], description="People in the audience only (403 otherwise). 409 `not_open` when the survey is not open, 409 `already_answered` for a second response. An answer that does not fit its question is a 400 naming it (`answers.N.field`).")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def responses(self, request, pk=None):
        survey = self.get_object()
        # Who may answer is decided before the body is read.
        services.survey_check_respondent(survey=survey, actor=request.user)
        serializer = SurveyResponseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipt = services.survey_respond(survey=survey, actor=request.user,
                                          answers=serializer.validated_data["answers"])
        return Response(SurveyResponseReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            SurveyResultsQuerySerializer,
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "xlsx"],
                             description="`csv` (UTF-8 with BOM) or `xlsx`: the same results as a table."),
        ],
        responses={
            (200, "application/json"): SurveyResultsSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The results as CSV."),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The results as XLSX."),
            (400, "application/json"): OpenApiResponse(ErrorSerializer, description="`team` is not a team in "
                                                       "the caller's scope, or not a valid id."),
        },
        summary="Results for the whole audience or a team's subtree; groups under 5 responses are hidden", tags=["surveys"], description="Coordinators and observers of the survey's team or above. Counts per option, means for scales, text answers in random order without names; a group of fewer than 5 responses (or one whose difference with a shown group would be) is `suppressed`. `format=csv|xlsx` gives the same table.",
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None,
            renderer_classes=[JSONRenderer, *RESULT_RENDERERS])
    def results(self, request, pk=None):
        survey = self.get_object()
        query = SurveyResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        team = None
        if "team" in query.validated_data:
            team = selectors.team_for_results(request.user, query.validated_data["team"])
            if team is None:
                raise ValidationError({"team": [_("Unknown team.")]})
        within = team.path if team is not None else None
        data = survey_results(survey, team=team, audience_size=selectors.audience_size(survey, within),
                              text_limit=None if self._export_requested() else -1)
        data["survey_title"] = survey.title
        data["team_name"] = team.name if team is not None else None
        response = Response(data)
        if self._export_requested():
            fmt = request.accepted_renderer.format
            response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.{fmt}"'
        return response

    def _export_requested(self) -> bool:
        return isinstance(getattr(self.request, "accepted_renderer", None), RESULT_RENDERERS)

    def finalize_response(self, request, response, *args, **kwargs):
        if (response.status_code >= 400 or request.method == "OPTIONS") and isinstance(
                getattr(request, "accepted_renderer", None), RESULT_RENDERERS):
            # Errors (and OPTIONS' description) stay JSON whatever format was asked for.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
