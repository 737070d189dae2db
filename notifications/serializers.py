from datetime import UTC

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .messages import render
from .models import Device, Notification


class NotificationParamsSerializer(serializers.Serializer):
    """What the message was written from, captured when the notification was made. Every key is
    always present; the ones a kind does not use are null."""

    task = serializers.CharField(allow_null=True, help_text="The task's title then (every kind but overdue_digest).")
    due_at = serializers.DateTimeField(allow_null=True, help_text="The task's due time then, in the same "
                                                                  "offset as every other time (deadline kinds).")
    reason = serializers.CharField(allow_null=True, help_text="The reviewer's reason (rejected).")
    count = serializers.IntegerField(allow_null=True, help_text="Overdue assignments (overdue_digest); completed "
                                                                "work waiting for review (review_waiting).")
    note = serializers.CharField(allow_null=True, help_text="The reviewer's note (verified), when one was given.")
    date = serializers.DateField(allow_null=True, help_text="The day the digest is about (overdue_digest).")
    survey = serializers.CharField(allow_null=True, help_text="The survey's title then (survey kinds).")
    survey_id = serializers.IntegerField(allow_null=True, help_text="The survey to open (survey kinds).")


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def notification_params(params) -> dict:
    """Stored params (JSON written by notifications.services) in the one typed shape."""
    params = params if isinstance(params, dict) else {}
    due = parse_datetime(params["due_at"]) if isinstance(params.get("due_at"), str) else None
    if due is not None and timezone.is_naive(due):
        due = due.replace(tzinfo=UTC)  # services store UTC
    return {
        "task": params.get("task") if isinstance(params.get("task"), str) else None,
        "due_at": serializers.DateTimeField().to_representation(timezone.localtime(due)) if due else None,
        "reason": params.get("reason") if isinstance(params.get("reason"), str) else None,
        "count": _int_or_none(params.get("count")),
        "note": params.get("note") if isinstance(params.get("note"), str) else None,
        "date": params.get("date") if isinstance(params.get("date"), str) else None,
        "survey": params.get("survey") if isinstance(params.get("survey"), str) else None,
        "survey_id": _int_or_none(params.get("survey_id")),
    }


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(help_text=_("In the request's language (Accept-Language)."))
    body = serializers.SerializerMethodField(help_text=_("In the request's language (Accept-Language)."))
    is_read = serializers.SerializerMethodField()
    params = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "task", "assignment", "params", "is_read", "read_at",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def _text(self, obj):
        cache = self.context.setdefault("_rendered", {})
        if obj.pk not in cache:
            cache[obj.pk] = render(obj.kind, obj.params)
        return cache[obj.pk]

    def get_title(self, obj) -> str:
        return self._text(obj).title

    def get_body(self, obj) -> str:
        return self._text(obj).body

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None

    @extend_schema_field(NotificationParamsSerializer)
    def get_params(self, obj):
        return notification_params(obj.params)


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class ReadAllResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text=_("How many notifications were marked read."))


class DeviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "token", "platform", "language", "created_at", "last_seen"]
        read_only_fields = ["id", "language", "created_at", "last_seen"]
        extra_kwargs = {"token": {"validators": []}}  # a known token moves to the caller, not a 400
