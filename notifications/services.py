"""Writing notifications: fan-out on task events, deadline reminders, overdue digests.

Every notification carries a `key` naming its effect ("assigned:<assignment id>"),
unique in the table: the rows are inserted with `bulk_create(ignore_conflicts=True)`,
so whatever runs twice (a redelivered outbox message, a second scheduler run) makes
each notification once. The pushes for the new rows are owed through the outbox
(`notifications.push`) in the same transaction, so they are neither lost with a
broker that is down nor sent for a change that rolled back.
"""
import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import outermost_paths
from api.compiled import SOME_ID, compile_query, stand_in_paths
from api.exceptions import Conflict
from api.outbox import outbox_enqueue
from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus, TaskStatus
from tasks.models import Assignment, Task
from tasks.overdue import overdue_q
from tasks.publication import published_q
from teams.choices import Role
from teams.models import Membership

from .choices import NotificationKind
from .models import Device, Notification
from .quiet import quiet_until

BATCH = 1000
PUSH_BATCH = 500
PUSH = "notifications.push"

REMINDER_WINDOWS = (
    # (kind, from due-in, to due-in): a reminder when the deadline lies in (from, to].
    (NotificationKind.DEADLINE_2H, timedelta(0), timedelta(hours=2)),
    (NotificationKind.DEADLINE_24H, timedelta(hours=2), timedelta(hours=24)),
)


def _owe_pushes(ids: list[int]) -> None:
    """The pushes of these (just written) notifications, owed through the outbox in batches.
    Inside the quiet hours they are owed from the hours' end (the feed has them at once)."""
    held_until = quiet_until()
    for start in range(0, len(ids), PUSH_BATCH):
        batch = sorted(ids[start:start + PUSH_BATCH])
        digest = hashlib.sha256(",".join(map(str, batch)).encode()).hexdigest()[:24]
        outbox_enqueue(PUSH, {"ids": batch}, key=f"push:{batch[0]}:{len(batch)}:{digest}", not_before=held_until)


def _task_params(task: Task) -> dict:
    params = {"task": task.title}
    if task.due_at:
        params["due_at"] = task.due_at.isoformat()
    return params


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _create(rows: list[Notification]) -> list[int]:
    """Insert the rows not written yet (by key); returns the ids of those this call made."""
    ids: list[int] = []
    for chunk in _chunks(rows):
        keys = [row.key for row in chunk]
        existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [row for row in chunk if row.key not in existing]
        if not fresh:
            continue
        # A concurrent writer may insert some meanwhile: the unique key drops them here,
        # and only the rows this call wrote are read back (and pushed).
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        stamp = {row.key: row.created_at for row in fresh}
        ids += [pk for pk, key, created_at in Notification.objects.filter(key__in=list(stamp))
                .values_list("pk", "key", "created_at") if stamp[key] == created_at]
    _owe_pushes(ids)
    return ids


@transaction.atomic
def notify_members(*, member_ids: Iterable[int], kind: str, params: dict, key: str) -> list[int]:
    """One notification of `kind` with the same `params` to each of the given people
    (higher apps' announcements, e.g. a survey opening); returns the ids this call wrote.

    `key` names the announcement (e.g. `survey_opened:12`): each person gets it once,
    however often the caller retries.

    The caller decides who; `params` is a snapshot the text is rendered from
    (notifications.messages), never a reference back into the caller's app.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids: list[int] = []
    for chunk in _chunks(sorted(set(member_ids))):
        now = timezone.now()
        ids += _create([Notification(recipient_id=pk, kind=kind, params=params, key=f"{key}:{pk}",
                                     created_at=now) for pk in chunk])
    return ids


@transaction.atomic
def notify_assigned(*, assignment_ids: Iterable[int]) -> list[int]:
    """Tell each assignee about their new assignment, once; returns the ids written by this call."""
    now = timezone.now()
    rows = []
    for chunk in _chunks(sorted(set(assignment_ids))):  # bounded IN lists, whatever the fan-out
        rows += [
            Notification(recipient_id=a.assignee_id, kind=NotificationKind.ASSIGNED, assignment=a,
                         task=a.task, params=_task_params(a.task), key=f"assigned:{a.pk}", created_at=now)
            for a in Assignment.objects.filter(pk__in=chunk).select_related("task").order_by("id")
        ]
    return _create(rows)


@transaction.atomic
def notify_rejected(*, assignment: Assignment, reason: str | None = None, at: str | None = None) -> list[int]:
    """Tell the assignee their work was sent back, with the reviewer's reason (once per rejection)."""
    params = _task_params(assignment.task)
    reason = assignment.review_note if reason is None else reason
    if reason:
        params["reason"] = reason
    at = at or (assignment.reviewed_at.isoformat() if assignment.reviewed_at else timezone.now().isoformat())
    return _create([Notification(recipient_id=assignment.assignee_id, kind=NotificationKind.REJECTED,
                                 assignment=assignment, task=assignment.task, params=params,
                                 key=f"rejected:{assignment.pk}:{at}", created_at=timezone.now())])


@transaction.atomic
def notify_task_cancelled(*, task: Task, assignment_ids: Iterable[int]) -> list[int]:
    """Tell the assignees of the given (just cancelled) assignments that the task is off, once."""
    params = _task_params(task)
    now = timezone.now()
    rows = []
    for chunk in _chunks(sorted(set(assignment_ids))):
        rows += [
            Notification(recipient_id=assignee_id, kind=NotificationKind.TASK_CANCELLED, assignment_id=pk,
                         task=task, params=params, key=f"task_cancelled:{pk}", created_at=now)
            for pk, assignee_id in Assignment.objects.filter(pk__in=chunk, task=task)
            .order_by("id").values_list("pk", "assignee_id")
        ]
    return _create(rows)


@transaction.atomic
def notify_verified(*, assignment: Assignment, at: str | None = None) -> list[int]:
    """Tell the assignee their work was verified, with the reviewer's note (once per verification)."""
    params = _task_params(assignment.task)
    if assignment.review_note:
        params["note"] = assignment.review_note
    at = at or (assignment.reviewed_at.isoformat() if assignment.reviewed_at else timezone.now().isoformat())
    return _create([Notification(recipient_id=assignment.assignee_id, kind=NotificationKind.VERIFIED,
                                 assignment=assignment, task=assignment.task, params=params,
                                 key=f"verified:{assignment.pk}:{at}", created_at=timezone.now())])


REVIEW_WAITING_EVERY = timedelta(hours=1)


def _prefixes(path: str) -> list[str]:
    """"/1/4/17/" -> ["/1/", "/1/4/", "/1/4/17/"]: the team and every team above it."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]


def _coordinators(paths) -> QuerySet:
    """(member, team path, their last notice of waiting work: when, its id) for every active
    coordinator's membership, of the teams on `paths` (None: everywhere): one query."""
    coordinators = Membership.objects.filter(role=Role.COORDINATOR, member__is_active=True)
    if paths is not None:
        coordinators = coordinators.filter(team__path__in=list(paths))
    notices = Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING, recipient_id=OuterRef("member_id"))

    def latest(field: str) -> Subquery:
        return Subquery(notices.order_by().values("recipient_id").annotate(v=Max(field)).values("v"))

    return (coordinators.annotate(last_at=latest("created_at"), last_id=latest("id"))
            .values_list("member_id", "team__path", "last_at", "last_id"))


# _coordinators for n paths, compiled once per database and n (api.compiled): building the
# query with its two subqueries cost more Python than every completion's delivery else did.
_COMPILED_COORDINATORS: dict = {}
_UNSEEN = object()


def _coordinators_with_last_notice(paths: list[str] | None) -> list[tuple]:
    if paths is None:  # the hourly sweep: once an hour, built as it is
        return list(_coordinators(None))
    shape = (connection.alias, len(paths))
    compiled = _COMPILED_COORDINATORS.get(shape, _UNSEEN)
    stand_ins = stand_in_paths(len(paths))
    if compiled is _UNSEEN:
        # Prepared: a few teams' coordinators by path, the same plan for every completion.
        compiled = _COMPILED_COORDINATORS[shape] = compile_query(_coordinators(stand_ins),
                                                                 {p: p for p in stand_ins}, prepared=True)
    if compiled is None:  # pragma: no cover - a shape api.compiled refuses
        return list(_coordinators(paths))
    rows = compiled.rows(SOME_ID, timezone.now(), dict(zip(stand_ins, paths)))
    return [(r["member_id"], r["team__path"], r["last_at"], r["last_id"]) for r in rows]


# How long a completion may trust that nobody above its team may hear of waiting work yet,
# at most: the sweep's period (api/settings/background.py, "review-waiting", every five
# minutes), which tells anyone who became eligible meanwhile (a coordinator just appointed).
REVIEW_WAITING_QUIET_SECONDS = 300


def review_waiting_owed(*, assignment: Assignment, actor) -> bool:
    """api.hooks.assignment_completed, in the step's transaction: owe the reviewers' notice
    (outbox `tasks.completed`, consumed by notify_review_waiting) when a coordinator of the
    assignment's team or above may hear of waiting work now, that is has had no such notice
    for REVIEW_WAITING_EVERY; otherwise its delivery would find nobody to tell. One read of
    those coordinators instead of an outbox row, its claim and a second transaction; and
    when nobody may hear yet, the cache remembers until the first of them may (at most
    REVIEW_WAITING_QUIET_SECONDS), so the completions of that hour read nothing. Whoever turns
    eligible otherwise (appointed meanwhile, or before a broker delivers the row) hears from
    the five-minute sweep, which sends what an hour held back."""
    team = assignment.team if Assignment.team.is_cached(assignment) else None
    path = team.path if team is not None else (
        Assignment.objects.filter(pk=assignment.pk).values_list("team__path", flat=True).first())
    if path is None:  # pragma: no cover - the row is locked by the step that completes it
        return False
    quiet = f"review-waiting-quiet:{connection.alias}:{path}"
    if cache.get(quiet):
        return False
    now = timezone.now()
    since = now - REVIEW_WAITING_EVERY
    told = [at for _member, _path, at, _id in _coordinators_with_last_notice(_prefixes(path))]
    if any(at is None or at <= since for at in told):
        at = assignment.completed_at.isoformat()
        outbox_enqueue("tasks.completed", {"assignment_id": assignment.pk, "at": at, "team_path": path},
                       key=f"tasks.completed:{assignment.pk}:{at}")
        return True
    until = min(told, default=since) + REVIEW_WAITING_EVERY  # nobody above at all: the sweep's period
    seconds = min((until - now).total_seconds(), REVIEW_WAITING_QUIET_SECONDS) if told else \
        REVIEW_WAITING_QUIET_SECONDS
    if seconds >= 1:
        cache.set(quiet, True, int(seconds))
    return False


# All or nothing on its own (the beat's sweep); inside the outbox's delivery of a completion,
# that delivery's transaction: a savepoint would cost two roundtrips for nothing, since a
# failed delivery is rolled back whole and retried (api/outbox.py).
@transaction.atomic(savepoint=False)
def notify_review_waiting(*, now: datetime | None = None, path: str | None = None) -> list[int]:
    """Tell coordinators how much completed work waits for their review in their subtrees.

    At most one notification an hour per coordinator, and only when work was handed in
    since their last one; `count` is what waits now (their own work left out: nobody
    reviews it). `path` (a team's): only the coordinators of that team and the teams
    above it (the consumer of one completion); without it everyone (the beat's sweep,
    which also sends what an earlier hour held back). Each notification's key names the
    one before it, so two runs at once write it once. Returns the ids written."""
    now = now or timezone.now()
    paths_by_member: dict[int, list[str]] = {}
    last: dict[int, dict] = {}
    for member_id, team_path, at, last_id in _coordinators_with_last_notice(None if path is None else _prefixes(path)):
        paths_by_member.setdefault(member_id, []).append(team_path)
        if at is not None:
            last[member_id] = {"at": at, "last_id": last_id}
    if not paths_by_member:
        return []
    paths_by_member = {m: outermost_paths(p) for m, p in paths_by_member.items()
                       if m not in last or last[m]["at"] <= now - REVIEW_WAITING_EVERY}
    if not paths_by_member:
        return []
    roots = sorted({p for paths in paths_by_member.values() for p in paths})
    waiting = Assignment.objects.filter(status=AssignmentStatus.COMPLETED)
    if path is not None:
        waiting = waiting.filter(team__path__startswith=path)  # what changed is below `path`
    counts: dict[str, int] = {}
    latest: dict[str, datetime] = {}
    wanted = set(roots)
    for team_path, n, newest in (waiting.values_list("team__path").annotate(n=Count("id"), newest=Max("completed_at"))
                                 .order_by()):
        for prefix in _prefixes(team_path):
            if prefix in wanted:
                counts[prefix] = counts.get(prefix, 0) + n
                if newest and (prefix not in latest or newest > latest[prefix]):
                    latest[prefix] = newest
    own: dict[int, list[str]] = {}
    for assignee_id, team_path in (Assignment.objects.filter(status=AssignmentStatus.COMPLETED,
                                                             assignee_id__in=list(paths_by_member))
                                   .values_list("assignee_id", "team__path")):
        own.setdefault(assignee_id, []).append(team_path)
    rows = []
    for member_id, paths in sorted(paths_by_member.items()):
        if path is not None:
            # Only the work below `path` was grouped above: count their whole subtrees (a
            # handful of coordinators, one query each).
            count = _waiting_count(paths)
        else:
            count = sum(counts.get(p, 0) for p in paths)
        count -= sum(1 for team_path in own.get(member_id, ()) if any(team_path.startswith(p) for p in paths))
        newest = max((latest[p] for p in paths if p in latest), default=None)
        previous = last.get(member_id)
        if count <= 0 or newest is None or (previous and newest <= previous["at"]):
            continue
        rows.append(Notification(recipient_id=member_id, kind=NotificationKind.REVIEW_WAITING, created_at=now,
                                 params={"count": count},
                                 key=f"review_waiting:{member_id}:{previous['last_id'] if previous else 0}"))
    return _create(rows)


def _waiting_count(paths: list[str]) -> int:
    """Completed work waiting under any of `paths` (outermost paths: no row counts twice)."""
    q = Q()
    for p in paths:
        q |= Q(team__path__startswith=p)
    return Assignment.objects.filter(q, status=AssignmentStatus.COMPLETED).count()


def _reminders_for(kind: str, now: datetime, start: timedelta, end: timedelta) -> list[int]:
    already = Notification.objects.filter(recipient=OuterRef("assignee"), assignment=OuterRef("pk"), kind=kind)
    due = (
        Assignment.objects.filter(
            published_q(now, prefix="task__"),  # nothing about a task before its publication
            status__in=UNFINISHED_STATUSES,
            assignee__is_active=True,
            task__status=TaskStatus.OPEN,
            task__due_at__gt=now + start,
            task__due_at__lte=now + end,
        )
        .filter(~Exists(already))
        .select_related("task")
        .order_by("id")
    )
    rows = [
        Notification(recipient_id=a.assignee_id, kind=kind, assignment=a, task=a.task,
                     params=_task_params(a.task), created_at=now, key=f"{kind}:{a.pk}:{a.assignee_id}")
        for a in due.iterator(chunk_size=BATCH)
    ]
    # A concurrent run may have inserted some meanwhile: the unique constraints drop them,
    # and only the rows stamped with this run's `now` are pushed.
    return _create(rows)


@transaction.atomic
def send_deadline_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind active assignees of unfinished work on open tasks due within 24 h and within 2 h.

    Each (assignee, assignment, kind) is reminded once, whatever the number of runs
    (the `notification_reminder_once` constraint). Work due within 2 h gets only the
    2 h reminder. Returns the number created per kind.
    """
    now = now or timezone.now()
    return {str(kind): len(_reminders_for(kind, now, start, end)) for kind, start, end in REMINDER_WINDOWS}


@transaction.atomic
def send_overdue_digests(*, now: datetime | None = None) -> list[int]:
    """One notification per coordinator per local day: the overdue assignments in their subtrees.

    Overdue: unfinished, on an open task whose deadline has passed. Coordinators with
    nothing overdue get nothing. A second run on the same day creates nothing
    (`notification_digest_once_a_day`).
    """
    now = now or timezone.now()
    day = timezone.localtime(now).date()  # the network's day (TIME_ZONE)
    overdue = overdue_q(now)
    already = set(
        Notification.objects.filter(kind=NotificationKind.OVERDUE_DIGEST, digest_date=day)
        .values_list("recipient_id", flat=True)
    )
    paths_by_member: dict[int, list[str]] = {}
    for member_id, path in (
        Membership.objects.filter(role=Role.COORDINATOR, member__is_active=True)
        .values_list("member_id", "team__path")
    ):
        if member_id not in already:
            paths_by_member.setdefault(member_id, []).append(path)
    if not paths_by_member:
        return []
    # One grouped count per subtree root that some coordinator holds.
    roots = sorted({p for paths in paths_by_member.values() for p in outermost_paths(paths)})
    counts = _overdue_counts(roots, overdue)
    rows = []
    for member_id, paths in sorted(paths_by_member.items()):
        count = sum(counts.get(p, 0) for p in outermost_paths(paths))
        if count:
            rows.append(Notification(recipient_id=member_id, kind=NotificationKind.OVERDUE_DIGEST,
                                     digest_date=day, created_at=now, key=f"digest:{member_id}:{day.isoformat()}",
                                     params={"count": count, "date": day.isoformat()}))
    return _create(rows)


def _overdue_counts(roots: list[str], overdue: Q) -> dict[str, int]:
    """Overdue assignments under each root path.

    One grouped query gives the overdue count per team; each team's count is then
    added to every root among its path's prefixes ("/1/4/17/" -> "/1/", "/1/4/",
    "/1/4/17/"), so the work is teams x depth, not teams x coordinators.
    """
    wanted = set(roots)
    counts: dict[str, int] = {}
    per_team = Assignment.objects.filter(overdue).values_list("team__path").annotate(n=Count("id")).order_by()
    for team_path, n in per_team:
        parts = team_path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/" + "/".join(parts[:depth]) + "/"
            if prefix in wanted:
                counts[prefix] = counts.get(prefix, 0) + n
    return counts


def notification_mark_read(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one of the caller's notifications read (again is a no-op)."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, member, now: datetime | None = None) -> int:
    """Mark every unread notification of `member` read; returns how many changed."""
    now = now or timezone.now()
    return Notification.objects.filter(recipient=member, read_at__isnull=True).update(read_at=now, updated_at=now)


def device_register(*, member, token: str, platform: str, language: str) -> tuple[Device, bool]:
    """Register a push token for `member`; returns (device, created).

    A token is one phone's: registering a known token again (the same member after a
    reinstall, or another member on a handed-down phone) moves it to the caller and
    refreshes it rather than creating a second row.
    """
    now = timezone.now()
    values = {"member": member, "platform": platform, "language": language, "last_seen": now}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return Device.objects.update_or_create(token=token, defaults=values,
                                                       create_defaults={**values, "created_at": now})
        except IntegrityError:  # the same token registered concurrently: the second pass updates it
            continue
    raise Conflict(_("This token is being registered by another request; retry."))


def device_remove(*, device: Device) -> None:
    """Forget a push token (logging out of a phone)."""
    device.delete()
