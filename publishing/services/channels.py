"""Writes that carry a rule: channels, their post log, what a task publishes.

Every service is keyword-only and atomic; it raises ValidationError naming the
field, PermissionDenied, or api.exceptions.Conflict.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Iterable

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import MANAGE, scope_for
from api.exceptions import Conflict
from tasks.models import Assignment, Task, Topic
from tasks.services import check_topic
from teams.models import Member, Membership, Team

from ..choices import ContentStatus
from ..models import Channel, ChannelPost, ContentItem, Schedule, ScheduleTeam, TaskPublication

# Addresses of a person's own account, never a team's page: a channel is a page,
# group, channel or website the team runs (the guide: no persona accounts, no
# records about people outside the network).
PERSONAL_ACCOUNT_URLS = (
    re.compile(r"^https?://([a-z0-9-]+\.)*facebook\.com/profile\.php", re.I),
    re.compile(r"^https?://([a-z0-9-]+\.)*facebook\.com/people/", re.I),
    re.compile(r"^https?://([a-z0-9-]+\.)*zalo\.me/\+?\d{8,}/?$", re.I),
)
def local_day(moment):
    """The Asia/Ho_Chi_Minh (TIME_ZONE) calendar day of an aware datetime."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


# A post logged by hand may be dated a little ahead (clocks drift), never days ahead.
POST_CLOCK_SKEW = timedelta(minutes=10)


def _coordinates(actor, team: Team) -> bool:
    return scope_for(actor).has_capability_at(MANAGE, team.path)


def _require_coordinates(actor, team: Team, field: str | None = None) -> None:
    if _coordinates(actor, team):
        return
    message = _("You do not coordinate this team or a team above it.")
    if field:
        raise ValidationError({field: message})
    raise PermissionDenied(message)


def _check_own_page(url: str) -> None:
    if any(pattern.match(url) for pattern in PERSONAL_ACCOUNT_URLS):
        raise ValidationError({"url": _("A channel is a page, group, channel or website the team runs, "
                                        "not a person's own account.")})


def _check_url_free(url: str, channel: Channel | None = None) -> None:
    taken = Channel.objects.filter(url=url)
    if channel is not None:
        taken = taken.exclude(pk=channel.pk)
    if taken.exists():
        raise ValidationError({"url": _("This page is already registered as a channel.")})


def _check_managers(team: Team, managers: Iterable[Member]) -> list[Member]:
    """Managers hold a role inside the channel's team subtree and are active."""
    managers = list(managers)
    inside = set(Membership.objects.filter(member__in=managers, team__path__startswith=team.path)
                 .values_list("member_id", flat=True))
    errors = [_("%(name)s has no role in this channel's team.") % {"name": m.full_name}
              for m in managers if m.pk not in inside or not m.is_active]
    if errors:
        raise ValidationError({"managers": errors})
    return managers


# Channels ----------------------------------------------------------------------

@transaction.atomic
def channel_create(*, actor: Member, team: Team, platform: str, name: str, url: str, kind: str,
                   posts_per_day_target: int = 1, is_active: bool = True,
                   managers: Iterable[Member] = ()) -> Channel:
    """Register a page or group the team runs. Rules: the actor coordinates `team` or
    above; the URL is not a person's own account and not registered already; managers
    hold a role in the team's subtree. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    _check_own_page(url)
    _check_url_free(url)
    managers = _check_managers(team, managers)
    channel = Channel.objects.create(team=team, platform=platform, name=name, url=url, kind=kind,
                                     posts_per_day_target=posts_per_day_target, is_active=is_active,
                                     created_by=actor)
    channel.managers.set(managers)
    return channel


UPDATABLE_CHANNEL_FIELDS = ("platform", "name", "url", "kind", "posts_per_day_target", "is_active")


@transaction.atomic
def channel_update(*, channel: Channel, actor: Member, **fields) -> Channel:
    """Change a channel. Rules as channel_create; its team does not change. Raises
    PermissionDenied or ValidationError."""
    _require_coordinates(actor, channel.team)
    if "url" in fields and fields["url"] != channel.url:
        _check_own_page(fields["url"])
        _check_url_free(fields["url"], channel)
    for name in UPDATABLE_CHANNEL_FIELDS:
        if name in fields:
            setattr(channel, name, fields[name])
    channel.save()
    if "managers" in fields:
        channel.managers.set(_check_managers(channel.team, fields["managers"]))
    return channel


# The post log -------------------------------------------------------------------

@transaction.atomic
def channel_post_create(*, channel: Channel, actor: Member, url: str, published_at=None,
                        topic: Topic | None = None, content: ContentItem | None = None,
                        note: str = "") -> ChannelPost:
    """Log an item published on the channel. Rules: the channel is active (Conflict);
    it is not dated ahead of now; a topic of the channel's team's path. Who may (its
    managers, coordinators above) is checked by the caller through PUBLISH."""
    if not channel.is_active:
        raise Conflict(_("This channel is inactive; it takes no new posts."), code="channel_inactive")
    now = timezone.now()
    if published_at is not None and published_at > now + POST_CLOCK_SKEW:
        raise ValidationError({"published_at": _("A post cannot be dated in the future.")})
    published_at = published_at or now
    check_topic(topic, channel.team)
    return ChannelPost.objects.create(channel=channel, url=url, published_at=published_at,
                                      published_on=local_day(published_at), topic=topic, content=content,
                                      note=note, created_by=actor)


def channel_post_from_completion(*, assignment: Assignment, actor: Member) -> ChannelPost | None:
    """api.hooks.assignment_completed: completing a task that names a channel with an
    evidence URL logs that post once per assignment, dated when it was completed. A
    completion after a rejection updates the same post, never adds one: with the same URL
    it is the same publication and keeps its date (days on target do not move to the day
    of the resubmission); with another URL it is dated anew."""
    if not assignment.evidence_url:
        return None
    task = assignment.task
    try:
        publication = task.publication
    except TaskPublication.DoesNotExist:
        return None
    if publication.channel_id is None:
        return None
    values = {"channel_id": publication.channel_id, "url": assignment.evidence_url, "topic_id": task.topic_id,
              "content_id": publication.content_id, "created_by_id": assignment.assignee_id}
    dated = {"published_at": assignment.completed_at, "published_on": local_day(assignment.completed_at)}
    # The assignment's row is locked by the step that completes it, so no other completion
    # of it runs between this read and the write.
    post = ChannelPost.objects.filter(assignment_id=assignment.pk).first()
    if post is None:
        return ChannelPost.objects.create(assignment_id=assignment.pk, **values, **dated)
    changed = values if post.url == assignment.evidence_url else {**values, **dated}
    for name, value in changed.items():
        setattr(post, name, value)
    post.save(update_fields=[*changed, "updated_at"])
    return post


# What a task publishes (api.hooks.task_relations) ---------------------------------

def _publication(task: Task) -> TaskPublication:
    try:
        return task.publication
    except TaskPublication.DoesNotExist:
        return TaskPublication(task=task)


def task_channel_apply(*, task: Task, value: Channel | None, actor: Member) -> None:
    """A task's `channel`: an active channel on the task's team's line (its team, a
    team above or below it). Raises ValidationError on `channel`."""
    if value is not None:
        if not value.is_active:
            raise ValidationError({"channel": _("This channel is inactive.")})
        team_path, channel_path = task.team.path, value.team.path
        if not (team_path.startswith(channel_path) or channel_path.startswith(team_path)):
            raise ValidationError({"channel": _("This channel's team is not on the task's team's path.")})
    publication = _publication(task)
    publication.channel = value
    publication.save()
    task.publication = publication


def task_content_apply(*, task: Task, value: ContentItem | None, actor: Member) -> None:
    """A task's `content`: an approved, unexpired item of the task's team or a team above
    it (material flows down). Raises ValidationError on `content`."""
    if value is not None:
        if value.status != ContentStatus.APPROVED or (value.expires_at is not None and value.expires_at <= timezone.now()):
            raise ValidationError({"content": _("Only approved, unexpired content can be given to a task.")})
        if not task.team.path.startswith(value.team.path):
            raise ValidationError({"content": _("This content belongs to a team that is not above the task's team.")})
    publication = _publication(task)
    publication.content = value
    publication.save()
    task.publication = publication


# Merges (api.hooks.teams_merged) ------------------------------------------------------

def publishing_teams_merged(*, source: Team, target: Team, actor) -> dict[str, int]:
    """What publishing hangs on `source` moves to `target`: channels, content items and schedules
    (their own team and their target teams)."""
    now = timezone.now()
    through = ScheduleTeam
    already = through.objects.filter(team=target).values("schedule_id")
    through.objects.filter(team=source, schedule_id__in=already).delete()
    return {
        "channels": Channel.objects.filter(team=source).update(team=target, updated_at=now),
        "content": ContentItem.objects.filter(team=source).update(team=target, updated_at=now),
        "schedules": Schedule.objects.filter(team=source).update(team=target, updated_at=now),
        "schedule_targets": through.objects.filter(team=source).update(team=target),
    }
