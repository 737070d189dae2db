from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
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
from .filters import ChannelFilter
from .serializers import (
    ChannelCreateSerializer,
    ChannelPostCreateSerializer,
    ChannelPostSerializer,
    ChannelSerializer,
    ChannelUpdateSerializer,
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
