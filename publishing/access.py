"""How channels, their posts and content items reach a team path (api.access registrations).

- Channels: coordinators and observers read those of their subtrees; everyone
  reads the channels of their own teams and of the teams above them, and a
  manager the channels they manage. PUBLISH (adding to the post log) is for the
  channel's managers and the coordinators of its team or above.
- Posts are read by whoever reads their channel.
- Content: coordinators and observers read every item of their subtrees; everyone
  reads the approved, unexpired items of their own teams and of the teams above
  (material flows down, never sideways); authors read their own items.
- Schedules: the team-path rule alone: coordinators and observers read those of their
  subtrees, coordinators manage them; members see none (the tasks they make reach
  them as any task does).
"""
from django.db.models import Q
from django.utils import timezone

from api.access import MANAGE, READ, Grant, Scope, register

from .choices import ContentStatus
from .models import ChannelManager, ChannelPost, Channel, ContentItem, Schedule

PUBLISH = "publish"


def managed_channel_ids(user_id):
    return ChannelManager.objects.filter(member_id=user_id).values("channel_id")


def _channels_near(scope: Scope) -> Q:
    return Q(team_id__in=scope.ids_on_own_paths()) | Q(pk__in=managed_channel_ids(scope.user_id))


def _posts_near(scope: Scope) -> Q:
    return Q(channel__team_id__in=scope.ids_on_own_paths()) | Q(channel_id__in=managed_channel_ids(scope.user_id))


def _publishers(scope: Scope) -> Q:
    return scope.q(MANAGE, "team__path") | Q(pk__in=managed_channel_ids(scope.user_id))


def content_flowing_down_q(scope: Scope, now=None) -> Q:
    """Approved, unexpired items of the caller's own teams and of every team above them."""
    now = now or timezone.now()
    return (Q(status=ContentStatus.APPROVED, team_id__in=scope.ids_on_own_paths())
            & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)))


def register_all() -> None:
    register(Channel, path="team__path", grants={
        READ: Grant(q=_channels_near),
        PUBLISH: Grant(q=_publishers, with_path=False,
                       test=lambda s, c: True if s.has_capability_at(MANAGE, c.team.path) else None),
    })
    register(ChannelPost, path="channel__team__path", grants={
        READ: Grant(q=_posts_near),
    })
    register(ContentItem, path="team__path", grants={
        READ: Grant(q=lambda s: content_flowing_down_q(s) | Q(created_by_id=s.user_id),
                    test=lambda s, c: True if c.created_by_id == s.user_id else None),
    })
    register(Schedule, path="team__path")
