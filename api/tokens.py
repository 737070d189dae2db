"""Token serializers used by simplejwt's views (see SIMPLE_JWT in settings).

Every token carries the person's token version (`ver`, api/authentication.py):
a password change or reset, a deactivation or an anonymisation moves the
version on, and every token minted before stops working, refresh tokens too.
"""
from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenRefreshSerializerExtension as _SpectacularRefreshExtension,
)
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .authentication import VERSION_CLAIM, token_version
from .authstate import auth_state_read


def refresh_token_for(member) -> RefreshToken:
    """A refresh token (and through it access tokens) for `member` at their current version."""
    token = RefreshToken.for_user(member)
    token[VERSION_CLAIM] = member.token_version
    return token


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        return refresh_token_for(user)


class TokenObtainPairSerializerExtension(OpenApiSerializerExtension):
    """The login's body and answer, device proof included (api/login.py reads the proof)."""

    target_class = "api.tokens.TokenObtainPairSerializer"

    def map_serializer(self, auto_schema, direction):
        if direction == "request":
            fields = {
                "phone": serializers.CharField(write_only=True),
                "password": serializers.CharField(write_only=True),
                "device": serializers.CharField(
                    write_only=True, required=False,
                    help_text="The `device` proof an earlier login of this person on this device answered with."),
                "refresh": serializers.CharField(
                    write_only=True, required=False,
                    help_text="Or this device's current refresh token: proves it logged in before."),
            }
        else:
            fields = {
                "access": serializers.CharField(read_only=True),
                "refresh": serializers.CharField(read_only=True),
                "device": serializers.CharField(
                    read_only=True, help_text="Keep it and send it with the next login from this device."),
            }
        return auto_schema._map_serializer(inline_serializer("TokenObtainPair", fields=fields), direction)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """simplejwt's refresh, except that a token of a member who no longer exists is a
    401 like any other dead token (simplejwt lets the lookup's DoesNotExist escape),
    and a token minted before the person's last password change, reset or
    deactivation is dead too."""

    def validate(self, attrs):
        try:
            refresh = self.token_class(attrs["refresh"])
        except TokenError as exc:
            raise InvalidToken(exc.args[0])
        # Refreshing is rare next to requests: the database is asked, not the cache.
        member_id = str(refresh.payload.get(jwt_settings.USER_ID_CLAIM, ""))
        state = auth_state_read(int(member_id)) if member_id.isascii() and member_id.isdigit() else None
        if state is None or not state.is_active:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        if token_version(refresh) != state.version:
            raise InvalidToken("Token is invalid or expired")
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")


class TokenRefreshSerializerExtension(_SpectacularRefreshExtension):
    """Document the subclass exactly like simplejwt's own serializer."""

    target_class = "api.tokens.TokenRefreshSerializer"
