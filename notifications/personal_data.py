"""What notifications/ holds about a person (declared to api.hooks.personal_data)."""
from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.hooks import ExportSection, personal_data

from .messages import render, render_in
from .models import Device, Notification, PushDelivery

# Notification parameters that are about the task or survey, not the person: kept on anonymisation.
NOTIFICATION_PARAMS_KEPT = frozenset({"task", "due_at", "count", "date", "survey", "survey_id", "closes_at",
                                      "team", "period", "report_id"})


class PersonalDataNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    params = serializers.DictField(help_text="What the message was written from (a task's title, dates).")
    task = serializers.IntegerField(source="task_id", allow_null=True)
    assignment = serializers.IntegerField(source="assignment_id", allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def _text(self, row):
        return render(row["kind"], row["params"] if isinstance(row["params"], dict) else {})

    @extend_schema_field(serializers.CharField())
    def get_title(self, row):
        return self._text(row).title

    @extend_schema_field(serializers.CharField())
    def get_body(self, row):
        return self._text(row).body


class PersonalDataPushDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    notification = serializers.IntegerField(source="notification_id")
    platform = serializers.CharField()
    outcome = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class PersonalDataDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    token = serializers.CharField()
    platform = serializers.CharField()
    language = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()


def scrub(*, member, old_phone: str, old_name: str) -> None:
    # Push tokens: gone (the record of each push sent stays, without its device).
    Device.objects.filter(member_id=member.pk).delete()
    # Notifications keep the task's title and dates; free text about the person goes,
    # and the texts pushed from them are written again without it.
    for notification in Notification.objects.filter(recipient_id=member.pk).only("id", "kind", "params"):
        params = notification.params if isinstance(notification.params, dict) else {}
        kept = {k: v for k, v in params.items() if k in NOTIFICATION_PARAMS_KEPT}
        if kept == params:
            continue
        Notification.objects.filter(pk=notification.pk).update(params=kept)
        text = render_in(settings.LANGUAGE_CODE, notification.kind, kept)
        PushDelivery.objects.filter(notification_id=notification.pk).update(title=text.title, body=text.body)


def declare() -> None:
    personal_data.declare(
        "notifications",
        references={
            ("notifications.Notification", "recipient"): "exported (notifications); params scrubbed to the task's "
                                                         "title and dates on anonymisation",
            ("notifications.Device", "member"): "exported (devices); deleted on anonymisation",
        },
        sections=(
            ExportSection("notifications", 70, lambda m: Notification.objects.filter(recipient_id=m.pk)
                          .order_by("id").values("id", "kind", "params", "task_id", "assignment_id", "read_at",
                                                 "created_at"), PersonalDataNotificationSerializer),
            ExportSection("push_deliveries", 80, lambda m: PushDelivery.objects.filter(
                notification_id__in=Notification.objects.filter(recipient_id=m.pk).values("id")).order_by("id")
                .values("id", "notification_id", "platform", "outcome", "title", "body", "created_at"),
                PersonalDataPushDeliverySerializer),
            ExportSection("devices", 90, lambda m: Device.objects.filter(member_id=m.pk).order_by("id").values(
                "id", "token", "platform", "language", "created_at", "last_seen"), PersonalDataDeviceSerializer),
        ),
        scrub=scrub,
    )
