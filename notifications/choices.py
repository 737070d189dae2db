from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("New assignment")
    REJECTED = "rejected", _("Work rejected")
    TASK_CANCELLED = "task_cancelled", _("Task cancelled")
    DEADLINE_24H = "deadline_24h", _("Due within 24 hours")
    DEADLINE_2H = "deadline_2h", _("Due within 2 hours")
    OVERDUE_DIGEST = "overdue_digest", _("Overdue work in your teams")
    SURVEY_OPENED = "survey_opened", _("New survey")
    SURVEY_REMINDER = "survey_reminder", _("Survey closing soon")
    REVIEW_WAITING = "review_waiting", _("Work waiting for your review")
    VERIFIED = "verified", _("Work verified")


# A reminder is sent at most once per recipient, assignment and kind.
DEADLINE_KINDS = (NotificationKind.DEADLINE_24H, NotificationKind.DEADLINE_2H)


class DevicePlatform(models.TextChoices):
    ANDROID = "android", _("Android")
    IOS = "ios", _("iOS")
    WEB = "web", _("Web")


class DeliveryOutcome(models.TextChoices):
    # Reserved and committed, not yet reported by the sender (or the process died sending).
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD_TOKEN = "dead_token", _("Token no longer valid")
    FAILED = "failed", _("Failed")
