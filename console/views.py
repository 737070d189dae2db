"""The console's pages. Each one reads through the API's selectors and writes through
its services; none builds a scope filter or a transition of its own (see pages.page
for how refusals become the 403 and 404 pages).

Lists page by id (`?before=<id>`, newest first), never by OFFSET or COUNT, like the
API's long feeds: a page deep into a district's work costs what the first one does.
"""
from __future__ import annotations

import mimetypes
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api.exceptions import Conflict
from publishing import selectors as publishing_selectors
from reports import selectors as report_selectors
from reports import views as report_views
from reports.renderers import CSVRenderer
from reports.serializers import DailyQuerySerializer, DailyStatsSerializer, StatsQuerySerializer
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.choices import UNFINISHED_STATUSES, AssignmentStatus, TaskKind, TaskStatus
from tasks.overdue import is_overdue, overdue_q
from tasks.publication import is_published
from teams import selectors as team_selectors
from teams import services as team_services
from teams.models import Team

from .forms import CampaignForm, CampaignStatsForm, CompleteForm, MemberForm, QuantityForm, ReasonForm, put_errors
from .pages import page, refusal
from .publishing_forms import PublishingTaskForm
from .roles import can, read_roots, scope_for

PAGE_SIZE = 50
DONE_STATUSES = (AssignmentStatus.COMPLETED, AssignmentStatus.VERIFIED)


def keyset_page(qs, request, size: int = PAGE_SIZE):
    """One page of `qs` newest first, and the id to continue from (None on the last page)."""
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(pk__lt=int(before))
    rows = list(qs.order_by("-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def conflict_message(request, exc: Conflict) -> None:
    messages.error(request, exc.message)


def service_step(request, form, call, *, success, done, refused=None, invalid=None, put=put_errors):
    """The one wrapper of a console page that posts to a service.

    A valid form (or none) calls `call(cleaned_data)`; the service's ValidationError goes
    back onto the form's fields (`put(form, exc)`: by the field it names) and `invalid(form)` renders it again (400); a Conflict (the
    row changed meanwhile) is a message and `refused()` (without `refused` it propagates: the
    409 page); success is the `success` message (a text, or a callable of the result) and
    `done(result)`. A step's caller checks the role first (`assignment_check_actor`), so a
    refusal comes before any body error.
    """
    if form is None or form.is_valid():
        try:
            result = call(form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            if form is None:
                raise
            put(form, exc)
        except Conflict as exc:
            if refused is None:
                raise
            conflict_message(request, exc)
            return refused()
        else:
            messages.success(request, success(result) if callable(success) else success)
            return done(result)
    return invalid(form)


def create_page(request, form, template: str, call, *, success, done):
    """A page that shows a form (GET) and creates through a service (POST): service_step's
    answers, the form again with its errors (400) when the body or the service refuses it."""
    if request.method != "POST":
        return render(request, template, {"form": form})
    return service_step(request, form, call, success=success, done=done,
                        invalid=lambda form: render(request, template, {"form": form}, status=400))


# Home ----------------------------------------------------------------------------------

@require_safe
@page()
def home(request):
    """Coordinators and observers start at their subtree's progress; everyone else at their own tasks."""
    if can(request.user, "read"):
        return redirect("console:progress")
    return redirect("console:my-tasks")


# The member's side ---------------------------------------------------------------------

MY_FILTERS = {
    "todo": UNFINISHED_STATUSES,
    "done": (*DONE_STATUSES,),
    "all": None,
}


@require_safe
@page()
def my_tasks(request):
    shown = request.GET.get("show", "todo")
    statuses = MY_FILTERS.get(shown, UNFINISHED_STATUSES)
    qs = task_selectors.assignment_cards(request.user).filter(assignee_id=request.user.pk)
    if statuses:
        qs = qs.filter(status__in=statuses)
    rows, before = keyset_page(qs, request)
    now = timezone.now()
    for row in rows:
        row.overdue = is_overdue(row, now)
    return render(request, "console/my_tasks.html", {
        "assignments": rows, "before": before, "shown": shown if shown in MY_FILTERS else "todo",
    })


def _own_assignment(request, pk):
    assignment = task_selectors.assignment_list(request.user).select_related("assigned_by").filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


def _my_task_page(request, assignment, complete_form=None, decline_form=None, status=200):
    assignment.overdue = is_overdue(assignment)
    is_mine = assignment.assignee_id == request.user.pk
    open_task = assignment.task.status == TaskStatus.OPEN
    can_complete = is_mine and open_task and assignment.status in task_services.TRANSITIONS["complete"].sources
    can_decline = is_mine and open_task and assignment.status in task_services.TRANSITIONS["decline"].sources
    return render(request, "console/my_task.html", {
        "a": assignment, "task": assignment.task, "is_mine": is_mine,
        "complete_form": complete_form or _complete_form(assignment.task), "decline_form": decline_form or ReasonForm(),
        "offline": assignment.task.kind == TaskKind.OFFLINE,
        "can_complete": can_complete, "can_decline": can_decline,
        "events": task_selectors.assignment_timeline(assignment),
    }, status=status)


@require_safe
@page()
def my_task(request, pk):
    return _my_task_page(request, _own_assignment(request, pk))


def _complete_form(task, data=None, files=None):
    """Online work is reported with a link or a photo; offline work with how much was done."""
    if task.kind == TaskKind.OFFLINE:
        return QuantityForm(data, unit=task.unit)
    return CompleteForm(data, files)


def _completion(form) -> dict:
    data = form.cleaned_data
    if isinstance(form, QuantityForm):
        return {"quantity": data["quantity"], "note": data["note"]}
    return {"evidence_url": data["evidence_url"], "note": data["note"], "evidence_image": data["evidence_image"]}


@require_POST
@page()
def my_task_complete(request, pk):
    assignment = _own_assignment(request, pk)
    task_services.assignment_check_actor(action="complete", assignment=assignment, actor=request.user)
    form = _complete_form(assignment.task, request.POST, request.FILES)
    return service_step(
        request, form,
        lambda data: task_services.assignment_complete(assignment=assignment, actor=request.user, **_completion(form)),
        success=_("Reported as done. Thank you!"), done=lambda _: redirect("console:my-tasks"),
        refused=lambda: redirect("console:my-task", pk=pk),
        invalid=lambda form: _my_task_page(request, assignment, complete_form=form, status=400))


@require_POST
@page()
def my_task_decline(request, pk):
    assignment = _own_assignment(request, pk)
    task_services.assignment_check_actor(action="decline", assignment=assignment, actor=request.user)
    return service_step(
        request, ReasonForm(request.POST),
        lambda data: task_services.assignment_decline(assignment=assignment, actor=request.user,
                                                      reason=data["reason"]),
        success=_("Declined."), done=lambda _: redirect("console:my-tasks"),
        refused=lambda: redirect("console:my-task", pk=pk),
        invalid=lambda form: _my_task_page(request, assignment, decline_form=form, status=400))


@require_safe
@page()
def evidence(request, pk):
    """The evidence photo, to those who see the assignment (the assignee, readers above)."""
    assignment = task_selectors.assignments_visible_to(request.user).filter(pk=pk).only("evidence_image").first()
    if assignment is None or not assignment.evidence_image:
        raise Http404
    stored = assignment.evidence_image
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Progress and reports ------------------------------------------------------------------

def _report_team(request, pk) -> Team:
    team = report_selectors.team_for_report(request.user, pk)
    if team is None:
        raise Http404
    return team


@require_safe
@page("read")
def progress(request):
    """The caller's own subtrees (where they coordinate or observe), each with its counts."""
    paths = read_roots(request.user)
    teams = team_selectors.teams_visible_to(request.user)
    teams = teams.filter(path__in=paths) if paths else teams.filter(parent__isnull=True)
    roots = list(teams.order_by("path"))
    if len(roots) == 1:
        return redirect("console:team", pk=roots[0].pk)
    rows = [(team, report_selectors.subtree_stats(report_selectors.StatsFilter(path=team.path))) for team in roots]
    return render(request, "console/progress.html", {"rows": rows})


@require_safe
@page("read")
def team(request, pk):
    team = _report_team(request, pk)
    flt = report_selectors.StatsFilter(path=team.path)
    scope = scope_for(request.user)
    # The way up, as far as the caller reads (the teams above their own are not theirs to open).
    above = [t for t in team_selectors.team_ancestor_map([team]).values() if scope.has_capability_at("read", t.path)]
    above.sort(key=lambda t: len(t.path))
    return render(request, "console/team.html", {
        "team": team, "stats": report_selectors.subtree_stats(flt), "above": above,
        "children": report_selectors.children_stats(team, flt),
        "can_review": scope.has_capability_at("review", team.path),
    })


def _csv(view_class, data, name: str, pk: int) -> HttpResponse:
    """The API's CSV (same columns, same renderer) as a download."""
    body = CSVRenderer().render(data, renderer_context={"view": SimpleNamespace(csv_columns=view_class.csv_columns)})
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{pk}.csv"'
    return response


def _report_filter(request, team, query_serializer=StatsQuerySerializer):
    params = query_serializer(data=request.GET)
    if not params.is_valid():
        return None, params.errors
    asked = params.validated_data
    return report_selectors.StatsFilter(path=team.path, since=asked.get("since"), until=asked.get("until")), None


@require_safe
@page("read")
def team_csv(request, pk, report):
    team = _report_team(request, pk)
    query = DailyQuerySerializer if report == "daily" else StatsQuerySerializer
    flt, errors = _report_filter(request, team, query)
    if errors:
        return render(request, "console/bad_report.html", {"team": team, "errors": errors}, status=400)
    if report == "stats":
        data = {"team": report_views.team_ref(team), **report_selectors.subtree_stats(flt)}
        return _csv(report_views.TeamStatsView, data, "team-stats", team.pk)
    if report == "children":
        return _csv(report_views.TeamChildrenStatsView, report_selectors.children_stats(team, flt),
                    "team-children-stats", team.pk)
    if report == "members":
        board = list(report_selectors.board(flt))
        report_selectors.add_medians(board, flt)
        return _csv(report_views.TeamMemberStatsView, report_selectors.member_board_rows(board),
                    "team-member-stats", team.pk)
    if report == "daily":
        data = DailyStatsSerializer(report_selectors.daily_stats(flt), many=True).data
        return _csv(report_views.TeamDailyStatsView, data, "team-daily-stats", team.pk)
    raise Http404


@require_safe
@page("read")
def overdue(request):
    qs = task_selectors.assignment_cards(request.user).filter(overdue_q())
    within = request.GET.get("within", "")
    team = _report_team(request, int(within)) if within.isdigit() else None
    if team is not None:
        qs = qs.filter(report_selectors.StatsFilter(path=team.path).q())
    rows, before = keyset_page(qs, request)
    return render(request, "console/overdue.html", {"assignments": rows, "before": before, "team": team})


# Review ----------------------------------------------------------------------------------

def _reviewable(request, pk):
    """An assignment the caller sees (404 otherwise); the service decides whether they may review it (403)."""
    assignment = task_selectors.assignment_list(request.user).select_related("assigned_by").filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


@require_safe
@page("review")
def review(request):
    rows, before = keyset_page(task_selectors.review_queue(request.user), request)
    return render(request, "console/review.html", {
        "assignments": rows, "before": before, "shown_ids": ",".join(str(a.pk) for a in rows),
    })


def _back_to_review(request):
    target = request.POST.get("back", "")
    return redirect(target if target.startswith(reverse("console:review")) else "console:review")


@require_POST
@page("review")
def review_verify(request, pk):
    assignment = _reviewable(request, pk)
    back = lambda *_: _back_to_review(request)  # noqa: E731
    return service_step(
        request, None,
        lambda data: task_services.assignment_verify(assignment=assignment, actor=request.user,
                                                     note=request.POST.get("note", "")[:2000]),
        success=_("Verified: %(title)s — %(name)s") % {
            "title": assignment.task.title, "name": assignment.assignee.full_name},
        done=back, refused=back)


@require_POST
@page("review")
def review_reject(request, pk):
    assignment = _reviewable(request, pk)
    task_services.assignment_check_actor(action="reject", assignment=assignment, actor=request.user)
    back = lambda *_: _back_to_review(request)  # noqa: E731
    return service_step(
        request, ReasonForm(request.POST),
        lambda data: task_services.assignment_reject(assignment=assignment, actor=request.user,
                                                     reason=data["reason"]),
        success=_("Sent back: %(title)s — %(name)s") % {
            "title": assignment.task.title, "name": assignment.assignee.full_name},
        done=back, refused=back,
        invalid=lambda form: render(request, "console/reject.html", {"a": assignment, "form": form}, status=400))


@require_POST
@page("review")
def review_bulk_verify(request):
    """Verify the ticked assignments, or every one shown on the page (`shown`: the ids the page
    listed, so nothing that arrived since is verified unseen), each through the service.

    Each is its own step: one that someone else changed meanwhile is reported, the rest go through.
    """
    if request.POST.get("all"):
        values = request.POST.get("shown", "").split(",")
    else:
        values = request.POST.getlist("ids")
    ids = [int(value) for value in values if value.strip().isdigit()][:PAGE_SIZE * 2]
    if not ids:
        messages.error(request, _("Tick at least one item to verify."))
        return _back_to_review(request)
    verified, refused = 0, []
    for assignment in task_selectors.assignment_list(request.user).filter(pk__in=ids):
        try:
            task_services.assignment_verify(assignment=assignment, actor=request.user)
            verified += 1
        except (Conflict, PermissionDenied) as exc:
            refused.append(f"{assignment.task.title} — {assignment.assignee.full_name}: "
                           f"{getattr(exc, 'message', None) or ' '.join(map(str, exc.args))}")
    if verified:
        messages.success(request, _("Verified %(count)d items.") % {"count": verified})
    for line in refused:
        messages.error(request, line)
    return _back_to_review(request)


# Tasks -------------------------------------------------------------------------------

def _managed_teams(user):
    return team_selectors.teams_managed_by(user).order_by("path")


def _team_choices(user) -> dict:
    """The teams a form offers: those the caller coordinates, in tree order."""
    return {"teams": _managed_teams(user), "top_paths": scope_for(user).paths_for("manage")}


def _by_team(topics):
    return topics.select_related("team").order_by("team__path", "name", "pk")


def topic_choices(user, keep: int | None = None):
    """What a form's `topic` offers: what the API's `topic` takes (active topics the caller reads),
    and `keep`, the topic the object has, even retired since (the form sends it back unchanged, as
    a PATCH that leaves `topic` out keeps it). The service checks that it serves the team."""
    topics = task_selectors.topics_usable_by(user)
    if keep is not None:
        topics = topics | task_selectors.topics_visible_to(user).filter(pk=keep)
    return _by_team(topics)


@require_safe
@page()
def tasks(request):
    rows, before = keyset_page(task_selectors.task_list(request.user), request)
    return render(request, "console/tasks.html", {"tasks": rows, "before": before,
                                                  "can_create": can(request.user, "manage")})


@require_http_methods(["GET", "POST"])
@page("manage")
def task_new(request):
    """A task, with approved material and a channel to publish on (`?content=<id>` starts from that
    item: its title, text and first link fill the form)."""
    initial = {}
    asked = request.GET.get("content", "")
    material = publishing_selectors.content_usable_by(request.user).filter(pk=int(asked)).first() if (
        request.method != "POST" and asked.isdigit()) else None
    if material is not None:
        initial = {"content": material.pk, "title": material.title, "instructions": material.body,
                   "reference_url": material.links[0] if material.links else "", "topic": material.topic_id}
    form = PublishingTaskForm(
        request.POST or None, initial=initial, **_team_choices(request.user),
        campaigns=task_selectors.campaign_list(request.user).order_by("-pk"), topics=topic_choices(request.user),
        contents=publishing_selectors.content_usable_by(request.user).select_related("team").order_by("-pk"),
        channels=publishing_selectors.channels_visible_to(request.user).filter(is_active=True)
        .select_related("team").order_by("team__path", "name"))
    return create_page(request, form, "console/task_new.html",
                       lambda data: task_services.task_create(actor=request.user, **form.service_data()),
                       success=_("Task created. Now choose who does it."),
                       done=lambda created: redirect("console:task", pk=created.pk))


def _visible_task(request, pk):
    task = task_selectors.task_list(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def _task_page(request, task, picked=(), errors=(), status=200):
    scope = scope_for(request.user)
    manages = scope.has_capability_at("manage", task.team.path) and task.status == TaskStatus.OPEN
    picker = []
    if manages:
        base = task.team.path.count("/")
        for t in _managed_teams(request.user).filter(path__startswith=task.team.path):
            picker.append({"team": t, "depth": t.path.count("/") - base, "picked": t.pk in picked})
    progress = [(s, getattr(task, f"progress_{s.value}")) for s in task_selectors.PROGRESS_STATUSES]
    to_record, record_before = [], None
    if task.kind == TaskKind.OFFLINE and task.status == TaskStatus.OPEN and scope.has_capability_at("review", task.team.path):
        # Offline work a coordinator may record for members without a smartphone (the service decides).
        to_record, record_before = keyset_page(
            task_selectors.assignments_reviewable_by(request.user).filter(
                task=task, status__in=task_services.TRANSITIONS["complete"].sources)
            .select_related("assignee", "team").only("id", "status", "assignee__full_name", "team__name"), request)
    return render(request, "console/task.html", {
        "task": task, "progress": progress, "overdue": task.progress_overdue, "picker": picker,
        "assign_errors": errors, "manages": manages, "to_record": to_record, "before": record_before,
        "is_published": is_published(task),
    }, status=status)


@require_safe
@page()
def task(request, pk):
    return _task_page(request, _visible_task(request, pk))


@require_POST
@page("manage")
def task_assign(request, pk):
    task = _visible_task(request, pk)
    ids = [int(value) for value in request.POST.getlist("teams") if value.isdigit()]
    teams = list(team_selectors.teams_visible_to(request.user).filter(pk__in=ids))
    try:
        if len(teams) != len(set(ids)):
            raise ValidationError({"teams": _("Some of the chosen teams are not yours to assign to.")})
        result = task_services.task_assign(task=task, actor=request.user, teams=teams)
    except ValidationError as exc:
        errors = [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms]
        return _task_page(request, task, picked={t.pk for t in teams}, errors=errors, status=400)
    except Conflict as exc:
        conflict_message(request, exc)
        return redirect("console:task", pk=pk)
    messages.success(request, _("Assigned to %(created)d people (%(already)d had it already).") % {
        "created": result.created, "already": result.already_assigned})
    return redirect("console:task", pk=pk)


@require_POST
@page("review")
def assignment_record(request, pk):
    """A coordinator records offline work for a member without a smartphone (`on_behalf`):
    the API's rule (assignment_check_actor) refuses online work and people outside their reach."""
    assignment = task_selectors.assignment_list(request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    task_services.assignment_check_actor(action="complete", assignment=assignment, actor=request.user,
                                         on_behalf=True)
    form = QuantityForm(request.POST, unit=assignment.task.unit)
    if form.is_valid():
        try:
            task_services.assignment_complete(assignment=assignment, actor=request.user, on_behalf=True,
                                              checked=True, **_completion(form))
        except ValidationError as exc:
            put_errors(form, exc)
        except Conflict as exc:
            conflict_message(request, exc)
            return redirect("console:task", pk=assignment.task_id)
        else:
            messages.success(request, _("Recorded %(quantity)d for %(name)s.") % {
                "quantity": form.cleaned_data["quantity"], "name": assignment.assignee.full_name})
            return redirect("console:task", pk=assignment.task_id)
    return render(request, "console/record.html", {"a": assignment, "form": form}, status=400)


# Campaigns ---------------------------------------------------------------------------

@require_safe
@page()
def campaigns(request):
    rows, before = keyset_page(task_selectors.campaign_list(request.user), request)
    return render(request, "console/campaigns.html", {"campaigns": rows, "before": before,
                                                      "can_create": can(request.user, "manage")})


@require_http_methods(["GET", "POST"])
@page("manage")
def campaign_new(request):
    return create_page(request, CampaignForm(request.POST or None, **_team_choices(request.user),
                                             topics=topic_choices(request.user)),
                       "console/campaign_new.html",
                       lambda data: task_services.campaign_create(actor=request.user, **data),
                       success=_("Campaign created."),
                       done=lambda created: redirect("console:campaign", pk=created.pk))


def _campaign_filter(request, campaign):
    """The campaign's counts as the API's stats/ filters them (`?topic=`: a topic the caller reads,
    as reports.selectors.topic_known_to; another id is the form's error): (StatsFilter or None, form)."""
    form = CampaignStatsForm(request.GET, topics=_by_team(task_selectors.topics_visible_to(request.user)))
    if not form.is_valid():
        return None, form
    topic = form.cleaned_data["topic"]
    return report_selectors.StatsFilter(path=campaign.team.path, campaign_id=campaign.pk,
                                        topic_id=topic.pk if topic else None), form


@require_safe
@page()
def campaign(request, pk):
    found = task_selectors.campaign_list(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    reported = report_selectors.campaign_for_report(request.user, pk)
    stats = flt = filter_form = None
    if reported is not None:
        flt, filter_form = _campaign_filter(request, reported)
        if flt is not None:
            stats = report_selectors.campaign_stats(reported, flt)
    tasks_of = task_selectors.task_list(request.user).filter(campaign_id=found.pk).order_by("-pk")[:PAGE_SIZE]
    return render(request, "console/campaign.html", {
        "campaign": found, "stats": stats, "tasks": tasks_of, "filter_form": filter_form,
        "topic_id": flt.topic_id if flt else None,
    }, status=400 if reported is not None and flt is None else 200)


@require_safe
@page("read")
def campaign_csv(request, pk):
    reported = report_selectors.campaign_for_report(request.user, pk)
    if reported is None:
        raise Http404
    flt, form = _campaign_filter(request, reported)
    if flt is None:
        return render(request, "console/bad_report.html", {"errors": form.errors}, status=400)
    return _csv(report_views.CampaignStatsView, report_selectors.campaign_stats(reported, flt),
                "campaign-stats", reported.pk)


# Members -----------------------------------------------------------------------------

@require_safe
@page()
def members(request):
    rows, before = keyset_page(team_selectors.member_list(request.user), request)
    scope = scope_for(request.user)
    for member in rows:
        # Whether to offer (de)activation: the service decides (member_within_reach) when it is pressed.
        member.in_reach = (member.pk != request.user.pk and bool(member.visible_memberships)
                           and all(scope.has_capability_at("manage", m.team.path) for m in member.visible_memberships))
    return render(request, "console/members.html", {"members": rows, "before": before,
                                                    "can_add": can(request.user, "manage")})


@require_http_methods(["GET", "POST"])
@page("manage")
def member_new(request):
    return create_page(
        request, MemberForm(request.POST or None, **_team_choices(request.user)), "console/member_new.html",
        lambda data: team_services.member_create(actor=request.user, **data),
        success=lambda created: _("%(name)s can now log in with their phone number.") % {"name": created.full_name},
        done=lambda created: redirect("console:members"))


def _set_active(request, pk, active: bool):
    member = team_selectors.members_visible_to(request.user).filter(pk=pk).first()
    if member is None:
        raise Http404
    message = (_("%(name)s is active again and can log in.") if active
               else _("%(name)s is deactivated: they can no longer log in."))
    back = lambda *_: redirect("console:members")  # noqa: E731
    return service_step(
        request, None, lambda data: team_services.member_update(member=member, actor=request.user, is_active=active),
        success=message % {"name": member.full_name}, done=back, refused=back)


@require_POST
@page("manage")
def member_deactivate(request, pk):
    return _set_active(request, pk, False)


@require_POST
@page("manage")
def member_activate(request, pk):
    return _set_active(request, pk, True)


# Errors ------------------------------------------------------------------------------

def not_found(request, rest=""):
    return refusal(request, 404)


def csrf_failure(request, reason=""):
    """Django's CSRF refusal in the console's look (settings.CSRF_FAILURE_VIEW)."""
    return render(request, "console/403.html", {
        "message": _("The form had expired or came from another site. Go back, reload the page and try again."),
    }, status=403)

