"""Scoped reads of surveys.

Who sees a survey:
- coordinators and observers of its team or a team above it (every status);
- its audience: every active person one of whose teams lies in the subtree of
  one of the survey's audience teams, judged at the moment they ask (someone
  who joins a team while the survey is open sees it; someone who left does
  not), once it is open (and after it closed).
"""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from api.access import READ, restrict
from teams.models import Member, Membership, Team

from .choices import SurveyStatus
from .models import Participation, Question, Survey, SurveyAudience

PUBLISHED = (SurveyStatus.OPEN, SurveyStatus.CLOSED)


def _published_q() -> Q:
    """Open or closed, or a draft whose opening time has come (the clock opens it within a
    minute; answering it opens it at once): the API honours opens_at without waiting."""
    return Q(status__in=PUBLISHED) | Q(status=SurveyStatus.DRAFT, opens_at__lte=timezone.now())


def _asked_q(user_id) -> Q:
    """Surveys one of whose audience teams holds one of the person's teams (their team's
    path starts with the audience team's), as their memberships are now."""
    own = Membership.objects.filter(member_id=user_id, team__path__startswith=OuterRef("team__path"))
    return Q(Exists(SurveyAudience.objects.filter(Exists(own), survey=OuterRef("pk"))))


def audience_q(scope) -> Q:
    """The audience's grant (api.access): published surveys that ask the caller."""
    if scope.user_id is None:
        return Q(pk__in=[])
    return _published_q() & _asked_q(scope.user_id)


def surveys_visible_to(user) -> QuerySet[Survey]:
    return restrict(Survey.objects.all(), user, READ)


def survey_list(user) -> QuerySet[Survey]:
    return surveys_visible_to(user).select_related("team").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
        Prefetch("audience", queryset=SurveyAudience.objects.select_related("team").only(
            "id", "survey_id", "team__id", "team__path").order_by("team_id")),
    )


def surveys_to_answer(user, now=None) -> QuerySet[Survey]:
    """`mine=true`: open surveys whose audience holds the caller and that they have not answered."""
    now = now or timezone.now()
    answered = Participation.objects.filter(survey=OuterRef("pk"), member_id=user.pk)
    return Survey.objects.filter(
        _asked_q(user.pk), ~Q(Exists(answered)), Q(closes_at__isnull=True) | Q(closes_at__gt=now),
        Q(status=SurveyStatus.OPEN) | Q(status=SurveyStatus.DRAFT, opens_at__lte=now),
    )


def in_audience(user, survey: Survey) -> bool:
    if not getattr(user, "is_active", False):
        return False
    return audience_teams_of(user, survey) != []


def _audience_paths(survey: Survey) -> list[str]:
    if "audience" in getattr(survey, "_prefetched_objects_cache", {}):  # survey_list's rows carry them
        return [a.team.path for a in survey.audience.all()]
    return list(SurveyAudience.objects.filter(survey=survey).values_list("team__path", flat=True))


def survey_questions(survey: Survey) -> list[Question]:
    if "questions" in getattr(survey, "_prefetched_objects_cache", {}):
        return list(survey.questions.all())
    return list(survey.questions.order_by("position", "id"))


def audience_teams_of(user, survey: Survey) -> list[Team]:
    """The caller's teams inside the survey's audience, deepest first (read once per request)."""
    cache = survey.__dict__.setdefault("_audience_teams_of", {})
    if user.pk not in cache:
        audience = _audience_paths(survey)
        teams = [t for t in Team.objects.filter(memberships__member_id=user.pk).distinct()
                 if any(t.path.startswith(a) for a in audience)]
        cache[user.pk] = sorted(teams, key=lambda t: (-len(t.ancestor_ids), t.pk))
    return cache[user.pk]


def respondent_team(user, survey: Survey) -> Team | None:
    """The team a response counts under: the deepest of the person's teams inside the
    audience (like a fan-out's assignment team), the lowest id among equals."""
    teams = audience_teams_of(user, survey)
    return teams[0] if teams else None


def audience_members(survey: Survey, within: str | None = None) -> QuerySet[Member]:
    """Active people holding a role inside the audience (and inside `within`, a team path)."""
    audience = Q(pk__in=[])
    for path in _audience_paths(survey):
        audience |= Q(team__path__startswith=path)
    memberships = Membership.objects.filter(audience, member_id=OuterRef("pk"))
    if within:
        memberships = memberships.filter(team__path__startswith=within)
    return Member.objects.filter(Exists(memberships), is_active=True)


def audience_size(survey: Survey, within: str | None = None) -> int:
    """How many people `audience_members` holds, in one COUNT(DISTINCT) over memberships."""
    audience = Q(pk__in=[])
    for path in _audience_paths(survey):
        audience |= Q(team__path__startswith=path)
    memberships = Membership.objects.filter(audience, member__is_active=True)
    if within:
        memberships = memberships.filter(team__path__startswith=within)
    return memberships.aggregate(n=Count("member_id", distinct=True))["n"]


def team_for_results(user, team_id) -> Team | None:
    """A `?team=` the caller may ask for: a team inside their read scope."""
    return restrict(Team.objects.filter(pk=team_id), user, READ).first()
