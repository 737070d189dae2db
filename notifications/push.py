"""Push senders and the delivery of notifications to devices.

`settings.PUSH_SENDER` names the sender class (a dotted path). Every sender takes a
list of `PushMessage` and returns a `SendReport`; tokens it reports dead are
removed from `Device`, and every attempt is recorded as a `PushDelivery`.
"""
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .choices import DeliveryOutcome
from .messages import render_in
from .models import Device, Notification, PushDelivery

logger = logging.getLogger(__name__)

FCM_BATCH = 500  # FCM's limit for one send_each call


@dataclass(frozen=True)
class PushMessage:
    token: str
    platform: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class SendReport:
    dead_tokens: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # token -> error text (not dead, just failed)


class LoggingSender:
    """The default: writes each push to the log and sends nothing."""

    def send(self, messages: list[PushMessage]) -> SendReport:
        for message in messages:
            logger.info("push to %s device: %s — %s", message.platform, message.title, message.body)
        return SendReport()


class FCMSender:
    """Firebase Cloud Messaging (HTTP v1) through firebase-admin.

    firebase-admin is imported on first use only, so processes that never push
    (and tests) don't pay for loading it. `messaging` and `app` may be passed in
    (tests pass a stand-in for the messaging module).
    """

    _app = None

    def __init__(self, messaging=None, app=None):
        self._messaging = messaging
        if app is not None:
            self._app = app

    @property
    def messaging(self):
        if self._messaging is None:
            from firebase_admin import messaging

            self._messaging = messaging
        return self._messaging

    @property
    def app(self):
        if self._app is None:
            import firebase_admin
            from firebase_admin import credentials

            try:
                FCMSender._app = firebase_admin.get_app("push")
            except ValueError:
                FCMSender._app = firebase_admin.initialize_app(
                    credentials.Certificate(settings.FCM_CREDENTIALS_FILE), name="push"
                )
            self._app = FCMSender._app
        return self._app

    def _is_dead(self, exc) -> bool:
        dead = tuple(
            cls for cls in (getattr(self.messaging, "UnregisteredError", None),
                            getattr(self.messaging, "SenderIdMismatchError", None)) if cls
        )
        return bool(dead) and isinstance(exc, dead)

    def send(self, messages: list[PushMessage]) -> SendReport:
        report = SendReport()
        m = self.messaging
        for start in range(0, len(messages), FCM_BATCH):
            batch = messages[start:start + FCM_BATCH]
            fcm_messages = [
                m.Message(token=msg.token, notification=m.Notification(title=msg.title, body=msg.body),
                          data=msg.data)
                for msg in batch
            ]
            response = m.send_each(fcm_messages, app=self.app)
            for msg, result in zip(batch, response.responses):
                if result.success:
                    continue
                if self._is_dead(result.exception):
                    report.dead_tokens.add(msg.token)
                else:
                    report.errors[msg.token] = str(result.exception)[:500]
        return report


@lru_cache(maxsize=8)
def _sender_class(path: str):
    return import_string(path)


def get_sender():
    return _sender_class(settings.PUSH_SENDER)()


def deliver(notification_ids: list[int]) -> int:
    """Push each notification to every device of its recipient; returns pushes attempted.

    A notification already pushed to a device is not pushed to it again, so a
    retried task does not repeat itself. Dead tokens are deleted.
    """
    notifications = list(Notification.objects.filter(pk__in=notification_ids).order_by("id"))
    if not notifications:
        return 0
    devices_by_member: dict[int, list[Device]] = {}
    for device in Device.objects.filter(member_id__in={n.recipient_id for n in notifications}).order_by("id"):
        devices_by_member.setdefault(device.member_id, []).append(device)
    done = set(
        PushDelivery.objects.filter(notification_id__in=[n.pk for n in notifications], device__isnull=False)
        .values_list("notification_id", "device_id")
    )
    planned: list[tuple[Notification, Device, PushMessage]] = []
    for notification in notifications:
        for device in devices_by_member.get(notification.recipient_id, []):
            if (notification.pk, device.pk) in done:
                continue
            text = render_in(device.language, notification.kind, notification.params)
            data = {"notification_id": str(notification.pk), "kind": notification.kind}
            if notification.task_id:
                data["task_id"] = str(notification.task_id)
            if notification.assignment_id:
                data["assignment_id"] = str(notification.assignment_id)
            planned.append((notification, device, PushMessage(device.token, device.platform, text.title,
                                                               text.body, data)))
    if not planned:
        return 0
    sender_path = settings.PUSH_SENDER
    report = get_sender().send([message for _, _, message in planned])
    rows = []
    for notification, device, message in planned:
        if message.token in report.dead_tokens:
            outcome, error = DeliveryOutcome.DEAD_TOKEN, ""
        elif message.token in report.errors:
            outcome, error = DeliveryOutcome.FAILED, report.errors[message.token]
        else:
            outcome, error = DeliveryOutcome.SENT, ""
        rows.append(PushDelivery(notification=notification, device=device, platform=device.platform,
                                 sender=sender_path, outcome=outcome, error=error,
                                 title=message.title[:200], body=message.body))
    with transaction.atomic():
        PushDelivery.objects.bulk_create(rows, batch_size=1000)
        if report.dead_tokens:
            removed, _ = Device.objects.filter(token__in=report.dead_tokens).delete()
            logger.info("removed %d dead push tokens", removed)
    return len(rows)
