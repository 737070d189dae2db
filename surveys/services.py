"""Writes that carry a rule: planning surveys, opening and closing them, answering once,
and the clock that opens, reminds and closes.

Notifications leave this app in one place, `_announce`, so that their delivery
can be rewired (an outbox) without touching the rules.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.exceptions import Conflict
from notifications.choices import NotificationKind
from notifications.services import notify_members
from tasks.services import check_topic
from teams.models import Member, Team
from api.access import scope_for

from . import selectors
from .choices import CHOICE_KINDS, SCALE_VALUES, QuestionKind, SurveyStatus
from .models import (
    OptionTally,
    Participation,
    Question,
    Survey,
    SurveyAudience,
    SurveyResponse,
    TeamTally,
    TextPool,
)

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 2000
REMIND_BEFORE = timedelta(hours=24)


# Notifications: the one way out of this app -------------------------------------------

def _announce(kind: str, survey: Survey, member_ids) -> list[int]:
    params = {"survey": survey.title, "survey_id": survey.pk}
    if survey.closes_at:
        params["closes_at"] = survey.closes_at.isoformat()
    return notify_members(member_ids=member_ids, kind=kind, params=params, key=f"{kind}:{survey.pk}")


# Shared rules ---------------------------------------------------------------------------

def _require_coordinates(actor, team: Team, field: str | None = None) -> None:
    if scope_for(actor).has_capability_at("manage", team.path):
        return
    message = _("You do not coordinate this team or a team above it.")
    if field:
        raise ValidationError({field: message})
    raise PermissionDenied(message)


def _check_window(opens_at, closes_at, *, now) -> None:
    if closes_at is not None and closes_at <= now:
        raise ValidationError({"closes_at": _("The closing time must be in the future.")})
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The survey must close after it opens.")})


def _check_audience(team: Team, audience: list[Team]) -> list[Team]:
    for other in audience:
        if not other.path.startswith(team.path):
            raise ValidationError({"audience.teams": _("Every audience team must be the survey's team or "
                                                       "a team below it.")})
    return audience or [team]


def _clean_questions(questions: list[dict]) -> list[dict]:
    """Questions as the serializer validated them, checked against their kind."""
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS}})
    cleaned = []
    for index, q in enumerate(questions):
        kind, options = q["kind"], [str(o).strip() for o in q.get("options") or []]
        field = f"questions.{index}.options"
        if kind in CHOICE_KINDS:
            if len(options) < 2:
                raise ValidationError({field: _("A choice question needs at least two options.")})
            if len(options) > MAX_OPTIONS:
                raise ValidationError({field: _("A question has at most %(n)d options.") % {"n": MAX_OPTIONS}})
            if any(not o for o in options):
                raise ValidationError({field: _("Options must not be empty.")})
            if len(set(options)) != len(options):
                raise ValidationError({field: _("Options must all be different.")})
        elif options:
            raise ValidationError({field: _("Only single and multiple choice questions take options.")})
        cleaned.append({"kind": kind, "text": q["text"], "options": options, "required": q.get("required", True)})
    return cleaned


def _write_questions(survey: Survey, questions: list[dict]) -> None:
    Question.objects.bulk_create([Question(survey=survey, position=i, **q) for i, q in enumerate(questions)])


def _write_audience(survey: Survey, teams: list[Team]) -> None:
    SurveyAudience.objects.bulk_create([SurveyAudience(survey=survey, team=t) for t in
                                        {t.pk: t for t in teams}.values()])


# Planning -------------------------------------------------------------------------------

@transaction.atomic
def survey_create(*, actor: Member, team: Team, title: str, description: str = "", anonymous: bool = True,
                  audience: list[Team] | None = None, opens_at=None, closes_at=None,
                  questions: list[dict] | None = None, topic=None) -> Survey:
    """Plan a survey (a draft). Rules: the actor coordinates `team` or a team above it;
    every audience team lies in `team`'s subtree (default: `team` itself); it closes in
    the future and after it opens; each question fits its kind; an archived or merged
    team takes no new surveys. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    if not team.is_active:
        raise ValidationError({"team": _("This team is archived or merged; it takes no new surveys.")})
    now = timezone.now()
    _check_window(opens_at, closes_at, now=now)
    teams = _check_audience(team, list(audience or []))
    cleaned = _clean_questions(list(questions or []))
    check_topic(topic, team)
    survey = Survey.objects.create(team=team, title=title, description=description, anonymous=anonymous,
                                   opens_at=opens_at, closes_at=closes_at, topic=topic, created_by=actor)
    _write_audience(survey, teams)
    _write_questions(survey, cleaned)
    return survey


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("team").get(pk=survey.pk)


@transaction.atomic
def survey_update(*, survey: Survey, actor: Member, **fields) -> Survey:
    """Change a draft. Rules: the actor coordinates its team; only a draft changes (409);
    `audience` and `questions`, when given, replace the old ones whole. Raises
    PermissionDenied, Conflict or ValidationError."""
    _require_coordinates(actor, survey.team)
    survey = _locked(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise Conflict(_("Only a draft survey can be changed."), code="not_draft")
    if "topic" in fields and fields["topic"] != survey.topic:
        check_topic(fields["topic"], survey.team)
    for name in ("title", "description", "anonymous", "opens_at", "closes_at", "topic"):
        if name in fields:
            setattr(survey, name, fields[name])
    _check_window(survey.opens_at, survey.closes_at, now=timezone.now())
    if "audience" in fields:
        teams = _check_audience(survey.team, list(fields["audience"] or []))
        SurveyAudience.objects.filter(survey=survey).delete()  # a draft's own rows, never answered
        _write_audience(survey, teams)
    if "questions" in fields:
        cleaned = _clean_questions(list(fields["questions"] or []))
        Question.objects.filter(survey=survey).delete()
        _write_questions(survey, cleaned)
    survey.save()
    return survey


def _open(survey: Survey, now: datetime) -> list[int]:
    survey.status = SurveyStatus.OPEN
    survey.opened_at = now
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    return _announce(NotificationKind.SURVEY_OPENED, survey,
                     selectors.audience_members(survey).values_list("pk", flat=True))


def _close(survey: Survey, now: datetime) -> None:
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now
    survey.save(update_fields=["status", "closed_at", "updated_at"])


@transaction.atomic
def survey_open(*, survey: Survey, actor: Member, now: datetime | None = None) -> Survey:
    """Open a draft now and notify its audience. Rules: the actor coordinates its team;
    only a draft opens (409); it has questions and has not passed its closing time (400)."""
    _require_coordinates(actor, survey.team)
    now = now or timezone.now()
    survey = _locked(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise Conflict(_("Only a draft survey can be opened."), code="not_draft")
    if not survey.questions.exists():
        raise ValidationError({"questions": _("A survey needs at least one question before it opens.")})
    if survey.closes_at is not None and survey.closes_at <= now:
        raise ValidationError({"closes_at": _("The closing time has passed; change it first.")})
    _open(survey, now)
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor: Member, now: datetime | None = None) -> Survey:
    """Close an open survey now. Rules: the actor coordinates its team; only an open survey closes (409)."""
    _require_coordinates(actor, survey.team)
    survey = _locked(survey)
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("Only an open survey can be closed."), code="not_open")
    _close(survey, now or timezone.now())
    return survey


# Answering ------------------------------------------------------------------------------

def survey_check_respondent(*, survey: Survey, actor: Member) -> None:
    """Before the body is read: the actor is in the audience now (403 otherwise)."""
    if not selectors.in_audience(actor, survey):
        raise PermissionDenied(_("Only the survey's audience answers it."))


def _clean_answers(questions: list[Question], answers: list[dict]) -> dict[int, object]:
    """question id -> the answer's value, each checked against its question (400 naming it)."""
    by_id = {q.pk: q for q in questions}
    values: dict[int, object] = {}
    for index, answer in enumerate(answers):
        qid = answer.get("question")
        field = f"answers.{index}.question"
        if qid not in by_id:
            raise ValidationError({field: _("Question %(id)s is not part of this survey.") % {"id": qid}})
        if qid in values:
            raise ValidationError({field: _("Question %(id)s is answered twice.") % {"id": qid}})
        q = by_id[qid]
        given = [name for name in ("choice", "choices", "value", "text") if answer.get(name) is not None]
        expected = {QuestionKind.SINGLE: "choice", QuestionKind.MULTIPLE: "choices",
                    QuestionKind.SCALE: "value", QuestionKind.TEXT: "text"}[q.kind]
        where = f"answers.{index}.{expected}"
        if given != [expected]:
            raise ValidationError({where: _("Question %(id)s takes exactly one `%(field)s`.")
                                   % {"id": qid, "field": expected}})
        value = answer[expected]
        if q.kind == QuestionKind.SINGLE:
            if value not in q.options:
                raise ValidationError({where: _("“%(value)s” is not an option of question %(id)s.")
                                       % {"value": value, "id": qid}})
            value = q.options.index(value)
        elif q.kind == QuestionKind.MULTIPLE:
            unknown = [v for v in value if v not in q.options]
            if unknown:
                raise ValidationError({where: _("“%(value)s” is not an option of question %(id)s.")
                                       % {"value": unknown[0], "id": qid}})
            if len(set(value)) != len(value):
                raise ValidationError({where: _("An option of question %(id)s is chosen twice.") % {"id": qid}})
            if not value and q.required:
                raise ValidationError({where: _("Question %(id)s needs at least one choice.") % {"id": qid}})
            value = sorted(q.options.index(v) for v in value)
        elif q.kind == QuestionKind.SCALE:
            if value not in SCALE_VALUES:
                raise ValidationError({where: _("Question %(id)s takes a whole number from 1 to 5.") % {"id": qid}})
        else:
            value = value.strip()
            if len(value) > MAX_TEXT_ANSWER:
                raise ValidationError({where: _("At most %(n)d characters.") % {"n": MAX_TEXT_ANSWER}})
            if not value:
                if q.required:
                    raise ValidationError({where: _("Question %(id)s needs an answer.") % {"id": qid}})
                continue
        values[qid] = value
    for q in questions:
        if q.required and q.pk not in values:
            raise ValidationError({"answers": _("Question %(id)s is required.") % {"id": q.pk}})
    return values


def _count_team(survey: Survey, team: Team, questions: list[Question]) -> None:
    """Add one response to the team's counter, creating the team's rows first.

    All of a team's counters (every option of every question, at zero) and text
    pools are created together with its first response, so which rows exist never
    tells what anyone chose. The team counter's row lock also serialises the
    responses of one team, so the option counters below never deadlock.
    """
    if TeamTally.objects.filter(survey=survey, team=team).update(responses=F("responses") + 1):
        return
    rows = []
    for q in questions:
        keys = range(len(q.options)) if q.kind in CHOICE_KINDS else SCALE_VALUES if q.kind == QuestionKind.SCALE else ()
        rows += [OptionTally(survey=survey, team=team, question=q, key=k) for k in keys]
    OptionTally.objects.bulk_create(rows, ignore_conflicts=True)
    TextPool.objects.bulk_create([TextPool(survey=survey, team=team, question=q) for q in questions
                                  if q.kind == QuestionKind.TEXT], ignore_conflicts=True)
    TeamTally.objects.bulk_create([TeamTally(survey=survey, team=team)], ignore_conflicts=True)
    TeamTally.objects.filter(survey=survey, team=team).update(responses=F("responses") + 1)


def _add_answers(survey: Survey, team: Team, questions: list[Question], values: dict[int, object]) -> None:
    kinds = {q.pk: q.kind for q in questions}
    picked = Q(pk__in=[])
    for qid, value in values.items():
        if kinds[qid] == QuestionKind.SINGLE or kinds[qid] == QuestionKind.SCALE:
            picked |= Q(question_id=qid, key=value)
        elif kinds[qid] == QuestionKind.MULTIPLE and value:
            picked |= Q(question_id=qid, key__in=value)
    OptionTally.objects.filter(picked, survey=survey, team=team).update(n=F("n") + 1)
    rng = random.SystemRandom()
    for qid, value in values.items():
        if kinds[qid] != QuestionKind.TEXT:
            continue
        pool = TextPool.objects.select_for_update().get(survey=survey, team=team, question_id=qid)
        pool.answers.insert(rng.randint(0, len(pool.answers)), value)
        pool.save(update_fields=["answers"])


@dataclass(frozen=True)
class ResponseReceipt:
    survey: int
    team: int


def survey_respond(*, survey: Survey, actor: Member, answers: list[dict],
                   now: datetime | None = None) -> ResponseReceipt:
    """Answer a survey once. Rules: the actor is in its audience now (403); it is open and
    not past its closing time (409; a draft whose opening time has passed opens first, an
    open survey past its closing time closes); every answer fits its question and every
    required question is answered (400 naming it); a second response by the same person,
    also one arriving at the same moment, is a 409.

    For an anonymous survey nothing written here links the answers to the person (see
    models.py); the participation row only records that they answered.
    """
    survey_check_respondent(survey=survey, actor=actor)
    now = now or timezone.now()
    survey = _honour_clock(survey, now)
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("This survey is not open."), code="not_open")
    questions = selectors.survey_questions(survey)
    values = _clean_answers(questions, answers)
    team = selectors.respondent_team(actor, survey)
    if team is None:  # left the audience a moment ago
        raise PermissionDenied(_("Only the survey's audience answers it."))
    try:
        with transaction.atomic():
            Participation.objects.create(survey=survey, member=actor)
            _count_team(survey, team, questions)
            _add_answers(survey, team, questions, values)
            if not survey.anonymous:
                SurveyResponse.objects.create(survey=survey, member=actor, team=team, submitted_at=now,
                                              answers=_named_answers(questions, values))
    except IntegrityError:
        raise Conflict(_("You have already answered this survey."), code="already_answered") from None
    return ResponseReceipt(survey=survey.pk, team=team.pk)


def _named_answers(questions: list[Question], values: dict[int, object]) -> list[dict]:
    out = []
    for q in questions:
        if q.pk not in values:
            continue
        value = values[q.pk]
        if q.kind == QuestionKind.SINGLE:
            out.append({"question": q.pk, "choice": q.options[value]})
        elif q.kind == QuestionKind.MULTIPLE:
            out.append({"question": q.pk, "choices": [q.options[i] for i in value]})
        elif q.kind == QuestionKind.SCALE:
            out.append({"question": q.pk, "value": value})
        else:
            out.append({"question": q.pk, "text": value})
    return out


# The clock ------------------------------------------------------------------------------

def _honour_clock(survey: Survey, now: datetime) -> Survey:
    """Open or close `survey` if its time has come and the beat job has not run yet."""
    due_open = survey.status == SurveyStatus.DRAFT and survey.opens_at is not None and survey.opens_at <= now
    due_close = survey.status == SurveyStatus.OPEN and survey.closes_at is not None and survey.closes_at <= now
    if not (due_open or due_close):
        return survey
    with transaction.atomic():
        locked = _locked(survey)
        _step_clock(locked, now)
    return locked


def _step_clock(survey: Survey, now: datetime) -> None:
    if survey.status == SurveyStatus.DRAFT and survey.opens_at is not None and survey.opens_at <= now:
        if survey.closes_at is not None and survey.closes_at <= now:
            return  # its whole window passed as a draft: it stays a draft for its coordinator to fix
        if not survey.questions.exists():
            return
        _open(survey, now)
    if survey.status == SurveyStatus.OPEN and survey.closes_at is not None and survey.closes_at <= now:
        _close(survey, now)


@transaction.atomic
def survey_clock(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job: open drafts whose `opens_at` has come, close open surveys whose
    `closes_at` has passed, and remind, once, the audience members who have not answered
    a survey that closes within a day. Safe to run concurrently (rows are locked and
    skipped by the other run). Returns how many of each it did."""
    now = now or timezone.now()
    done = {"opened": 0, "closed": 0, "reminded": 0}
    due = Survey.objects.select_for_update(skip_locked=True).filter(
        Q(status=SurveyStatus.DRAFT, opens_at__lte=now) | Q(status=SurveyStatus.OPEN, closes_at__lte=now)
    ).select_related("team").order_by("id")
    for survey in due:
        before = survey.status
        _step_clock(survey, now)
        if survey.status != before:
            done["opened" if survey.status == SurveyStatus.OPEN else "closed"] += 1
    closing = Survey.objects.select_for_update(skip_locked=True).filter(
        status=SurveyStatus.OPEN, reminded_at__isnull=True, closes_at__gt=now, closes_at__lte=now + REMIND_BEFORE,
    ).order_by("id")
    for survey in closing:
        answered = Participation.objects.filter(survey=survey).values("member_id")
        waiting = selectors.audience_members(survey).exclude(pk__in=answered).values_list("pk", flat=True)
        done["reminded"] += len(_announce(NotificationKind.SURVEY_REMINDER, survey, waiting))
        survey.reminded_at = now
        survey.save(update_fields=["reminded_at", "updated_at"])
    return done


# Team merges (issue 10) -----------------------------------------------------------------------

def surveys_teams_merged(*, source: Team, target: Team, actor) -> dict[str, int]:
    """api.hooks.teams_merged: what surveys hang on `source` moves to `target`."""
    return surveys_move_team(source=source, target=target)


@transaction.atomic
def surveys_move_team(*, source: Team, target: Team) -> dict[str, int]:
    """Everything surveys hang on `source` moves to `target` (a team merge): the surveys
    it owns, its audience rows, and the counters and texts its responses were counted
    under (added to `target`'s own, so results stay whole). Returns rows moved per kind."""
    moved = {"surveys": Survey.objects.filter(team=source).update(team=target)}
    # Audience: a survey that asked both keeps one row.
    both = SurveyAudience.objects.filter(team=target).values("survey_id")
    SurveyAudience.objects.filter(team=source, survey_id__in=both).delete()
    moved["audience"] = SurveyAudience.objects.filter(team=source).update(team=target)
    moved["team_tallies"] = 0
    for tally in TeamTally.objects.select_for_update().filter(team=source):
        own, _created = TeamTally.objects.get_or_create(survey_id=tally.survey_id, team=target)
        TeamTally.objects.filter(pk=own.pk).update(responses=F("responses") + tally.responses)
        OptionTally.objects.bulk_create(
            [OptionTally(survey_id=o.survey_id, team=target, question_id=o.question_id, key=o.key)
             for o in OptionTally.objects.filter(survey_id=tally.survey_id, team=source)], ignore_conflicts=True)
        for o in OptionTally.objects.filter(survey_id=tally.survey_id, team=source):
            OptionTally.objects.filter(survey_id=o.survey_id, team=target, question_id=o.question_id,
                                       key=o.key).update(n=F("n") + o.n)
        for pool in TextPool.objects.filter(survey_id=tally.survey_id, team=source):
            into, _created = TextPool.objects.select_for_update().get_or_create(
                survey_id=pool.survey_id, team=target, question_id=pool.question_id)
            merged = into.answers + pool.answers
            random.SystemRandom().shuffle(merged)
            into.answers = merged
            into.save(update_fields=["answers"])
        OptionTally.objects.filter(survey_id=tally.survey_id, team=source).delete()
        TextPool.objects.filter(survey_id=tally.survey_id, team=source).delete()
        tally.delete()
        moved["team_tallies"] += 1
    moved["named_responses"] = SurveyResponse.objects.filter(team=source).update(team=target)
    return moved
