"""The network's own channels and their post log, the content library, and what a task publishes.

A channel is a page, group, channel or website that a team itself runs; nothing
here describes anyone else's account. Nothing cascades: posts, channels,
content and the tasks that name them are PROTECTed.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tasks.choices import Platform, TaskKind
from tasks.models import Assignment, Campaign, Task, Topic
from teams.models import Team

from .choices import ChannelKind, ContentStatus, Repeat


class Channel(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="channels", verbose_name=_("team"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200)
    # The page's address. One page is one team's: the same URL is not logged twice.
    url = models.URLField(_("URL"), max_length=2000)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    posts_per_day_target = models.PositiveSmallIntegerField(_("posts per day (target)"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    # The people of the team's subtree who post on it (they add posts to its log).
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ChannelManager",
                                      related_name="managed_channels", blank=True, verbose_name=_("managers"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["team_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], name="channel_url_once"),
            models.CheckConstraint(condition=Q(kind__in=ChannelKind.values), name="channel_kind_valid"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="channel_platform_valid"),
        ]

    def __str__(self):
        return self.name


class ChannelManager(models.Model):
    """A person who posts on a channel (PROTECTed both ways: nothing cascades)."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="manager_links")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "member"], name="channel_manager_once")]


class ContentItem(models.Model):
    """Approved material to publish and share, flowing down the tree (the content library)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="content_items",
                             verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, default="")
    links = models.JSONField(_("links"), default=list, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="content_items", null=True,
                              blank=True, verbose_name=_("topic"))
    status = models.CharField(_("status"), max_length=16, choices=ContentStatus.choices,
                              default=ContentStatus.DRAFT)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True, verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ContentStatus.values), name="content_status_valid"),
            # Four eyes: whoever approved an item is not its author.
            models.CheckConstraint(
                condition=~Q(status=ContentStatus.APPROVED) | ~Q(reviewed_by=models.F("created_by")),
                name="content_not_approved_by_author",
            ),
        ]
        indexes = [models.Index(fields=["team", "status"], name="content_team_status")]

    def __str__(self):
        return self.title


class ChannelPost(models.Model):
    """One item published on a channel: logged by its managers, or by completing a task that names it."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="posts", db_index=False,
                                verbose_name=_("channel"))
    url = models.URLField(_("URL"), max_length=2000)
    published_at = models.DateTimeField(_("published at"))
    # The Asia/Ho_Chi_Minh day of published_at, written with it by the services: the
    # statistics count days on target by an index on (channel, day), no time-zone math per row.
    published_on = models.DateField(_("published on (local day)"), editable=False)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="channel_posts", null=True,
                              blank=True, verbose_name=_("topic"))
    content = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="posts", null=True,
                                blank=True, verbose_name=_("content"))
    note = models.TextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("created by"))
    # The completed assignment this post came from: at most one post per assignment.
    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="channel_post",
                                      null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("channel post")
        verbose_name_plural = _("channel posts")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "published_at"], name="post_channel_published"),
            models.Index(fields=["channel", "published_on"], name="post_channel_day"),
        ]

    def __str__(self):
        return self.url


class ChannelDay(models.Model):
    """How many posts each channel has on each local day, kept by PostgreSQL triggers.

    Statement-level triggers on publishing_channelpost (migration 0003) add and take away
    the rows every INSERT, UPDATE, DELETE and COPY touched, in the same transaction, so
    this is the live count at every snapshot. The channel statistics sum at most one row
    per channel and day here instead of counting every post (reports.selectors.channel_stats).
    Only on PostgreSQL; SQLite (development) counts live. Plain columns, no foreign keys:
    it never blocks deleting a channel, and rows at 0 are harmless.
    """

    channel_id = models.BigIntegerField()
    day = models.DateField()
    posts = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel_id", "day"], name="channel_day_key")]

    def __str__(self):
        return f"channel {self.channel_id} {self.day}: {self.posts}"


class TaskPublication(models.Model):
    """What a task publishes: on which channel, with which approved material.

    A row of its own (not columns of tasks.Task) because tasks sits below
    publishing: the task knows nothing of channels; api.hooks.task_relations
    lets this app add `channel` and `content` to its bodies and reads.
    """

    task = models.OneToOneField(Task, on_delete=models.PROTECT, primary_key=True, related_name="publication")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True)
    content = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="tasks", null=True,
                                blank=True)

    class Meta:
        verbose_name = _("task publication")
        verbose_name_plural = _("task publications")


class Schedule(models.Model):
    """Recurring work: at each occurrence (local `time` on the days `repeat` names) the beat
    makes one task from these fields and assigns it to the targets (publishing.services.schedules).

    `next_run_at` is the next occurrence (null while paused or after `ends_on`); the beat picks
    the schedules whose `next_run_at` has come. Nothing cascades.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="schedules", null=True, blank=True,
                                verbose_name=_("channel"))
    content = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="schedules", null=True,
                                blank=True, verbose_name=_("content"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="schedules", null=True, blank=True,
                              verbose_name=_("topic"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="schedules", null=True,
                                 blank=True, verbose_name=_("campaign"))
    target_teams = models.ManyToManyField(Team, through="ScheduleTeam", related_name="+", blank=True,
                                          verbose_name=_("target teams"))
    target_members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ScheduleMember", related_name="+",
                                            blank=True, verbose_name=_("target members"))
    repeat = models.CharField(_("repeat"), max_length=16, choices=Repeat.choices)
    # Monday 0 .. Sunday 6; only for `weekly`.
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    # Local (Asia/Ho_Chi_Minh) wall-clock time of each occurrence.
    time = models.TimeField(_("time (local)"))
    due_hours = models.PositiveIntegerField(_("due after (hours)"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True, editable=False)
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, default="", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(repeat__in=Repeat.values), name="schedule_repeat_valid"),
            models.CheckConstraint(
                condition=(Q(repeat=Repeat.WEEKLY, weekday__gte=0, weekday__lte=6)
                           | (~Q(repeat=Repeat.WEEKLY) & Q(weekday__isnull=True))),
                name="schedule_weekday_only_weekly"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="schedule_ends_after_start"),
        ]
        # What the beat reads every minute: the active schedules whose occurrence has come.
        indexes = [models.Index(fields=["next_run_at"], condition=Q(is_active=True), name="schedule_due")]

    def __str__(self):
        return self.title


class ScheduleTeam(models.Model):
    """A team each occurrence's task is fanned out to (PROTECTed both ways: nothing cascades)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="team_links")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "team"], name="schedule_team_once")]


class ScheduleMember(models.Model):
    """A person each occurrence's task is assigned to directly (PROTECTed both ways)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="member_links")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "member"], name="schedule_member_once")]


class ScheduleRun(models.Model):
    """One occurrence of a schedule, made into one task. The unique key (schedule, occurs_at)
    is what makes an occurrence happen once however many beats or workers race."""

    schedule = models.ForeignKey(Schedule, on_delete=models.PROTECT, related_name="runs")
    occurs_at = models.DateTimeField(_("occurrence"))
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="schedule_run", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")
        ordering = ["-occurs_at"]
        constraints = [models.UniqueConstraint(fields=["schedule", "occurs_at"], name="schedule_occurrence_once")]
