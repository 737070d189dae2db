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

from . import accounts, personal_data, selectors, services
from .account_views import PasswordSetSerializer
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
    list=extend_schema(
        summary="Teams the caller can see",
        description="The teams of the caller's subtrees (coordinators and observers) and the teams named by "
                    "the caller's own memberships, in tree order, each with its `ancestors`. Filters: `level`, "
                    "`parent`, `within` (a team and everything below it), `search` (accent- and "
                    "case-insensitive). Errors: 400 `invalid` for a bad filter, 404 `not_found` past the last page.",
    ),
    retrieve=extend_schema(
        summary="One team",
        description="A team the caller can see, with an `ETag` for `If-None-Match` (304) and `If-Match` "
                    "(PATCH). Errors: 404 `not_found` when it does not exist or lies outside the caller's scope.",
    ),
    create=extend_schema(
        request=TeamWriteSerializer, responses={201: TeamSerializer},
        summary="Create a team under one the caller coordinates",
        description="Coordinators, under a team they coordinate (or below it); a province has no parent "
                    "(superusers only). Levels go down the tree (`province` > `district` > `commune` > "
                    "`village`): the parent is one level up. Errors: 403 `permission_denied`, 400 "
                    "`invalid` on `level` or `parent`.",
    ),
    partial_update=extend_schema(
        request=TeamUpdateSerializer, responses={200: TeamSerializer},
        summary="Rename, re-level or move a team with its subtree",
        description="Coordinators of a team above it. A move takes the whole subtree along; moving a team "
                    "under its own descendant or breaking the level order is a 400. `If-Match` with the ETag "
                    "read guards against lost updates (412 `precondition_failed`). Errors: 403 "
                    "`permission_denied`, 404 `not_found`, 400 `invalid`.",
    ),
    destroy=extend_schema(
        summary="Delete an empty team (409 with the reason otherwise)",
        description="Coordinators of a team above it. Only a team with no members, child teams, tasks or "
                    "campaigns can go; nothing is ever cascaded away. Errors: 409 `team_not_empty` naming "
                    "what is left, 403 `permission_denied`, 404 `not_found`.",
    ),
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
    list=extend_schema(
        summary="Members the caller can see",
        description="People in the caller's subtrees (coordinators and observers), and the caller's teammates "
                    "(members see names only: `phone` is null to them). Filters: `team`, `within`, `role`, "
                    "`is_active`, `search`. Errors: 400 `invalid` for a bad filter, 404 `not_found` past the "
                    "last page.",
    ),
    retrieve=extend_schema(
        summary="One member",
        description="A person the caller can see, with their memberships and an `ETag` for `If-None-Match` "
                    "(304). Errors: 404 `not_found` when they do not exist or lie outside the caller's scope.",
    ),
    create=extend_schema(
        request=MemberCreateSerializer, responses={201: MemberSerializer},
        summary="Register a person with a role in a team the caller coordinates",
        description="Coordinators, for a team they coordinate (or below) and a role within their reach. "
                    "`phone` as `09...` or `+849...` (stored E.164); the password goes through the password "
                    "rules. Errors: 403 `permission_denied`, 400 `invalid` on `phone` (also when it is taken), "
                    "`password`, `team` or `role`.",
    ),
    partial_update=extend_schema(
        request=MemberUpdateSerializer, responses={200: MemberSerializer},
        summary="Change a member; is_active=false deactivates",
        description="Coordinators whose scope holds every team of that person, or superusers. "
                    "`is_active: false` is how people leave (there is no delete); nobody changes their own "
                    "account here (use `/me/`). Errors: 403 `permission_denied`, 404 `not_found`, 400 "
                    "`invalid`, 409 `member_anonymised`.",
    ),
)
class MemberViewSet(ServiceWriteMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["full_name", "id", "date_joined", "updated_at"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # anonymise: coordinators reach it (403 in scope, 404 outside); only superusers pass the service.
    action_capabilities = {"create": "manage", "partial_update": "manage", "anonymise": "manage",
                           "set_password": "manage", "unlock": "manage"}
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
                    "anonymised is a 409 `already_anonymised`. Other coordinators get 403 `permission_denied`, "
                    "callers who cannot see the member 404 `not_found`.",
    )
    @action(detail=True, methods=["post"])
    def anonymise(self, request, pk=None):
        member = services.member_anonymise(member=self.get_object(), actor=request.user)
        return self._respond(member)

    @extend_schema(
        request=PasswordSetSerializer, responses={204: OpenApiResponse(description="Password set")},
        summary="Give a member a new password (their tokens stop working)",
        description="Coordinators whose scope holds every team of that person, or superusers; nobody sets "
                    "their own here (use `/me/password/`). The password goes through the password rules. "
                    "Every access and refresh token of the person stops working at once, and the lock that "
                    "failed logins put on their phone is lifted. Errors: 403 `permission_denied`, 404 "
                    "`not_found`, 400 `invalid` on `new_password`.",
    )
    @action(detail=True, methods=["post"], url_path="set-password")
    def set_password(self, request, pk=None):
        member = self.get_object()
        serializer = PasswordSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accounts.member_set_password(member=member, actor=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Lock lifted")},
        summary="Lift the lock that failed logins put on a member's phone",
        description="Coordinators of any of the person's teams (or above), and superusers. Failed logins "
                    "naming the phone (10 an hour by default, from every address together) are forgotten, "
                    "so the person can log in from a new device at once. Errors: 403 `permission_denied`, "
                    "404 `not_found`.",
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        accounts.member_unlock(member=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Memberships the caller can see",
        description="Roles held in the caller's subtrees, and the caller's own. Filters: `member`, `team`, "
                    "`within`, `role`. Errors: 400 `invalid` for a bad filter, 404 `not_found` past the last page.",
    ),
    retrieve=extend_schema(
        summary="One membership",
        description="A role the caller can see, with an `ETag` for `If-None-Match` (304). Errors: 404 "
                    "`not_found`.",
    ),
    create=extend_schema(
        request=MembershipCreateSerializer, responses={201: MembershipSerializer},
        summary="Grant a role in a team the caller coordinates",
        description="Coordinators, in a team they coordinate (or below), never above their own role's reach "
                    "and never to themselves. One membership per person and team. Errors: 403 "
                    "`permission_denied`, 400 `invalid` on `member`, `team` or `role`.",
    ),
    partial_update=extend_schema(
        request=MembershipUpdateSerializer, responses={200: MembershipSerializer},
        summary="Change a role",
        description="Coordinators of the membership's team or above; never one's own role. Errors: 403 "
                    "`permission_denied`, 404 `not_found`, 400 `invalid` on `role`.",
    ),
    destroy=extend_schema(
        summary="Remove a role",
        description="Coordinators of the membership's team or above; never one's own. A person's only role "
                    "cannot be removed: deactivate the member instead. Errors: 409 `last_membership`, 403 "
                    "`permission_denied`, 404 `not_found`.",
    ),
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

    @extend_schema(responses=MeSerializer, summary="The caller with their memberships",
                   description="Who the token belongs to: profile fields and every membership with its team and "
                               "role. Errors: 401 `not_authenticated` or `token_not_valid`.")
    def get(self, request):
        return Response(MeSerializer(self.get_object()).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer,
                   summary="Change the caller's own profile fields (never roles or flags)",
                   description="Only the caller's own profile fields (`full_name`); roles, teams and the active "
                               "and staff flags cannot be changed here. Errors: 400 `invalid`.")
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
                   summary="Log out: the refresh token stops working",
                   description="No access token needed: send the refresh token to end that session; it can "
                               "never be used again. Errors: 400 `invalid` (no `refresh`), 401 `token_not_valid` "
                               "for an expired, revoked or forged token.")
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            RefreshToken(serializer.validated_data["refresh"]).blacklist()
        except TokenError as exc:
            raise InvalidToken(str(exc))
        return Response(status=status.HTTP_204_NO_CONTENT)
