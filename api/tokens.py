"""Token serializers used by simplejwt's views (see SIMPLE_JWT in settings)."""
from django.contrib.auth import get_user_model
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenRefreshSerializerExtension as _SpectacularRefreshExtension,
)
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import serializers as jwt_serializers


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """simplejwt's refresh, except that a token of a member who no longer exists is a
    401 like any other dead token (simplejwt lets the lookup's DoesNotExist escape)."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except get_user_model().DoesNotExist:
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")


class TokenRefreshSerializerExtension(_SpectacularRefreshExtension):
    """Document the subclass exactly like simplejwt's own serializer."""

    target_class = "api.tokens.TokenRefreshSerializer"
