import mimetypes

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.conditional import IfMatchMixin
from api.pagination import KeysetPagination, PageNumberPagination
from api.parsers import JSONParser
from api.scoping import ScopedViewSetMixin
from api.writes import ServiceWriteMixin
from api.sync import DeltaSyncMixin

from . import selectors, services
from .filters import AssignmentFilter, CampaignFilter, TaskFilter
from .serializers import (
    AssignmentCompleteSerializer,
    AssignmentDeclineSerializer,
    AssignmentEventSerializer,
    AssignmentRejectSerializer,
    AssignmentSerializer,
    AssignmentVerifySerializer,
    CampaignCreateSerializer,
    CampaignSerializer,
    CampaignUpdateSerializer,
    TaskAssignResultSerializer,
    TaskAssignSerializer,
    TaskCreateSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)

READ_CREATE_PATCH = ["get", "post", "patch", "head", "options"]


class _ListRetrieveCreatePatch(DeltaSyncMixin, IfMatchMixin, ServiceWriteMixin, ScopedViewSetMixin,
                               mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = READ_CREATE_PATCH
    sync_field = None  # the filtersets apply updated_since
    # The contract's bodies are JSON (lists of ids included); form encodings add nothing but ambiguity.
    parser_classes = [JSONParser]


@extend_schema_view(
    list=extend_schema(summary="Campaigns the caller can see"),
    retrieve=extend_schema(summary="One campaign"),
    create=extend_schema(request=CampaignCreateSerializer, responses={201: CampaignSerializer},
                         summary="Create a campaign for a team the caller coordinates"),
    partial_update=extend_schema(request=CampaignUpdateSerializer, responses={200: CampaignSerializer},
                                 summary="Change a campaign"),
)
class CampaignViewSet(_ListRetrieveCreatePatch):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    ordering_fields = ["name", "starts_at", "ends_at", "updated_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"create": "manage", "partial_update": "manage"}

    def get_queryset(self):
        return selectors.campaign_list(self.request.user)

    create_serializer_class = CampaignCreateSerializer
    update_serializer_class = CampaignUpdateSerializer
    services = services
    create_service = "campaign_create"
    update_service = "campaign_update"
    service_object = "campaign"


@extend_schema_view(
    list=extend_schema(summary="Tasks the caller can see, with progress counts"),
    retrieve=extend_schema(summary="One task with its progress counts"),
    create=extend_schema(request=TaskCreateSerializer, responses={201: TaskSerializer},
                         summary="Plan a task for a team the caller coordinates"),
    partial_update=extend_schema(request=TaskUpdateSerializer, responses={200: TaskSerializer},
                                 summary="Change a task (open/closed; cancel has its own action)"),
)
class TaskViewSet(_ListRetrieveCreatePatch):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["due_at", "updated_at", "created_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"create": "manage", "partial_update": "manage", "assign": "manage", "cancel": "manage"}

    def get_queryset(self):
        return selectors.task_list(self.request.user)

    create_serializer_class = TaskCreateSerializer
    update_serializer_class = TaskUpdateSerializer
    services = services
    create_service = "task_create"
    update_service = "task_update"
    service_object = "task"

    @extend_schema(request=TaskAssignSerializer, responses={200: TaskAssignResultSerializer},
                   summary="Assign the task to teams (fan-out to their members) and people; idempotent")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        task = self.get_object()
        serializer = TaskAssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = services.task_assign(
            task=task, actor=request.user,
            teams=serializer.validated_data.get("teams", []),
            members=serializer.validated_data.get("members", []),
        )
        return Response(TaskAssignResultSerializer(result).data)

    @extend_schema(request=None, responses={200: TaskSerializer},
                   summary="Cancel the task and its unfinished assignments")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        task = services.task_cancel(task=self.get_object(), actor=request.user)
        return self._respond(task)


def _assignment_action(request_serializer, summary):
    return extend_schema(request=request_serializer, responses={200: AssignmentSerializer}, summary=summary)


@extend_schema_view(
    list=extend_schema(
        summary="Assignments the caller can see (their own and their subtrees')",
        description="Keyset pagination: follow `next`/`previous` (opaque cursors); there are no page numbers "
                    "and no total count, so a district's million assignments page as fast as a village's. "
                    "`mine=true` is the member's own feed.",
    ),
    retrieve=extend_schema(summary="One assignment"),
)
class AssignmentViewSet(DeltaSyncMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    # Lists reach millions of rows: no COUNT(*), no OFFSET (api/pagination.py).
    pagination_class = KeysetPagination
    sync_field = None  # AssignmentFilter's updated_since also matches assignments whose task changed
    filterset_class = AssignmentFilter
    ordering_fields = ["due_at", "updated_at", "created_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"verify": "review", "reject": "review"}

    def get_queryset(self):
        if self.action == "list":
            return selectors.assignment_rows(self.request.user)
        return selectors.assignment_list(self.request.user)

    def _step(self, action_name, body_serializer=None):
        assignment = self.get_object()
        # Who may act is decided before the body is read.
        services.assignment_check_actor(action=action_name, assignment=assignment, actor=self.request.user)
        data = {}
        if body_serializer is not None:
            serializer = body_serializer(data=self.request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        # The service applies its changes to the loaded row: it is read once (and locked once).
        assignment = services.ACTIONS[action_name](assignment=assignment, actor=self.request.user, checked=True,
                                                   **data)
        return Response(self.get_serializer(assignment).data)

    @_assignment_action(None, "Start the work (the assignee)")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step("start")

    @_assignment_action(AssignmentCompleteSerializer,
                        "Report the work done with evidence (the assignee)")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step("complete", AssignmentCompleteSerializer)

    @_assignment_action(AssignmentDeclineSerializer, "Decline with a reason (the assignee)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step("decline", AssignmentDeclineSerializer)

    @_assignment_action(AssignmentVerifySerializer,
                        "Accept completed work (a coordinator of its team or above, not the assignee)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step("verify", AssignmentVerifySerializer)

    @_assignment_action(AssignmentRejectSerializer,
                        "Send completed work back with a reason (a coordinator of its team or above)")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step("reject", AssignmentRejectSerializer)

    @extend_schema(
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
                   (200, "image/webp"): OpenApiTypes.BINARY},
        summary="The evidence image, only to those who can see the assignment", filters=False,
    )
    @action(detail=True, methods=["get"], url_path="evidence-image", url_name="evidence-image",
            filter_backends=[], pagination_class=None)
    def evidence_image(self, request, pk=None):
        assignment = self.get_object()  # scope: the assignee, and coordinators/observers above
        if not assignment.evidence_image:
            raise Http404
        stored = assignment.evidence_image
        content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
        response = FileResponse(stored.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(responses={200: AssignmentEventSerializer(many=True)}, summary="The assignment's timeline",
                   filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=PageNumberPagination)
    def events(self, request, pk=None):
        assignment = self.get_object()
        page = self.paginate_queryset(selectors.assignment_events(assignment))
        return self.get_paginated_response(AssignmentEventSerializer(page, many=True).data)
