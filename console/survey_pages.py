"""Surveys in the console: members answer the ones that ask them; coordinators and
observers read the results of their subtree's surveys (and download them).

The same selectors and services as /api/v1/surveys/: who sees a survey is
surveys.selectors (404 otherwise), who answers is survey_check_respondent (403),
results are surveys.results with its small-group suppression, for readers of the
survey's team (403 for the audience, as the API's `results` action).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.choices import SurveyStatus
from surveys.models import Participation
from surveys.renderers import XLSX_MEDIA_TYPE, SurveyResultsCSVRenderer, SurveyResultsXLSXRenderer
from surveys.results import survey_results
from teams import selectors as team_selectors

from .forms import SurveyAnswerForm, path_depth
from .pages import page
from .roles import scope_for
from .views import PAGE_SIZE, keyset_page, service_step

RESULT_FILES = {"csv": (SurveyResultsCSVRenderer, "text/csv; charset=utf-8"), "xlsx": (SurveyResultsXLSXRenderer, XLSX_MEDIA_TYPE)}
TEAM_PICKER_LIMIT = 300


def _answered(user):
    return Exists(Participation.objects.filter(survey=OuterRef("pk"), member_id=user.pk))


def _visible_survey(request, pk, with_questions=True):
    qs = survey_selectors.survey_list(request.user) if with_questions else (
        survey_selectors.surveys_visible_to(request.user).select_related("team"))
    survey = qs.annotate(answered=_answered(request.user)).filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def _reads_results(user, survey) -> bool:
    """The API's rule for `results`: a reader (coordinator, observer) at the survey's team."""
    return scope_for(user).has_capability_at("read", survey.team.path)


@require_safe
@page()
def surveys(request):
    """Surveys still to answer first, then every survey the caller sees, newest first."""
    user = request.user
    to_answer = list(survey_selectors.surveys_visible_to(user).select_related("team")
                     .filter(pk__in=survey_selectors.surveys_to_answer(user).values("pk"))
                     .order_by("-pk")[:PAGE_SIZE])
    rows, before = keyset_page(survey_selectors.surveys_visible_to(user).select_related("team")
                               .annotate(answered=_answered(user)), request)
    scope = scope_for(user)
    for survey in rows:
        survey.reads_results = scope.has_capability_at("read", survey.team.path)
    return render(request, "console/surveys.html", {"to_answer": to_answer, "surveys": rows, "before": before})


def _survey_page(request, survey, form=None, status=200):
    can_answer = False
    if not survey.answered and survey.status in (SurveyStatus.OPEN, SurveyStatus.DRAFT):
        # Open (or a draft whose opening time came) and not closed by the clock yet: the same
        # list as the API's `mine=true`.
        can_answer = survey_selectors.surveys_to_answer(request.user).filter(pk=survey.pk).exists()
    questions = survey_selectors.survey_questions(survey)
    return render(request, "console/survey.html", {
        "survey": survey, "can_answer": can_answer, "reads_results": _reads_results(request.user, survey),
        "form": form or (SurveyAnswerForm(questions=questions) if can_answer else None),
        "questions": questions,
    }, status=status)


@require_safe
@page()
def survey(request, pk):
    return _survey_page(request, _visible_survey(request, pk))


@require_POST
@page()
def survey_answer(request, pk):
    survey = _visible_survey(request, pk)
    # Who may answer is decided before the answers are read, as in the API.
    survey_services.survey_check_respondent(survey=survey, actor=request.user)
    form = SurveyAnswerForm(request.POST, questions=survey_selectors.survey_questions(survey))
    return service_step(
        request, form,
        lambda data: survey_services.survey_respond(survey=survey, actor=request.user, answers=form.answers()[0]),
        # A message naming `answers.N.<field>` goes on the N-th answer's question.
        put=lambda form, exc: form.put_service_errors(exc, form.answers()[1]),
        success=_("Thank you: your answers are in."), done=lambda _: redirect("console:surveys"),
        refused=lambda: redirect("console:survey", pk=pk),
        invalid=lambda form: _survey_page(request, survey, form=form, status=400))


def _results_data(request, survey, text_limit=-1):
    """The API's results body for `?team=` (None: the whole audience), or the 400 message."""
    team = None
    asked = request.GET.get("team", "")
    if asked:
        team = survey_selectors.team_for_results(request.user, int(asked)) if asked.isdigit() else None
        if team is None:
            return None, None, _("Unknown team.")
    data = survey_results(survey, team=team, audience_size=survey_selectors.audience_size(
        survey, team.path if team is not None else None), text_limit=text_limit)
    data["survey_title"] = survey.title
    data["team_name"] = team.name if team is not None else None
    return data, team, None


def _readable_survey(request, pk):
    survey = _visible_survey(request, pk)
    if not _reads_results(request.user, survey):
        raise PermissionDenied(_("Only coordinators and observers of the survey's team read its results."))
    return survey


@require_safe
@page("read")
def survey_results_page(request, pk):
    survey = _readable_survey(request, pk)
    data, team, error = _results_data(request, survey)
    # The groups a reader may ask for: teams of the survey's subtree that they read, in tree order.
    teams = list(team_selectors.teams_visible_to(request.user).filter(path__startswith=survey.team.path)
                 .order_by("path").only("id", "name", "path")[:TEAM_PICKER_LIMIT])
    top = path_depth(survey.team.path)
    picker = [{"team": t, "label": f"{'— ' * (path_depth(t.path) - top)}{t.name}"} for t in teams]
    questions = []
    if data is not None:
        for q in data["questions"]:
            if not q["suppressed"] and "counts" in q:
                most = max(q["counts"].values(), default=0) or 1
                q["bars"] = [(option, n, round(85 * n / most)) for option, n in q["counts"].items()]
            questions.append(q)
    return render(request, "console/survey_results.html", {
        "survey": survey, "data": data, "questions": questions, "team": team, "picker": picker, "error": error,
        "query": request.GET.urlencode(),
    }, status=400 if error else 200)


@require_safe
@page("read")
def survey_results_file(request, pk, fmt):
    if fmt not in RESULT_FILES:
        raise Http404
    survey = _readable_survey(request, pk)
    data, _team, error = _results_data(request, survey, text_limit=None)  # a download holds every answer
    if error:
        return render(request, "console/bad_report.html", {"errors": {"team": [error]}}, status=400)
    renderer, content_type = RESULT_FILES[fmt]
    response = HttpResponse(renderer().render(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.{fmt}"'
    return response
