from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .messages import render
from .models import Device, Notification


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(help_text=_("In the request's language (Accept-Language)."))
    body = serializers.SerializerMethodField(help_text=_("In the request's language (Accept-Language)."))
    is_read = serializers.SerializerMethodField()

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
