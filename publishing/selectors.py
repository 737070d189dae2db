"""Scoped reads of channels, posts and content (who sees which rows: publishing/access.py)."""
from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from api.access import MANAGE, READ, restrict
from teams.models import Member, Team

from .access import PUBLISH
from .choices import ContentStatus
from .models import Channel, ChannelPost, ContentItem, Schedule


def channels_visible_to(user) -> QuerySet[Channel]:
    return restrict(Channel.objects.all(), user, READ)


def channels_managed_by(user) -> QuerySet[Channel]:
    """Channels whose team the caller coordinates (or a team above it)."""
    return restrict(Channel.objects.all(), user, MANAGE)


def channels_publishable_by(user) -> QuerySet[Channel]:
    """Channels whose post log the caller adds to: their managers and coordinators above."""
    return restrict(Channel.objects.all(), user, PUBLISH)


def channel_list(user) -> QuerySet[Channel]:
    return (channels_visible_to(user).select_related("team")
            .prefetch_related(Prefetch("managers", queryset=Member.objects.only("id").order_by("id"))))


def channel_posts(channel: Channel) -> QuerySet[ChannelPost]:
    return ChannelPost.objects.filter(channel=channel).order_by("-published_at", "-id")


def content_visible_to(user) -> QuerySet[ContentItem]:
    return restrict(ContentItem.objects.all(), user, READ)


def content_list(user) -> QuerySet[ContentItem]:
    return content_visible_to(user).select_related("team")


def unexpired_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def content_usable_by(user) -> QuerySet[ContentItem]:
    """Approved, unexpired items the caller reads: what a task's `content` may name."""
    return content_visible_to(user).filter(unexpired_q(), status=ContentStatus.APPROVED)


def teams_authoring_for(user) -> QuerySet[Team]:
    """Teams whose library the caller writes drafts for: those they coordinate (or below), and
    the teams of the active channels they manage."""
    managed = Channel.objects.filter(is_active=True, manager_links__member_id=getattr(user, "pk", None))
    return Team.objects.filter(Q(pk__in=restrict(Team.objects.all(), user, MANAGE).values("pk"))
                               | Q(pk__in=managed.values("team_id")))


def schedules_visible_to(user) -> QuerySet[Schedule]:
    return restrict(Schedule.objects.all(), user, READ)


def schedule_list(user) -> QuerySet[Schedule]:
    return (schedules_visible_to(user).select_related("team")
            .prefetch_related(Prefetch("target_teams", queryset=Team.objects.only("id").order_by("id")),
                              Prefetch("target_members", queryset=Member.objects.only("id").order_by("id"))))
