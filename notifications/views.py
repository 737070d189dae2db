from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from api.ordering import OrderingFilter
from api.rows import RowListMixin
from api.sync import DeltaSyncMixin

from . import rows, selectors, services
from .filters import NotificationFilter
from .models import Device, Notification
from .pagination import FeedPagination
from .serializers import DeviceSerializer, NotificationSerializer, ReadAllResultSerializer, UnreadCountSerializer


@extend_schema_view(
    list=extend_schema(
        summary="The caller's own notifications, newest first",
        description="Everyone has exactly one feed, their own: new assignment, work sent back, task "
                    "cancelled, deadline within 24 h and 2 h, and the coordinators' overdue digest. `title` and "
                    "`body` are written in the language of Accept-Language; `params` holds what they were "
                    "written from. Filters: `unread` (`true`/`false`), `kind` (repeatable), `updated_since` "
                    "(delta sync; the answer carries `X-Sync-Cursor`). A page's `ETag` in `If-None-Match` "
                    "answers 304 while nothing on it changed. Keyset pagination like assignments: "
                    "follow `next`/`previous`. Errors: 400 `invalid` for a bad filter or a cursor that is not "
                    "one of ours (`errors.cursor`).",
    ),
    retrieve=extend_schema(
        summary="One of the caller's notifications",
        description="One notification of the caller's own feed, with an `ETag` for `If-None-Match` (304). "
                    "Errors: 404 `not_found` for another person's notification.",
    ),
    read=extend_schema(
        request=None, responses={200: NotificationSerializer}, summary="Mark one notification read",
        description="Sets `read_at` (once: reading again keeps the first time). Errors: 404 `not_found` for "
                    "another person's notification.",
    ),
    read_all=extend_schema(
        request=None, responses={200: ReadAllResultSerializer}, summary="Mark all the caller's notifications read",
        description="Marks every unread notification of the caller's feed read; `updated` says how many changed.",
    ),
    unread_count=extend_schema(
        responses={200: UnreadCountSerializer}, summary="How many of the caller's notifications are unread",
        description="How many notifications of the caller's own feed are unread: the number a phone shows "
                    "on its badge.",
    ),
)
class NotificationViewSet(DeltaSyncMixin, RowListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Everyone has exactly one feed, their own: another member's notification is 404."""

    queryset = Notification.objects.none()  # the schema's model; requests use get_queryset()
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = FeedPagination
    filterset_class = NotificationFilter
    # The keyset feed has one order (newest first): ?ordering= is ignored, never honoured.
    filter_backends = [f for f in viewsets.GenericViewSet.filter_backends if not issubclass(f, OrderingFilter)]

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    # The feed: values() rows shaped by notifications.rows (api/rows.py); the serializer documents them.
    row_shapes = True

    def row_columns(self):
        return list(rows.COLUMNS)

    def shape_rows(self, page):
        shape = rows.notification_shaper(self.request)
        return [shape(row) for row in page]

    def fingerprint_columns(self):
        return ["id", "updated_at"]  # a notification changes only by being read (updated_at moves)

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        updated = services.notifications_mark_all_read(member=request.user)
        return Response({"updated": updated})

    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"count": selectors.unread_count(request.user)})


@extend_schema_view(
    create=extend_schema(
        summary="Register a push token (registering a known token again moves it to the caller)",
        responses={201: DeviceSerializer, 200: DeviceSerializer},
        description="`token` is the FCM registration token of the app on this device, `platform` one of "
                    "`android`, `ios`, `web`. Pushes are written in the language of this request's "
                    "Accept-Language. 201 for a new token; 200 when the token was known (it now belongs to the "
                    "caller). Errors: 400 `invalid` on `token` or `platform`.",
    ),
    destroy=extend_schema(
        summary="Forget one of the caller's push tokens",
        responses={204: OpenApiResponse(description="Removed")},
        description="The device gets no more pushes (call it on logout). Errors: 404 `not_found` for a token "
                    "that is not the caller's.",
    ),
)
class DeviceViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    queryset = Device.objects.none()
    serializer_class = DeviceSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.devices_of(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = services.device_register(
            member=request.user, language=get_language() or "vi", **serializer.validated_data
        )
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request, *args, **kwargs):
        services.device_remove(device=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
