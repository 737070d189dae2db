from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from api.conditional import IfMatchMixin
from api.scoping import ScopedViewSetMixin
from api.writes import ServiceWriteMixin

from . import personal_data, selectors, services
from .filters import MemberFilter, MembershipFilter, TeamFilter
from .models import Member
from .permissions import CanChangeMember, NotOwnRoles
from .serializers import (
    LogoutSerializer,
    MemberCreateSerializer,
    MembershipCreateSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    MeSerializer,
    MeUpdateSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
    TeamWriteSerializer,
)

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


@extend_schema_view(
    list=extend_schema(summary="Teams the caller can see"),
    create=extend_schema(request=TeamWriteSerializer, responses={201: TeamSerializer},
                         summary="Create a team under one the caller coordinates"),
    partial_update=extend_schema(request=TeamUpdateSerializer, responses={200: TeamSerializer},
                                 summary="Rename, re-level or move a team with its subtree"),
    destroy=extend_schema(summary="Delete an empty team (409 with the reason otherwise)"),
)
class TeamViewSet(IfMatchMixin, ServiceWriteMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "level", "path", "id", "updated_at"]
    ordering = ["path"]
    http_method_names = WRITE_METHODS
    action_capabilities = {"create": "manage", "partial_update": "manage", "destroy": "manage"}

    def scope_path(self, team):
        return team.path

    def get_queryset(self):
        return selectors.team_list(self.request.user)

    def get_serializer(self, *args, **kwargs):
        if args and self.get_serializer_class() is TeamSerializer:
            teams = args[0] if kwargs.get("many") else [args[0]]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["ancestor_map"] = selectors.team_ancestor_map(teams)
        return super().get_serializer(*args, **kwargs)

    create_serializer_class = TeamWriteSerializer
    update_serializer_class = TeamUpdateSerializer
    services = services
    create_service = "team_create"
    update_service = "team_update"
    destroy_service = "team_delete"
    service_object = "team"


@extend_schema_view(
    list=extend_schema(summary="Members the caller can see"),
    create=extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer},
                         summary="Register a person with a role in a team the caller coordinates"),
    partial_update=extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer},
                                 summary="Change a member; is_active=false deactivates"),
)
class MemberViewSet(ServiceWriteMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["full_name", "id", "date_joined", "updated_at"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # anonymise: coordinators reach it (403 in scope, 404 outside); only superusers pass the service.
    action_capabilities = {"create": "manage", "partial_update": "manage", "anonymise": "manage"}
    permission_classes = [*ScopedViewSetMixin.permission_classes, CanChangeMember]

    def scope_path(self, member):
        return None  # services.member_update checks reach over all their memberships

    def get_queryset(self):
        return selectors.member_list(self.request.user)

    create_serializer_class = MemberCreateSerializer
    update_serializer_class = MemberUpdateSerializer
    services = services
    create_service = "member_create"
    update_service = "member_update"
    service_object = "member"

    @extend_schema(
        request=None, responses={200: MemberSerializer},
        summary="Anonymise a member who left (superusers only)",
        description="Name and phone are replaced, the password made unusable, the account deactivated; "
                    "devices, sessions and personal text in notifications are removed. Memberships, "
                    "assignments and their history are kept, so statistics do not change (apart from "
                    "`members_active`, as for any deactivation). Not reversible. A member already "
                    "anonymised is a 409. Other coordinators get 403, callers who cannot see the member 404.",
    )
    @action(detail=True, methods=["post"])
    def anonymise(self, request, pk=None):
        member = services.member_anonymise(member=self.get_object(), actor=request.user)
        return self._respond(member)


@extend_schema_view(
    list=extend_schema(summary="Memberships the caller can see"),
    create=extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer},
                         summary="Grant a role in a team the caller coordinates"),
    partial_update=extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer},
                                 summary="Change a role"),
    destroy=extend_schema(summary="Remove a role"),
)
class MembershipViewSet(ServiceWriteMixin, ScopedViewSetMixin, viewsets.ModelViewSet):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["id", "role", "created_at"]
    ordering = ["id"]
    http_method_names = WRITE_METHODS
    action_capabilities = {"create": "manage", "partial_update": "manage", "destroy": "manage"}
    permission_classes = [*ScopedViewSetMixin.permission_classes, NotOwnRoles]

    def get_queryset(self):
        return selectors.memberships_visible_to(self.request.user).select_related("team")

    create_serializer_class = MembershipCreateSerializer
    update_serializer_class = MembershipUpdateSerializer
    update_partial = False  # the role is required
    services = services
    create_service = "membership_create"
    update_service = "membership_update"
    destroy_service = "membership_delete"
    service_object = "membership"


class MeView(generics.GenericAPIView):
    """The caller's own profile and memberships."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer

    def get_object(self):
        return Member.objects.prefetch_related("memberships__team").get(pk=self.request.user.pk)

    @extend_schema(responses=MeSerializer, summary="The caller with their memberships")
    def get(self, request):
        return Response(MeSerializer(self.get_object()).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer,
                   summary="Change the caller's own profile fields (never roles or flags)")
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.me_update(member=request.user, **serializer.validated_data)
        return Response(MeSerializer(self.get_object()).data)


class MeExportView(APIView):
    """All personal data held about the caller, as one JSON document."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: personal_data.export_serializer()},
        summary="Export everything held about the caller (one JSON document)",
        description="Profile, memberships and their history, assignments with evidence, notes and "
                    "reasons, the timeline entries the caller acted in or that concern their work, "
                    "tasks and campaigns they created, notifications with their texts, push deliveries, "
                    "devices and login sessions. Not paginated: every list is complete; the document "
                    "is streamed as it is read.",
    )
    def get(self, request):
        context = {"request": request}
        response = StreamingHttpResponse(
            personal_data.export_stream(request.user, context), content_type="application/json"
        )
        response["Cache-Control"] = "no-store"
        response["Content-Disposition"] = f'inline; filename="personal-data-{request.user.pk}.json"'
        return response


class LogoutView(APIView):
    """Blacklists the refresh token; it cannot be used again."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        # A used, expired or forged refresh token is a 401 (as on token/refresh/), not a 403.
        return 'Bearer realm="api"'

    @extend_schema(request=LogoutSerializer, responses={204: OpenApiResponse(description="Logged out")},
                   summary="Log out: the refresh token stops working")
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise InvalidToken(str(exc))
        return Response(status=status.HTTP_204_NO_CONTENT)
