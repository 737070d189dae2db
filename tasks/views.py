import mimetypes

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.fields import BooleanField
from rest_framework.response import Response

from api.access import READ
from api.conditional import IfMatchMixin
from api.pagination import KeysetPagination, PageNumberPagination
from api.rows import RowListMixin
from api.parsers import JSONParser
from api.scoping import ScopedViewSetMixin
from api.views import JobAcceptedSerializer
from api.writes import ServiceWriteMixin
from api.sync import DeltaSyncMixin

from . import rows, selectors, services
from .filters import AssignmentFilter, CampaignFilter, TaskFilter, TopicFilter
from .serializers import (
    AssignmentCompleteJsonSerializer,
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
    TopicCreateSerializer,
    TopicSerializer,
    TopicUpdateSerializer,
)

READ_CREATE_PATCH = ["get", "post", "patch", "head", "options"]


class _ListRetrieveCreatePatch(DeltaSyncMixin, IfMatchMixin, ServiceWriteMixin, ScopedViewSetMixin, RowListMixin,
                               mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = READ_CREATE_PATCH
    sync_field = None  # the filtersets apply updated_since
    # The contract's bodies are JSON (lists of ids included); form encodings add nothing but ambiguity.
    parser_classes = [JSONParser]


@extend_schema_view(
    list=extend_schema(
        summary="Topics the caller can use",
        description="A topic says what work is about (policy, holidays, good deeds, scam warnings ...). Everyone "
                    "reads the topics of their own teams and of the teams above them; coordinators and "
                    "observers also those of their subtrees. Content, tasks, campaigns, channel posts and "
                    "surveys take an optional `topic` (an active one the caller reads, of the object's team or a "
                    "team above it), and every statistics endpoint takes `topic=`. Filters: `team`, `within`, "
                    "`is_active`, `updated_since`. Page-number pagination. Errors: 400 `invalid` for a bad filter.",
    ),
    retrieve=extend_schema(
        summary="One topic",
        description="A topic in the caller's scope, with an `ETag`. Errors: 404 `not_found` when it does not "
                    "exist or lies outside the caller's scope.",
    ),
    create=extend_schema(
        request=TopicCreateSerializer, responses={201: TopicSerializer},
        summary="Name a topic for a team's subtree",
        description="Coordinators of the team or above; a name is the team's once (case aside). Errors: 403 "
                    "`permission_denied` for members and observers (before the body is read), 400 `invalid` "
                    "naming the field.",
    ),
    partial_update=extend_schema(
        request=TopicUpdateSerializer, responses={200: TopicSerializer},
        summary="Rename or retire a topic",
        description="Coordinators of the topic's team or above. `is_active: false` retires it: what already "
                    "names it keeps it, nothing new can. Its team does not change (400 on `team`). Errors: 403 "
                    "`permission_denied`, 404 `not_found`, 400 `invalid`, 412 `precondition_failed`.",
    ),
)
class TopicViewSet(_ListRetrieveCreatePatch):
    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    ordering_fields = ["name", "updated_at", "id"]
    ordering = ["name", "id"]
    action_capabilities = {"create": "manage", "partial_update": "manage"}

    def get_queryset(self):
        return selectors.topic_list(self.request.user)

    create_serializer_class = TopicCreateSerializer
    update_serializer_class = TopicUpdateSerializer
    services = services
    create_service = "topic_create"
    update_service = "topic_update"
    service_object = "topic"


@extend_schema_view(
    list=extend_schema(
        summary="Campaigns the caller can see",
        description="Campaigns of the teams in the caller's scope: coordinators and observers see their "
                    "subtrees', members those of their own teams. Filters: `team`, `within` (a team and "
                    "everything below it), `topic`, `search`, `updated_since` (delta sync; the answer carries "
                    "`X-Sync-Cursor`). Page-number pagination (`page`, `page_size` up to 200). "
                    "Errors: 400 `invalid` for a bad filter or page size, 404 `not_found` for a page past the end.",
    ),
    retrieve=extend_schema(
        summary="One campaign",
        description="A campaign in the caller's scope, with an `ETag` (send it back in `If-None-Match` for a "
                    "304). Errors: 404 `not_found` when it does not exist or lies outside the caller's scope.",
    ),
    create=extend_schema(
        request=CampaignCreateSerializer, responses={201: CampaignSerializer},
        summary="Create a campaign for a team the caller coordinates",
        description="Coordinators only, for a team they coordinate or one below it. `ends_at` must not be "
                    "before `starts_at`. Errors: 403 `permission_denied` for members and observers (before the "
                    "body is read), 400 `invalid` naming the field (a team outside the caller's reach is a 400 "
                    "on `team`).",
    ),
    partial_update=extend_schema(
        request=CampaignUpdateSerializer, responses={200: CampaignSerializer},
        summary="Change a campaign",
        description="Coordinators of the campaign's team or above. Send `If-Match` with the ETag you read to "
                    "make sure nobody changed it meanwhile (412 `precondition_failed` otherwise, nothing "
                    "written). Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid`.",
    ),
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
    list=extend_schema(
        summary="Tasks the caller can see, with progress counts",
        description="Tasks of the teams in the caller's scope (members: the tasks behind their own "
                    "assignments), each with its assignments counted by status in `progress`. Filters: "
                    "`status`, `kind`, `platform`, `team`, `within`, `campaign`, `topic`, `search`, `updated_since` "
                    "(delta sync: cancelled and closed tasks come back too; the answer carries "
                    "`X-Sync-Cursor`). A page's `ETag` (the fingerprint of its rows and progress) in "
                    "`If-None-Match` answers 304 while nothing on it changed. Errors: 400 `invalid` for a bad "
                    "filter, 404 `not_found` past the last page.",
    ),
    retrieve=extend_schema(
        summary="One task with its progress counts",
        description="A task in the caller's scope, with an `ETag` for `If-None-Match` (304) and `If-Match` "
                    "(PATCH). Errors: 404 `not_found` when it does not exist or lies outside the caller's scope.",
    ),
    create=extend_schema(
        request=TaskCreateSerializer, responses={201: TaskSerializer},
        summary="Plan a task for a team the caller coordinates",
        description="Coordinators only; `team` is the owning team, one the caller coordinates or one below "
                    "it. The task starts `open` and reaches nobody until it is assigned. `reference_url` is an "
                    "http(s) link or empty. Errors: 403 `permission_denied` for members and observers (before "
                    "the body is read), 400 `invalid` naming the field.",
    ),
    partial_update=extend_schema(
        request=TaskUpdateSerializer, responses={200: TaskSerializer},
        summary="Change a task (open/closed; cancel has its own action)",
        description="Coordinators of the task's team or above. `status` takes `open` or `closed` (a closed "
                    "task takes no new assignments); cancelling is `POST .../cancel/`. The team never "
                    "changes (400 on `team`). `If-Match` with the ETag read guards against lost updates (412 "
                    "`precondition_failed`). Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid`, "
                    "409 `task_cancelled` for a cancelled task.",
    ),
    assign=extend_schema(
        request=TaskAssignSerializer, responses={200: TaskAssignResultSerializer, 202: JobAcceptedSerializer},
        summary="Assign the task to teams (fan-out to their members) and people; idempotent",
        description="Coordinators of the task's team or above, on an `open` task. Each team in `teams` reaches "
                    "every active person with the `member` role in its subtree; `members` names people "
                    "directly. Every target must lie in the caller's scope and inside the task's team subtree "
                    "(400 on `teams` or `members` otherwise). Assigning again makes nothing twice: `created` "
                    "counts the new assignments, `already_assigned` those that existed. At most 500 targets "
                    "per call. All or nothing, in one transaction, while the teams reach at most "
                    "ASSIGN_BACKGROUND_THRESHOLD people (20,000 by default): 200. Past it the answer is 202 "
                    "`{job: {id, status, done, total}}` at once: the named members are assigned in the "
                    "request, the teams' fan-out continues in the background in batches (follow "
                    "`GET /api/v1/jobs/{id}/`; its `result` is `{created, already_assigned}` of the teams), "
                    "and people who join the teams meanwhile get the task too. Errors: 403 "
                    "`permission_denied`, 404 `not_found`, 400 `invalid`, 409 `task_not_open` (closed or "
                    "cancelled task).",
    ),
    cancel=extend_schema(
        request=None, responses={200: TaskSerializer},
        summary="Cancel the task and its unfinished assignments",
        description="Coordinators of the task's team or above. The task becomes `cancelled`, and so do its "
                    "assignments that are `assigned`, `in_progress` or `rejected`; finished ones keep their "
                    "status. Assignees are notified. Errors: 403 `permission_denied`, 404 `not_found`, 409 "
                    "`task_cancelled` when it already is.",
    ),
)
class TaskViewSet(_ListRetrieveCreatePatch):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["due_at", "updated_at", "created_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"create": "manage", "partial_update": "manage", "assign": "manage", "cancel": "manage"}

    def get_queryset(self):
        return selectors.task_list(self.request.user)

    # The list: values() rows shaped by tasks.rows (api/rows.py); TaskSerializer documents them.
    row_shapes = True

    def row_columns(self):
        return rows.task_columns()

    def row_annotations(self):
        return rows.task_annotations()

    def shape_rows(self, page):
        shape = rows.task_shaper(self.request)
        return [shape(row) for row in page]

    empty_page = {"count": 0, "next": None, "previous": None, "results": []}

    def fingerprint_columns(self):
        return rows.task_fingerprint_columns()

    def fingerprint_clock(self, row, now):
        return rows.past(row["due_at"], now), rows.past(row["publish_at"], now)

    create_serializer_class = TaskCreateSerializer
    update_serializer_class = TaskUpdateSerializer
    services = services
    create_service = "task_create"
    update_service = "task_update"
    service_object = "task"

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
        if result.job is not None:
            return Response(JobAcceptedSerializer({"job": result.job}).data, status=202)
        return Response(TaskAssignResultSerializer(result).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        task = services.task_cancel(task=self.get_object(), actor=request.user)
        return self._respond(task)


def _assignment_action(request_serializer, summary, description):
    return extend_schema(request=request_serializer, responses={200: AssignmentSerializer}, summary=summary,
                         description=description)


@extend_schema_view(
    list=extend_schema(
        summary="Assignments the caller can see (their own and their subtrees')",
        description="The caller's own assignments and, for coordinators and observers, those of their "
                    "subtrees; each carries enough of its task (title, instructions, links, due time) for a "
                    "phone to do the work. `mine=true` is the member's own feed. Keyset pagination: follow "
                    "`next`/`previous` (opaque cursors), no page numbers and no total count. Filters: "
                    "`status`, `task`, `assignee`, `team`, `within`, `campaign`, `topic`, `due_before`, `due_after`, "
                    "`updated_since` (delta sync: an assignment whose task changed comes back too; the answer "
                    "carries `X-Sync-Cursor`; a delta that finds nothing is answered from one query), `ordering`. "
                    "A page's `ETag` is the fingerprint of its rows: send it back in `If-None-Match` for a 304 "
                    "while nothing on the page changed. Errors: 400 `invalid` for a bad filter or a cursor "
                    "that is not one of ours (`errors.cursor`).",
    ),
    retrieve=extend_schema(
        summary="One assignment",
        description="An assignment in the caller's scope (the assignee, and coordinators and observers of its "
                    "team or above), with an `ETag` for `If-None-Match` (304). Errors: 404 `not_found`.",
    ),
)
class AssignmentViewSet(DeltaSyncMixin, RowListMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    # Lists reach millions of rows: no COUNT(*), no OFFSET (api/pagination.py).
    pagination_class = KeysetPagination
    sync_field = None  # AssignmentFilter's updated_since also matches assignments whose task changed
    filterset_class = AssignmentFilter
    ordering_fields = ["due_at", "updated_at", "created_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"verify": "review", "reject": "review"}

    # The list: values() rows shaped by tasks.rows (api/rows.py); AssignmentSerializer documents them.
    row_shapes = True

    def row_columns(self):
        return rows.assignment_columns()

    def row_annotations(self):
        return rows.assignment_annotations()

    def shape_rows(self, page):
        shape = rows.assignment_shaper(self.request)
        return [shape(row) for row in page]

    def row_queryset(self, user):
        return selectors.assignment_list_rows(user, self.row_columns(), self.row_annotations())

    def object_queryset(self, user):
        return selectors.assignment_for_step(user) if self.action in services.ACTIONS else None

    def get_object(self):
        # A workflow step's row through a query compiled once per shape of scope (api.rows).
        if self.action in services.ACTIONS:
            return self.scoped_object(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        return super().get_object()

    def fingerprint_columns(self):
        return rows.assignment_fingerprint_columns()

    def fingerprint_clock(self, row, now):
        return (rows.past(row["due_at"], now),)

    def delta_queryset(self):
        if self.request.query_params.get("mine") == "true":
            # The phone's own feed: if none of the caller's assignments changed, none of those
            # the scope shows them did; the probe then skips the memberships. Any change falls
            # through to the scoped page.
            return selectors.own_assignments_unscoped(self.request.user.pk)
        return selectors.assignments_visible_to(self.request.user)

    def delta_template(self, params):
        # The phone's idle poll, `mine=true&updated_since=...`: compiled once (api/rows.py).
        if set(params) <= {"mine", "page_size"} and params.getlist("mine") == ["true"]:
            return "mine"
        return None

    # The first page of a phone's feed (`mine=true`) and of a coordinator's list, compiled once per
    # shape of scope (api/rows.py): the query reads the caller's id, the moment and their read paths.
    template_capabilities = (READ,)

    def page_template(self, params):
        if set(params) <= {"mine", "page_size"} and params.getlist("mine") in ([], ["true"]):
            return "mine" if "mine" in params else "all"
        return None

    def page_prepared(self, key):
        # A phone's own first page: (assignee, id) read backwards is its plan for everyone
        # (migration 0010). A coordinator's subtree page is planned for its values.
        return key == "mine"

    def delta_template_queryset(self, user_id):
        return selectors.own_assignments_unscoped(user_id)

    def delta_function(self, key):
        # The same question with its plans made once per connection (migration 0009).
        return "tasks_own_assignments_changed_since" if key == "mine" else None

    def delta_branches(self, queryset, since):
        # AssignmentFilter's updated_since (the row or its task changed) as two indexed reads:
        # (assignee, updated_at) for a phone's own, the task's updated_at index for its task.
        return [queryset.filter(updated_at__gte=since), queryset.filter(task__updated_at__gte=since)]

    def get_queryset(self):
        if self.action in services.ACTIONS:  # a workflow step: the row it moves, answered as a row (_step)
            return selectors.assignment_for_step(self.request.user)
        if self.action == "events":  # the timeline's first step names who assigned it
            return selectors.assignment_list(self.request.user).select_related("assigned_by")
        if self._rows_listed():  # already values() rows (RowListMixin.list reads them as they are)
            return selectors.assignment_list_rows(self.request.user, self.row_columns(), self.row_annotations())
        return selectors.assignment_list(self.request.user)

    def _step(self, action_name, body_serializer=None, on_behalf=False):
        assignment = self.get_object()
        # Who may act is decided before the body is read.
        services.assignment_check_actor(action=action_name, assignment=assignment, actor=self.request.user,
                                        on_behalf=on_behalf)
        data = {}
        if body_serializer is not None:
            serializer = body_serializer(data=self.request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        if "on_behalf" in data:
            data["on_behalf"] = on_behalf  # exactly what the actor was checked for
        # The service applies its changes to the loaded row: it is read once (and locked once).
        assignment = services.ACTIONS[action_name](assignment=assignment, actor=self.request.user, checked=True,
                                                   **data)
        # Answered as the list shapes it (AssignmentSerializer's output, tests/api/test_hot_rows.py):
        # one values() row read after the step (its query compiled once per shape of scope,
        # api.rows.scoped_row), instead of eight relations loaded into model instances before it
        # and a nested serializer after.
        row = self.scoped_row(assignment.pk)
        if row is None:  # moved out of the caller's sight since the step committed (a merge, say)
            return Response(self.get_serializer(assignment).data)
        return Response(self.shape_rows([row])[0])

    @_assignment_action(
        None, "Start the work (the assignee)",
        "The assignee only, from `assigned` or `rejected`; the status becomes `in_progress`. Starting is "
        "optional: `complete` works from `assigned` too. Errors: 403 `permission_denied` (not the assignee), "
        "404 `not_found`, 409 `invalid_transition` (another status), `task_cancelled` or `task_closed`.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step("start")

    @_assignment_action(
        {"multipart/form-data": AssignmentCompleteSerializer, "application/json": AssignmentCompleteJsonSerializer},
        "Report the work done with evidence or a quantity (the assignee)",
        "The assignee, from `assigned`, `in_progress` or `rejected`; the status becomes `completed` and a "
        "previous review is cleared. Online work needs evidence: a link (`evidence_url`, http or https) or a "
        "screenshot (`evidence_image`, multipart: JPEG, PNG or WebP, at most 5 MB and 40 megapixels; metadata "
        "such as GPS is removed). Offline work (task `kind` `offline`) needs `quantity` (0..1,000,000, in the "
        "task's `unit`) and no evidence; a coordinator of the assignment's team or above may record it for a "
        "member without a smartphone with `on_behalf: true` (the timeline's event names the coordinator as "
        "`actor`); online work is never completed on someone else's behalf (403). Errors: 400 `invalid` naming "
        "`evidence_url`, `evidence_image` or `quantity`, 413 `request_too_large` for an image over 5 MB (`errors.evidence_image`) or a body "
        "over 10 MB, 415 `unsupported_media_type` for another Content-Type, 403 `permission_denied`, 404 "
        "`not_found`, 409 `invalid_transition`, `task_cancelled` or `task_closed`.",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        # `on_behalf` changes who may act, so it is read before the rest of the body is validated.
        # Read the way the body serializer reads it (an invalid value is its 400, after the check).
        raw = request.data.get("on_behalf", False) if hasattr(request.data, "get") else False
        on_behalf = raw in BooleanField.TRUE_VALUES if isinstance(raw, (str, bool, int)) else False
        return self._step("complete", AssignmentCompleteSerializer, on_behalf=on_behalf)

    @_assignment_action(
        AssignmentDeclineSerializer, "Decline with a reason (the assignee)",
        "The assignee only, from `assigned` or `in_progress`, with a `reason` (required); the status becomes "
        "`declined` (finished) and the reason comes back as `reason` and `decline_reason`. Errors: 400 "
        "`invalid` on `reason`, 403 `permission_denied`, 404 `not_found`, 409 `invalid_transition`.",
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step("decline", AssignmentDeclineSerializer)

    @_assignment_action(
        AssignmentVerifySerializer, "Accept completed work (a coordinator of its team or above, not the assignee)",
        "A coordinator of the assignment's team or a team above it, never the assignee, from `completed` only; "
        "the status becomes `verified`, with `reviewed_by`, `reviewed_by_name`, `reviewed_at` and the optional "
        "`note` as `review_note`. Verifying twice is a 409. Errors: 403 `permission_denied` (members, "
        "observers, the assignee), 404 `not_found`, 409 `invalid_transition`.",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step("verify", AssignmentVerifySerializer)

    @_assignment_action(
        AssignmentRejectSerializer, "Send completed work back with a reason (a coordinator of its team or above)",
        "A coordinator of the assignment's team or a team above it, never the assignee, from `completed` only, "
        "with a `reason` (required); the status becomes `rejected`, the reason comes back as `reason` (and "
        "`review_note`), and the assignee is notified and may start or complete again. Errors: 400 `invalid` "
        "on `reason`, 403 `permission_denied`, 404 `not_found`, 409 `invalid_transition`.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step("reject", AssignmentRejectSerializer)

    @extend_schema(
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
                   (200, "image/webp"): OpenApiTypes.BINARY},
        summary="The evidence image, only to those who can see the assignment", filters=False,
        description="The screenshot sent with `complete`, as stored (re-encoded, metadata removed); the "
                    "`evidence_image` field of an assignment links here. Only the assignee and coordinators "
                    "and observers of its team or above. Errors: 404 `not_found` when there is no image or "
                    "the assignment lies outside the caller's scope.",
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
                   filters=False,
                   description="Every step of the assignment, oldest first: who did it, from which status to "
                               "which, and the note or reason given. The first step, `assigned`, has id 0: it "
                               "is the assignment itself (who assigned it, when, and a note when a late "
                               "joiner got it). Page-number pagination. Errors: 404 `not_found`.")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=PageNumberPagination)
    def events(self, request, pk=None):
        assignment = self.get_object()
        page = self.paginate_queryset(selectors.assignment_timeline(assignment))
        return self.get_paginated_response(AssignmentEventSerializer(page, many=True).data)
