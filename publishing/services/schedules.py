"""Schedules: recurring work that the beat turns into one task per occurrence.

Each occurrence (publishing/occurrences.py) becomes one task made by
tasks.services.task_create and assigned by task_assign, as if the schedule's author
had done it at that time. Exactly once, however the beat runs:

- the beat claims due schedules with SELECT ... FOR UPDATE SKIP LOCKED, so two beats
  or workers racing never take the same schedule at once;
- the occurrence is claimed by inserting its ScheduleRun, unique per (schedule,
  occurs_at), before the task is made: a second claim of the same occurrence (a stale
  `next_run_at`, a run that took the row after the first committed) inserts nothing;
- `next_run_at` moves past now in the same transaction.

A worker that was down across one or more occurrences makes one task when it comes
back, for the latest occurrence it missed (late; never one per missed occurrence).
A paused schedule makes nothing; resumed, it goes on from the next occurrence after now.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.exceptions import Conflict
from tasks import services as task_services
from tasks.models import Campaign, Task, Topic
from teams.models import Member, Membership, Team

from .. import occurrences
from ..choices import ContentStatus, Repeat
from ..models import Channel, ContentItem, Schedule, ScheduleRun
from .channels import _require_coordinates

log = logging.getLogger(__name__)

MAX_DUE_HOURS = 24 * 30
UPDATABLE_SCHEDULE_FIELDS = ("title", "instructions", "kind", "platform", "channel", "content", "topic",
                             "campaign", "repeat", "weekday", "time", "due_hours", "starts_on", "ends_on")
TIMING_FIELDS = {"repeat", "weekday", "time", "starts_on", "ends_on"}


# Checks --------------------------------------------------------------------------

def _check_timing(*, repeat: str, weekday, starts_on, ends_on, due_hours) -> None:
    if repeat == Repeat.WEEKLY and weekday is None:
        raise ValidationError({"weekday": _("A weekly schedule needs a weekday (0 Monday .. 6 Sunday).")})
    if repeat != Repeat.WEEKLY and weekday is not None:
        raise ValidationError({"weekday": _("Only a weekly schedule takes a weekday.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end must not be before the start.")})
    if due_hours is not None and not 1 <= due_hours <= MAX_DUE_HOURS:
        raise ValidationError({"due_hours": _("Give between 1 and %(max)d hours.") % {"max": MAX_DUE_HOURS}})


def _check_relations(*, team: Team, channel, content, topic, campaign, kind: str) -> None:
    """What each occurrence's task will carry fits the team now (the task is checked again when made)."""
    if channel is not None:
        if not channel.is_active:
            raise ValidationError({"channel": _("This channel is inactive.")})
        if not (team.path.startswith(channel.team.path) or channel.team.path.startswith(team.path)):
            raise ValidationError({"channel": _("This channel's team is not on the task's team's path.")})
    if content is not None:
        if content.status != ContentStatus.APPROVED or (content.expires_at and content.expires_at <= timezone.now()):
            raise ValidationError({"content": _("Only approved, unexpired content can be given to a task.")})
        if not team.path.startswith(content.team.path):
            raise ValidationError({"content": _("This content belongs to a team that is not above the task's team.")})
    task_services.check_topic(topic, team)
    if campaign is not None and not team.path.startswith(campaign.team.path):
        raise ValidationError({"campaign": _("The task's team must be the campaign's team or a team below it.")})


def _check_targets(*, team: Team, actor, teams: list[Team], members: list[Member]) -> None:
    """Target teams lie in the schedule's team subtree (and the actor's); target people hold a role there."""
    if not teams and not members:
        raise ValidationError({"targets": _("Name at least one team or member.")})
    outside = [t.name for t in teams if not t.path.startswith(team.path)]
    if outside:
        raise ValidationError({"targets": [_("%(name)s is not inside this task's team.") % {"name": n}
                                           for n in outside]})
    for target in teams:
        _require_coordinates(actor, target, field="targets")
    inside = set(Membership.objects.filter(member__in=members, team__path__startswith=team.path)
                 .values_list("member_id", flat=True))
    strangers = [m.full_name for m in members if m.pk not in inside or not m.is_active]
    if strangers:
        raise ValidationError({"targets": [_("%(name)s has no role in this task's teams.") % {"name": n}
                                           for n in strangers]})


def _plan(schedule: Schedule, now) -> None:
    schedule.next_run_at = occurrences.next_after(schedule, now) if schedule.is_active else None


# Writes ----------------------------------------------------------------------------

@transaction.atomic
def schedule_create(*, actor: Member, team: Team, title: str, kind: str, platform: str, repeat: str, time,
                    targets: dict, instructions: str = "", channel: Channel | None = None,
                    content: ContentItem | None = None, topic: Topic | None = None,
                    campaign: Campaign | None = None, weekday: int | None = None, due_hours: int | None = None,
                    starts_on=None, ends_on=None) -> Schedule:
    """Plan recurring work for `team`. Rules: the actor coordinates `team` or above and it
    is active; `weekday` for `weekly` only; `ends_on` not before `starts_on` (default:
    today, local); the targets lie in the team's subtree and the actor's; channel,
    content, topic and campaign as for a task. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    if not team.is_active:
        raise ValidationError({"team": _("This team is archived or merged; it takes no new work.")})
    starts_on = starts_on or timezone.localdate()
    _check_timing(repeat=repeat, weekday=weekday, starts_on=starts_on, ends_on=ends_on, due_hours=due_hours)
    _check_relations(team=team, channel=channel, content=content, topic=topic, campaign=campaign, kind=kind)
    teams, members = list(targets.get("teams", ())), list(targets.get("members", ()))
    _check_targets(team=team, actor=actor, teams=teams, members=members)
    schedule = Schedule(team=team, title=title, instructions=instructions, kind=kind, platform=platform,
                        channel=channel, content=content, topic=topic, campaign=campaign, repeat=repeat,
                        weekday=weekday, time=time, due_hours=due_hours, starts_on=starts_on, ends_on=ends_on,
                        created_by=actor)
    _plan(schedule, timezone.now())
    schedule.save()
    schedule.target_teams.set(teams)
    schedule.target_members.set(members)
    return schedule


@transaction.atomic
def schedule_update(*, schedule: Schedule, actor: Member, **fields) -> Schedule:
    """Change a schedule; a change of its timing plans the next occurrence again (from now).
    Rules as schedule_create; its team does not change. Raises PermissionDenied or ValidationError."""
    _require_coordinates(actor, schedule.team)
    schedule = Schedule.objects.select_for_update().select_related("team").get(pk=schedule.pk)
    targets = fields.pop("targets", None)
    for name in UPDATABLE_SCHEDULE_FIELDS:
        if name in fields:
            setattr(schedule, name, fields[name])
    if schedule.repeat != Repeat.WEEKLY and "weekday" not in fields and "repeat" in fields:
        schedule.weekday = None
    _check_timing(repeat=schedule.repeat, weekday=schedule.weekday, starts_on=schedule.starts_on,
                  ends_on=schedule.ends_on, due_hours=schedule.due_hours)
    _check_relations(team=schedule.team, channel=schedule.channel, content=schedule.content, topic=schedule.topic,
                     campaign=schedule.campaign, kind=schedule.kind)
    if TIMING_FIELDS & set(fields):
        _plan(schedule, timezone.now())
    schedule.save()
    if targets is not None:
        teams = list(targets.get("teams", schedule.target_teams.all()))
        members = list(targets.get("members", schedule.target_members.all()))
        _check_targets(team=schedule.team, actor=actor, teams=teams, members=members)
        schedule.target_teams.set(teams)
        schedule.target_members.set(members)
    return schedule


@transaction.atomic
def schedule_pause(*, schedule: Schedule, actor: Member) -> Schedule:
    """Stop making tasks (the occurrences while paused are never made). Rules: the actor
    coordinates the schedule's team or above; a paused schedule is not paused again (Conflict)."""
    _require_coordinates(actor, schedule.team)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if not schedule.is_active:
        raise Conflict(_("This schedule is already paused."), code="schedule_paused")
    schedule.is_active = False
    schedule.next_run_at = None
    schedule.save(update_fields=["is_active", "next_run_at", "updated_at"])
    return schedule


@transaction.atomic
def schedule_resume(*, schedule: Schedule, actor: Member) -> Schedule:
    """Go on from the next occurrence after now. Rules: the actor coordinates the
    schedule's team or above; only a paused schedule resumes (Conflict)."""
    _require_coordinates(actor, schedule.team)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.is_active:
        raise Conflict(_("This schedule is not paused."), code="schedule_active")
    schedule.is_active = True
    _plan(schedule, timezone.now())
    schedule.save(update_fields=["is_active", "next_run_at", "updated_at"])
    return schedule


# The beat ----------------------------------------------------------------------------

def _claim(schedule: Schedule, occurs_at) -> ScheduleRun | None:
    """Insert the occurrence's run; None when it exists already (made by another run)."""
    try:
        with transaction.atomic():
            return ScheduleRun.objects.create(schedule=schedule, occurs_at=occurs_at)
    except IntegrityError:
        return None


def _make_task(schedule: Schedule, occurs_at, now) -> Task:
    start = max(occurs_at, now)
    due_at = start + timedelta(hours=schedule.due_hours) if schedule.due_hours else None
    actor = schedule.created_by
    related = {"channel": schedule.channel, "content": schedule.content}
    task = task_services.task_create(
        actor=actor, team=schedule.team, title=schedule.title, instructions=schedule.instructions,
        kind=schedule.kind, platform=schedule.platform, campaign=schedule.campaign, topic=schedule.topic,
        due_at=due_at, **related)
    task_services.task_assign(task=task, actor=actor, teams=list(schedule.target_teams.all()),
                              members=list(schedule.target_members.all()))
    return task


def schedule_run_one(schedule: Schedule, now) -> Task | None:
    """Make the task of the schedule's latest occurrence up to `now`, once, and plan the next.
    Runs inside the caller's transaction, with the schedule's row locked."""
    occurs_at = occurrences.latest_until(schedule, now)
    task = None
    schedule.last_error = ""
    if occurs_at is not None and (run := _claim(schedule, occurs_at)) is not None:
        try:
            with transaction.atomic():
                task = _make_task(schedule, occurs_at, now)
        except (ValidationError, PermissionDenied, Conflict) as exc:
            # The author lost the role, the content expired, a target was archived...: the
            # occurrence is spent (the run stays, with no task) and the schedule says why.
            messages = getattr(exc, "messages", None) or [str(exc)]
            schedule.last_error = "; ".join(str(m) for m in messages)[:2000]
            log.warning("schedule %s: occurrence %s not made: %s", schedule.pk, occurs_at, schedule.last_error)
        else:
            run.task = task
            run.save(update_fields=["task"])
        schedule.last_run_at = now
    schedule.next_run_at = occurrences.next_after(schedule, now)
    schedule.save(update_fields=["last_run_at", "next_run_at", "last_error", "updated_at"])
    return task


def schedules_run_due(*, now=None, limit: int = 100) -> list[int]:
    """The beat's step (every minute): each active schedule whose next occurrence has come
    makes its task, once (see the module docstring). Each schedule in its own transaction,
    so one that fails leaves the others made. Returns the ids of the tasks made."""
    now = now or timezone.now()
    made = []
    for _round in range(limit):
        with transaction.atomic():
            schedule = (Schedule.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("team", "created_by", "channel", "content", "topic", "campaign")
                        .filter(is_active=True, next_run_at__lte=now).order_by("next_run_at", "id").first())
            if schedule is None:
                break
            task = schedule_run_one(schedule, now)
        if task is not None:
            made.append(task.pk)
    return made
