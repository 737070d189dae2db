"""A member's notification feed, their push devices and the pushes sent to them.

A notification stores its kind and the parameters of its message (a snapshot of
the task title etc.), not the text: the text is rendered with gettext in the
language of whoever reads it (the feed request's Accept-Language, a device's
language for a push).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DEADLINE_KINDS, DeliveryOutcome, DevicePlatform, NotificationKind


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    assignment = models.ForeignKey(
        "tasks.Assignment", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    task = models.ForeignKey("tasks.Task", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # One per effect ("assigned:<assignment id>", "rejected:<assignment id>:<time>", ...): a
    # redelivered outbox message or a second scheduler run inserts nothing twice.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # The recipient's local day a digest covers (one digest per coordinator per day).
    digest_date = models.DateField(null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.UniqueConstraint(
                fields=["recipient", "assignment", "kind"],
                condition=Q(kind__in=DEADLINE_KINDS),
                name="notification_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "digest_date"],
                condition=Q(kind=NotificationKind.OVERDUE_DIGEST),
                name="notification_digest_once_a_day",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_feed"),
            models.Index(fields=["recipient", "updated_at"], name="notification_recipient_sync"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.kind} -> {self.recipient_id}"


class Device(models.Model):
    """A push token. A token belongs to whoever registered it last (phones change hands)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices", verbose_name=_("member")
    )
    token = models.CharField(_("token"), max_length=512, unique=True)
    platform = models.CharField(_("platform"), max_length=8, choices=DevicePlatform.choices)
    # The Accept-Language of the registration: pushes to this device are written in it.
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(platform__in=DevicePlatform.values), name="device_platform_valid"),
        ]

    def __str__(self):
        return f"{self.platform} device of {self.member_id}"


class PushDelivery(models.Model):
    """One push handed to the sender for one device, with what the sender reported."""

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="deliveries")
    # Kept when the device is removed (a dead token, a logout): the record of the send stays.
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    platform = models.CharField(max_length=8, choices=DevicePlatform.choices)
    sender = models.CharField(max_length=200)
    outcome = models.CharField(max_length=16, choices=DeliveryOutcome.choices)
    error = models.CharField(max_length=500, blank=True, default="")
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("push delivery")
        verbose_name_plural = _("push deliveries")
        ordering = ["id"]
        indexes = [models.Index(fields=["notification"], name="push_delivery_notification")]
        constraints = [
            # Each device gets at most one push per notification: the row is written (as
            # `pending`) and committed before the push is handed to the sender.
            models.UniqueConstraint(fields=["notification", "device"], condition=Q(device__isnull=False),
                                    name="push_once_per_device"),
        ]
