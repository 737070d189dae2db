from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    POST = "post", _("Post")
    SHARE = "share", _("Share")
    COMMENT = "comment", _("Comment")
    OTHER = "other", _("Other")
    # Work done away from a screen (leaflets, meetings, door-to-door talks): counted by `quantity`.
    OFFLINE = "offline", _("Offline work")


class Platform(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook")
    ZALO = "zalo", _("Zalo")
    TIKTOK = "tiktok", _("TikTok")
    YOUTUBE = "youtube", _("YouTube")
    MOCHA = "mocha", _("Mocha")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# Work still to be done by the assignee (what a task's cancel turns into `cancelled`).
UNFINISHED_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.REJECTED)


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
