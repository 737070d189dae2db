"""Surveys to members, their questions, and what is kept of the answers.

What is stored of an answer is shaped by anonymity (see README, "Surveys"):

- `Participation` only says that a person has answered a survey: it refuses a
  second response and tells the reminder whom to skip. It has no timestamp and
  a random key, so neither a clock nor a sequence orders it.
- The answers themselves are never stored per person for an anonymous survey:
  choices and scale values are added to `OptionTally` counters (per survey,
  team, question and option), created all at once, at zero, when a team's first
  response arrives, so which rows exist says nothing about what anyone chose;
  free texts go into one `TextPool` list per survey, team and question, each at
  a random position. None of these rows has a timestamp or a key to a person.
- A survey that is not anonymous also keeps each person's own answers in
  `SurveyResponse` (their personal data: exported to them, removed when they
  are anonymised); results are still read from the tallies.

Nothing cascades: surveys, questions and tallies are PROTECTed.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Team

from .choices import QuestionKind, SurveyStatus


class Survey(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    anonymous = models.BooleanField(_("anonymous"), default=True)
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    topic = models.ForeignKey("tasks.Topic", on_delete=models.PROTECT, related_name="surveys", null=True,
                              blank=True, verbose_name=_("topic"))
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the day-before-closing reminder went out: it goes once per survey.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
        ]
        indexes = [models.Index(fields=["status", "closes_at"], name="survey_status_closes")]

    def __str__(self):
        return self.title


class SurveyAudience(models.Model):
    """A team whose whole subtree is asked (every active person holding a role in it)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="audience")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))

    class Meta:
        verbose_name = _("audience team")
        verbose_name_plural = _("audience teams")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "team"], name="survey_audience_once")]
        indexes = [models.Index(fields=["team"], name="survey_audience_team")]

    def __str__(self):
        return f"{self.survey_id} -> {self.team_id}"


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("text"), max_length=500)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid")]

    def __str__(self):
        return self.text


class Participation(models.Model):
    """That `member` has answered `survey`: nothing more (no time, no sequence)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="participations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="survey_one_response_per_person")]
        indexes = [models.Index(fields=["member"], name="participation_member")]


class TeamTally(models.Model):
    """How many responses a survey has from people counted under `team` (the deepest
    of their teams inside the audience)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="team_tallies")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "team"], name="survey_team_tally_once")]


class OptionTally(models.Model):
    """Responses of `team` that chose option `key` (its index; a scale's value) of `question`."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    key = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "team", "question", "key"],
                                               name="survey_option_tally_once")]


class TextPool(models.Model):
    """The free texts that people of `team` wrote for `question`, each inserted at a random place."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "team", "question"], name="survey_text_pool_once")]


class SurveyResponse(models.Model):
    """A person's own answers to a survey that is *not* anonymous (never written for an anonymous one)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="named_responses")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=list)
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("named response")
        verbose_name_plural = _("named responses")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="survey_named_response_once")]
