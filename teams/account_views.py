"""The caller's own password (`/me/password/`); set-password and unlock are MemberViewSet actions."""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import accounts


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"},
                                         help_text="Goes through the password rules (length, common, "
                                                   "all digits, like the phone or name).")


class PasswordSetSerializer(serializers.Serializer):
    new_password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"},
                                         help_text="Goes through the password rules.")


class MePasswordView(APIView):
    """Change the caller's own password."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeSerializer, responses={204: OpenApiResponse(description="Password changed")},
        tags=["me"], summary="Change the caller's own password",
        description="`old_password` must be the current one; `new_password` goes through the password "
                    "rules. Every token issued before, this request's included, stops working at once: "
                    "log in again with the new password. Errors: 400 `invalid` on `old_password` (wrong) "
                    "or `new_password` (too weak), 401 `not_authenticated` or `token_not_valid`.",
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accounts.member_change_password(member=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
