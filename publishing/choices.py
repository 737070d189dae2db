from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    PAGE = "page", _("Page")
    GROUP = "group", _("Group")
    CHANNEL = "channel", _("Channel")
    WEBSITE = "website", _("Website")


class ContentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class Repeat(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKDAYS = "weekdays", _("Monday to Friday")
    WEEKLY = "weekly", _("Once a week")
