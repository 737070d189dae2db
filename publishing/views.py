from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.access import require
from api.conditional import IfMatchMixin
from api.pagination import PageNumberPagination
from api.parsers import JSONParser
from api.scoping import ScopedViewSetMixin
from api.sync import DeltaSyncMixin
from api.writes import ServiceWriteMixin

from . import selectors, services
from .access import PUBLISH
from .filters import ChannelFilter, ContentItemFilter, ScheduleFilter
from .serializers import (
    ContentApproveSerializer,
    ContentItemCreateSerializer,
    ContentItemSerializer,
    ContentItemUpdateSerializer,
    ContentRejectSerializer,
    ChannelCreateSerializer,
    ChannelPostCreateSerializer,
    ChannelPostSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
    ScheduleCreateSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
)

READ_CREATE_PATCH = ["get", "post", "patch", "head", "options"]


class _ListRetrieveCreatePatch(DeltaSyncMixin, IfMatchMixin, ServiceWriteMixin, ScopedViewSetMixin,
                               mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    http_method_names = READ_CREATE_PATCH
    sync_field = None  # the filtersets apply updated_since
    parser_classes = [JSONParser]
    services = services


CHANNEL_RULE = ("A channel is a page, group, channel or website the team itself runs; it never describes "
                "anyone else's account (a personal profile address is a 400 on `url`, and one page is "
                "registered once).")


@extend_schema_view(
    list=extend_schema(
        summary="The network's own channels the caller can see",
        description="Coordinators and observers see the channels of their subtrees; everyone sees the channels "
                    "of their own teams and of the teams above them, and managers the channels they manage. "
                    "Filters: `team`, `within`, `platform`, `kind`, `is_active`, `updated_since`. Page-number "
                    "pagination. Errors: 400 `invalid` for a bad filter. " + CHANNEL_RULE,
    ),
    retrieve=extend_schema(
        summary="One channel",
        description="A channel in the caller's scope, with an `ETag`. Errors: 404 `not_found` when it does not "
                    "exist or lies outside the caller's scope.",
    ),
    create=extend_schema(
        request=ChannelCreateSerializer, responses={201: ChannelSerializer},
        summary="Register a page or group the team runs",
        description="Coordinators of the team or above. `managers` are people holding a role in the team's "
                    "subtree; `posts_per_day_target` (0-100, default 1) is what the channel statistics measure. "
                    + CHANNEL_RULE + " Errors: 403 `permission_denied` for members and observers (before the "
                    "body is read), 400 `invalid` naming the field.",
    ),
    partial_update=extend_schema(
        request=ChannelUpdateSerializer, responses={200: ChannelSerializer},
        summary="Change a channel",
        description="Coordinators of the channel's team or above; its team does not change (400 on `team`). "
                    "`is_active: false` retires it (its log stays). Errors: 403 `permission_denied`, 404 "
                    "`not_found`, 400 `invalid`, 412 `precondition_failed` for a stale `If-Match`.",
    ),
)
class ChannelViewSet(_ListRetrieveCreatePatch):
    serializer_class = ChannelSerializer
    filterset_class = ChannelFilter
    ordering_fields = ["name", "updated_at", "id"]
    ordering = ["team_id", "name", "id"]
    action_capabilities = {"create": "manage", "partial_update": "manage"}
    create_serializer_class = ChannelCreateSerializer
    update_serializer_class = ChannelUpdateSerializer
    create_service = "channel_create"
    update_service = "channel_update"
    service_object = "channel"

    def get_queryset(self):
        return selectors.channel_list(self.request.user)

    @extend_schema(
        methods=["get"], responses={200: ChannelPostSerializer(many=True)}, filters=False,
        summary="The channel's post log, newest first",
        description="Whoever reads the channel reads its log. Each post names its `assignment` when it came "
                    "from completing a task that names this channel (one post per assignment). Page-number "
                    "pagination. Errors: 404 `not_found`.",
    )
    @extend_schema(
        methods=["post"], request=ChannelPostCreateSerializer, responses={201: ChannelPostSerializer},
        summary="Log an item published on the channel (its managers, coordinators above)",
        description="The channel's managers and the coordinators of its team or above; `published_at` is now "
                    "by default and cannot lie ahead. Errors: 403 `permission_denied` for other readers (before "
                    "the body is read), 404 `not_found`, 400 `invalid` naming the field, 409 `channel_inactive`.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=PageNumberPagination)
    def posts(self, request, pk=None):
        channel = self.get_object()
        if request.method != "POST":
            page = self.paginate_queryset(selectors.channel_posts(channel))
            return self.get_paginated_response(ChannelPostSerializer(page, many=True).data)
        require(request.user, PUBLISH, channel)  # who may, before the body is read
        data = self._body(ChannelPostCreateSerializer)
        post = services.channel_post_create(channel=channel, actor=request.user, **data)
        return Response(ChannelPostSerializer(post).data, status=status.HTTP_201_CREATED)


CONTENT_READ_RULE = ("Coordinators and observers read every item of their subtrees; everyone reads the `approved`, "
                     "unexpired items of their own teams and of every team above them (material flows down the "
                     "tree, never sideways); authors read their own items.")


def _content_step(request_serializer, summary, description):
    return extend_schema(request=request_serializer, responses={200: ContentItemSerializer}, summary=summary,
                         description=description)


@extend_schema_view(
    list=extend_schema(
        summary="The content library: approved material to publish and share",
        description=CONTENT_READ_RULE + " Filters: `team`, `within`, `status`, `topic`, `updated_since`. "
                    "Page-number pagination. Errors: 400 `invalid` for a bad filter.",
    ),
    retrieve=extend_schema(
        summary="One content item",
        description=CONTENT_READ_RULE + " With an `ETag`. Errors: 404 `not_found` when it does not exist or the "
                    "caller does not read it.",
    ),
    create=extend_schema(
        request=ContentItemCreateSerializer, responses={201: ContentItemSerializer},
        summary="Write a draft for a team's library",
        description="Coordinators of the team or above, and the managers of one of the team's active channels. "
                    "The item starts as a `draft`; `links` are http(s) URLs; `expires_at` lies ahead. Errors: 403 "
                    "`permission_denied` for callers who neither coordinate nor manage a channel (before the "
                    "body is read), 400 `invalid` naming the field.",
    ),
    partial_update=extend_schema(
        request=ContentItemUpdateSerializer, responses={200: ContentItemSerializer},
        summary="Edit a draft or a rejected item",
        description="Its author or a coordinator of its team or above; a rejected item edited goes back to "
                    "`draft`. Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid`, 409 "
                    "`content_not_editable` for an item in review, approved or archived, 412 "
                    "`precondition_failed` for a stale `If-Match`.",
    ),
)
class ContentItemViewSet(_ListRetrieveCreatePatch):
    serializer_class = ContentItemSerializer
    filterset_class = ContentItemFilter
    ordering_fields = ["title", "updated_at", "expires_at", "id"]
    ordering = ["-id"]
    create_serializer_class = ContentItemCreateSerializer
    update_serializer_class = ContentItemUpdateSerializer
    create_service = "content_create"
    update_service = "content_update"
    service_object = "item"

    def get_queryset(self):
        return selectors.content_list(self.request.user)

    # Reviews and archiving are coordinators' (the role is checked before the object and the body).
    action_capabilities = {"approve": "manage", "reject": "manage", "archive": "manage"}

    def check_permissions(self, request):
        super().check_permissions(request)
        # Writing, editing and submitting drafts: coordinators and channel managers, checked before
        # the object and the body (a member who is neither gets 403 whatever the id and body).
        if self.action in ("create", "partial_update", "submit") and not services.may_author_somewhere(
                request.user):
            raise PermissionDenied()

    def partial_update(self, request, *args, **kwargs):
        services.content_check_actor(action="update", item=self.get_object(), actor=request.user)
        return super().partial_update(request, *args, **kwargs)

    def _step(self, action_name, body_serializer=None):
        item = self.get_object()
        services.content_check_actor(action=action_name, item=item, actor=self.request.user)
        data = self._body(body_serializer) if body_serializer is not None else {}
        item = services.CONTENT_ACTIONS[action_name](item=item, actor=self.request.user, **data)
        return self._respond(item)

    @_content_step(None, "Send a draft for review (its author or a coordinator)",
                   "From `draft` to `in_review`. Errors: 403 `permission_denied`, 404 `not_found`, 409 "
                   "`invalid_transition` from another status.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step("submit")

    @_content_step(ContentApproveSerializer, "Approve an item in review (a coordinator who is not its author)",
                   "Four eyes: a coordinator of the item's team or above who did not write it (superusers "
                   "included); `note` becomes `review_note`. From then on members below read it and tasks may "
                   "carry it. Errors: 403 `permission_denied` (the author, members, observers), 404 `not_found`, "
                   "409 `invalid_transition` from another status.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step("approve", ContentApproveSerializer)

    @_content_step(ContentRejectSerializer, "Send an item in review back with a reason",
                   "As approve (never its author); `reason` is required and becomes `review_note`; the author "
                   "edits it (back to `draft`) and submits again. Errors: 400 `invalid` on `reason`, 403 "
                   "`permission_denied`, 404 `not_found`, 409 `invalid_transition`.")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step("reject", ContentRejectSerializer)

    @_content_step(None, "Withdraw an approved item (coordinators)",
                   "From `approved` to `archived`: members no longer see it and no new task can carry it; tasks "
                   "that carry it keep their material. Errors: 403 `permission_denied`, 404 `not_found`, 409 "
                   "`invalid_transition`.")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._step("archive")


SCHEDULE_RULE = ("At each occurrence (the local Asia/Ho_Chi_Minh `time` on every day for `daily`, Monday to Friday "
                 "for `weekdays`, the `weekday` for `weekly`, from `starts_on` to `ends_on`) the worker makes one "
                 "task from the schedule's fields, created by its author, and assigns it to the `targets` exactly "
                 "once; an occurrence missed while the worker was down is made once, late, when it comes back "
                 "(one task for all that were missed, never one each). Coordinators and observers of the team or "
                 "above read schedules; members see none (they see the tasks).")


@extend_schema_view(
    list=extend_schema(
        summary="Recurring work: schedules the caller can see",
        description=SCHEDULE_RULE + " Filters: `team`, `within`, `repeat`, `is_active`, `updated_since`. "
                    "Page-number pagination. Errors: 400 `invalid` for a bad filter.",
    ),
    retrieve=extend_schema(
        summary="One schedule",
        description="With an `ETag`. Errors: 404 `not_found` when it does not exist or lies outside the caller's "
                    "read scope (members: every schedule).",
    ),
    create=extend_schema(
        request=ScheduleCreateSerializer, responses={201: ScheduleSerializer},
        summary="Plan recurring work for a team",
        description="Coordinators of the team or above. " + SCHEDULE_RULE + " `weekday` only (and always) for "
                    "`weekly`; `targets` name at least one team or person inside the team's subtree; `channel`, "
                    "`content`, `topic`, `campaign` as for a task. Errors: 403 `permission_denied` for members "
                    "and observers (before the body is read), 400 `invalid` naming the field.",
    ),
    partial_update=extend_schema(
        request=ScheduleUpdateSerializer, responses={200: ScheduleSerializer},
        summary="Change a schedule",
        description="Coordinators of the schedule's team or above; its team does not change (400 on `team`); a "
                    "change of `repeat`, `weekday`, `time`, `starts_on` or `ends_on` plans the next occurrence "
                    "from now. Tasks already made stay as they are. Pause and resume are their own steps. "
                    "Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid`, 412 `precondition_failed` "
                    "for a stale `If-Match`.",
    ),
)
class ScheduleViewSet(_ListRetrieveCreatePatch):
    serializer_class = ScheduleSerializer
    filterset_class = ScheduleFilter
    ordering_fields = ["title", "next_run_at", "updated_at", "id"]
    ordering = ["-id"]
    action_capabilities = {"create": "manage", "partial_update": "manage", "pause": "manage", "resume": "manage"}
    create_serializer_class = ScheduleCreateSerializer
    update_serializer_class = ScheduleUpdateSerializer
    create_service = "schedule_create"
    update_service = "schedule_update"
    service_object = "schedule"

    def get_queryset(self):
        return selectors.schedule_list(self.request.user)

    def _step(self, service):
        schedule = self.get_object()
        require(self.request.user, "manage", schedule)
        return self._respond(service(schedule=schedule, actor=self.request.user))

    @extend_schema(request=None, responses={200: ScheduleSerializer},
                   summary="Pause a schedule (no task is made until it resumes)",
                   description="Coordinators of its team or above. The occurrences while it is paused are never "
                               "made. Errors: 403 `permission_denied`, 404 `not_found`, 409 `schedule_paused` when "
                               "it is paused already.")
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._step(services.schedule_pause)

    @extend_schema(request=None, responses={200: ScheduleSerializer},
                   summary="Resume a paused schedule from its next occurrence",
                   description="Coordinators of its team or above; `next_run_at` becomes the next occurrence "
                               "after now. Errors: 403 `permission_denied`, 404 `not_found`, 409 `schedule_active` "
                               "when it is not paused.")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._step(services.schedule_resume)
