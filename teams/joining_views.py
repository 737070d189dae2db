"""Joining: a team's invites, registration with a code, and join requests."""
import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import fields
from api.access import MANAGE, require
from api.login import LoginGuard
from api.scoping import ScopedViewSetMixin
from api.throttling import LoginAddressThrottle, RegisterPhoneThrottle

from . import joining, selectors
from .choices import Role
from .models import Invite, JoinRequest, JoinStatus
from .serializers import MemberSerializer, PhoneField


# Serializers --------------------------------------------------------------------

class InviteSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="A link to hand out: the apps open it to register.")
    expires_at = fields.DateTimeField(allow_null=True, help_text="Null: never expires.")
    revoked_at = fields.DateTimeField(allow_null=True)
    created_at = fields.DateTimeField()
    is_usable = serializers.SerializerMethodField(help_text="Not revoked, expired or used up; its team active.")

    class Meta:
        model = Invite
        fields = ["id", "code", "url", "team", "expires_at", "max_uses", "uses", "revoked_at", "is_usable",
                  "created_at"]

    def get_url(self, invite) -> str:
        return joining.invite_url(invite, self.context.get("request"))

    def get_is_usable(self, invite) -> bool:
        return joining.invite_is_usable(invite)


class InviteCreateSerializer(serializers.Serializer):
    expires_at = fields.DateTimeField(required=False, allow_null=True, help_text="Null or absent: never expires.")
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000,
                                        help_text="Registrations it takes; null or absent: no limit.")


class RegisterSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="The invite's code.")
    phone = PhoneField(max_length=32, help_text="Vietnamese or international; stored in E.164.")
    full_name = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"},
                                     help_text="Goes through the password rules; ignored for a phone already "
                                               "registered.")


class RegisteredSerializer(serializers.ModelSerializer):
    class Meta:
        model = JoinRequest
        fields = ["id", "status", "team"]


class JoinRequestSerializer(serializers.ModelSerializer):
    created_at = fields.DateTimeField()
    decided_at = fields.DateTimeField(allow_null=True)
    role = serializers.SerializerMethodField(
        help_text="The role given on approval; null while the request waits or when it was declined.")

    class Meta:
        model = JoinRequest
        fields = ["id", "team", "invite", "phone", "full_name", "existing_member", "member", "status", "role",
                  "reason", "decided_by", "decided_at", "created_at"]

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_role(self, obj) -> str | None:
        return obj.role or None


class JoinApproveSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER, required=False,
                                   help_text="Default `member`; one the approver may grant in that team.")


class JoinDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Told to the person; keep it kind.")


class JoinRequestFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id")
    status = django_filters.ChoiceFilter(choices=JoinStatus.choices)

    class Meta:
        model = JoinRequest
        fields = ["team", "status"]


# Views --------------------------------------------------------------------------

class TeamInvitesView(generics.GenericAPIView):
    """A team's invites."""

    serializer_class = InviteSerializer

    def _team(self):
        team = get_object_or_404(selectors.teams_visible_to(self.request.user), pk=self.kwargs["pk"])
        return require(self.request.user, MANAGE, team, message=None)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model, with no pk
            return Invite.objects.none()
        return selectors.invites_managed_by(self.request.user).filter(team=self._team())

    @extend_schema(
        tags=["teams"], summary="A team's invites",
        description="Coordinators of the team or above: every invite of the team, newest first, with its "
                    "code, link and uses. Errors: 403 `permission_denied` for others who see the team, 404 "
                    "`not_found` when it lies outside the caller's scope.",
        responses=InviteSerializer(many=True),
    )
    def get(self, request, pk):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InviteSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        tags=["teams"], request=InviteCreateSerializer, responses={201: InviteSerializer},
        summary="Create an invite to the team",
        description="Coordinators of the team or above. The `code` is random (at least 8 characters, never "
                    "derived from the id); hand out `code` or `url`. `expires_at` (future) and `max_uses` "
                    "(at least 1) are optional. Errors: 403 `permission_denied`, 404 `not_found`, 400 "
                    "`invalid` on `expires_at` or `max_uses`, 409 `team_inactive` for an archived or merged team.",
    )
    def post(self, request, pk):
        team = self._team()  # the role check comes before the body
        body = InviteCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invite = joining.invite_create(team=team, actor=request.user, **body.validated_data)
        return Response(InviteSerializer(invite, context={"request": request}).data, status=status.HTTP_201_CREATED)


class InviteViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    serializer_class = InviteSerializer
    action_capabilities = {"revoke": MANAGE}

    def get_queryset(self):
        return selectors.invites_managed_by(self.request.user)

    @extend_schema(
        request=None, responses={200: InviteSerializer}, tags=["teams"],
        summary="Revoke an invite (its code stops working at once)",
        description="Coordinators of the invite's team or above. Revoking twice changes nothing. Errors: 403 "
                    "`permission_denied` for callers who coordinate no team, 404 `not_found` for an invite "
                    "outside the caller's teams.",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invite = joining.invite_revoke(invite=self.get_object(), actor=request.user)
        return Response(InviteSerializer(invite, context={"request": request}).data)


class RegisterView(APIView):
    """Ask to join a team with an invite's code (no token)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginAddressThrottle, RegisterPhoneThrottle]

    def get_throttles(self):
        return []  # LoginGuard applies throttle_classes: failures count, as for logins

    @extend_schema(
        tags=["auth"], request=RegisterSerializer, responses={201: RegisteredSerializer},
        summary="Register with an invite code: a join request the team's coordinators decide",
        description="No token needed. Answers the join request `{id, status: \"pending\", team}`; the person "
                    "logs in once a coordinator approves (until then a login is a 401 like a wrong password). "
                    "Each registration uses the code once. A phone that is already registered gets the same "
                    "answer: its request asks for that person to join this team too, and the password sent is "
                    "ignored. Failed registrations are throttled like logins (per phone and per client "
                    "address). Errors: 400 `invalid` on `code` (wrong, expired, revoked or used up), `phone`, "
                    "`full_name` or `password` (the password rules), 429 `throttled` with Retry-After.",
    )
    def post(self, request):
        guard = LoginGuard(request, throttle_classes=self.throttle_classes)
        wait = guard.check()
        if wait is not None:
            self.throttled(request, wait)
        try:
            body = RegisterSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            join_request = joining.join_register(**body.validated_data)
        except Exception:
            guard.failed()
            raise
        guard.succeeded()
        return Response(RegisteredSerializer(join_request).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Join requests of the caller's subtrees",
        description="Coordinators: the requests to join the teams they coordinate and those below, newest "
                    "first. `existing_member: true` marks a person already in the network asking to join "
                    "this team too. Filters: `team`, `status` (`pending`, `approved`, `declined`). Errors: "
                    "403 `permission_denied` for callers who coordinate no team, 400 `invalid` for a bad filter.",
    ),
    retrieve=extend_schema(
        summary="One join request",
        description="Coordinators of its team or above. Errors: 403 `permission_denied`, 404 `not_found`.",
    ),
)
class JoinRequestViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    serializer_class = JoinRequestSerializer
    filterset_class = JoinRequestFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]
    action_capabilities = {"list": MANAGE, "retrieve": MANAGE, "approve": MANAGE, "decline": MANAGE}

    def scope_path(self, join_request):
        return join_request.team.path

    def get_queryset(self):
        return selectors.join_requests_managed_by(self.request.user)

    @extend_schema(
        request=JoinApproveSerializer, responses={200: MemberSerializer},
        summary="Approve: the person becomes a member with that role",
        description="Coordinators of the request's team or above, granting a role they may grant there "
                    "(`member` by default). Answers the member with the new membership; a newcomer logs in "
                    "from then on with the password they registered with. Of two approvals at once, one wins "
                    "and the other is a 409. Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid` "
                    "on `role`, 409 `join_request_decided` (already approved or declined), 409 "
                    "`team_inactive`.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        join_request = self.get_object()
        body = JoinApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = joining.join_request_approve(join_request=join_request, actor=request.user,
                                              **body.validated_data)
        fresh = selectors.member_list(request.user).get(pk=member.pk)
        return Response(MemberSerializer(fresh, context={"request": request}).data)

    @extend_schema(
        request=JoinDeclineSerializer, responses={200: JoinRequestSerializer},
        summary="Decline, with a reason",
        description="Coordinators of the request's team or above. The password the person registered with "
                    "is dropped. Errors: 403 `permission_denied`, 404 `not_found`, 400 `invalid` on "
                    "`reason`, 409 `join_request_decided`.",
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        join_request = self.get_object()
        body = JoinDeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        declined = joining.join_request_decline(join_request=join_request, actor=request.user,
                                                **body.validated_data)
        return Response(JoinRequestSerializer(declined).data)
