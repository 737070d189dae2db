"""Campaigns, tasks, their assignments to people, and each assignment's timeline.

Nothing here cascades: people, teams, tasks and assignments are PROTECTed so
no delete can take work or its history with it.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import Team

from .choices import AssignmentStatus, EventKind, Platform, Priority, TaskKind, TaskStatus


# The most one assignment may report (`complete` with `quantity`): a typo of extra zeros
# would otherwise swamp a district's totals.
MAX_QUANTITY = 1_000_000


class Topic(models.Model):
    """What a piece of work is about (policy, holidays, good deeds, scam warnings...).

    It lives here, beside campaigns, because tasks, campaigns, content, channel
    posts and surveys all take one: the lowest app that uses it owns it, and the
    apps above (publishing, surveys, reports) point down at it. Read by everyone in
    its team's subtree, managed by the team's coordinators (tasks/access.py).
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="topics", verbose_name=_("team"))
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="topic_name_once_per_team")]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("team"))
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="campaigns", null=True, blank=True,
                              verbose_name=_("topic"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    search_name = models.CharField(max_length=200, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from teams.text import fold

        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class Task(models.Model):
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    # What an offline task counts ("tờ rơi", "buổi"): free text, empty for online work.
    unit = models.CharField(_("unit"), max_length=50, blank=True, default="")
    # The public post the task answers; nothing about that post's author is kept.
    reference_url = models.URLField(_("reference URL"), max_length=2000, blank=True, default="")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("team"))
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True,
        verbose_name=_("campaign"),
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True,
                              verbose_name=_("topic"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    # Until then the assignees neither see nor hear of it (tasks/publication.py).
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    # When the worker announced a task that had a `publish_at` (set once; null before).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks_created",
        verbose_name=_("created by"),
    )
    search_name = models.CharField(max_length=200, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TaskKind.values), name="task_kind_valid"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="task_platform_valid"),
            models.CheckConstraint(condition=Q(status__in=TaskStatus.values), name="task_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="task_priority_valid"),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="task_team_status"),
            # The beat's question, "what is due to be announced?", reads only these rows.
            models.Index(fields=["publish_at"], name="task_to_announce",
                         condition=Q(publish_at__isnull=False, announced_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from teams.text import fold

        self.search_name = fold(self.title)
        super().save(*args, **kwargs)


class TaskTarget(models.Model):
    """A team a task was fanned out to; people who join its subtree later are assigned too."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="targets")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="task_targets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "team"], name="task_target_once")]


def evidence_upload_to(assignment, filename):
    # Random name: the stored path reveals nothing and cannot be guessed. The extension
    # (from the re-encoded file, never the client's name) tells the download its type.
    import os
    import uuid

    ext = os.path.splitext(filename)[1].lower()
    ext = ext if ext in (".jpg", ".png", ".webp") else ""
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Assignment(models.Model):
    # A fan-out writes 100k of these rows in one statement, and each row pays for every
    # index and foreign-key check (bench/fanout_costs.py measures them):
    # - no single-column indexes on task, assignee and team (the composite indexes below
    #   start with them), none on created_at, updated_at or reviewed_by (no read goes by
    #   them alone: reports read created_at through reports_assignment_team_stats, syncs
    #   go by (assignee, updated_at));
    # - on PostgreSQL the foreign keys of task, assignee, team, assigned_by and reviewed_by are checked
    #   by statement-level triggers, once per statement instead of once per row
    #   (migration 0006; SQLite keeps its row-level foreign keys);
    # - the row stands for its own "assigned" step: the timeline shows it as event id 0
    #   (tasks.selectors.assignment_timeline), so a fan-out writes no event rows.
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("task"),
                             db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments",
        verbose_name=_("assignee"), db_index=False,
    )
    # The assignee's team through which the work reached them; review, filters and statistics go by it.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("team"),
                             db_index=False)
    status = models.CharField(
        _("status"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    evidence_url = models.URLField(_("evidence URL"), max_length=2000, blank=True, default="")
    evidence_image = models.FileField(_("evidence image"), upload_to=evidence_upload_to, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    # How much offline work was done (leaflets handed out, people met); null for online work.
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    decline_reason = models.TextField(_("decline reason"), blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", null=True, blank=True,
        verbose_name=_("reviewed by"), db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, default="")
    # Who made the assignment (the timeline's first step); null for a late joiner
    # assigned as their membership was made without an actor.
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        db_index=False, verbose_name=_("assigned by"),
    )
    # Assigned because they joined a team the task had been fanned out to.
    joined_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "assignee"], name="assignment_once_per_task_member"),
            models.CheckConstraint(condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0, quantity__lte=MAX_QUANTITY),
                name="assignment_quantity_range",
            ),
        ]
        indexes = [
            # A person's own rows newest first: the first page of a phone's feed is prepared once
            # per connection (api/rows.py, page_prepared) and this is its plan for everyone, a few
            # entries read backwards; also every other read by assignee (a status among them).
            models.Index(fields=["assignee", "id"], name="assignment_assignee_id"),
            models.Index(fields=["team", "status"], name="assignment_team_status"),
            models.Index(fields=["task", "status"], name="assignment_task_status"),
            # A phone's delta sync: its own assignments changed since the last pull.
            models.Index(fields=["assignee", "updated_at"], name="assignment_assignee_updated"),
        ]

    def __str__(self):
        return f"{self.task_id} -> {self.assignee_id} ({self.status})"


class AssignmentEvent(models.Model):
    """One line of an assignment's timeline, written in the same transaction as the change."""

    # Indexed by event_assignment_time, which starts with it.
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["assignment", "created_at"], name="event_assignment_time")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
        ]
