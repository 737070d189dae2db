"""Joining in the console: a coordinator's invites (create, list with the link's QR code,
revoke) and the join requests they decide (approve with a role, decline with a reason);
and the public page an invite's link opens, where a person registers with its code.

The services are teams.joining's (the API's /teams/{id}/invites/, /invites/{id}/revoke/,
/join-requests/ and /auth/register/): who may is theirs to decide (the 403 page
otherwise), and an invite or request outside the caller's subtrees is the 404 page.
The registration page is throttled like the login page (failures count, per phone and
per address) and answers the same whether the phone is registered or not.
"""
from __future__ import annotations

from types import SimpleNamespace

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api.login import LoginGuard
from api.throttling import LoginAddressThrottle, RegisterPhoneThrottle
from teams import joining
from teams import selectors as team_selectors
from teams.models import JoinStatus

from .forms import put_errors
from .joining_forms import ApproveForm, DeclineForm, InviteForm, RegisterForm
from .pages import page
from .roles import scope_for
from .views import keyset_page, service_step

STATUS_FILTERS = {"pending": JoinStatus.PENDING, "approved": JoinStatus.APPROVED,
                  "declined": JoinStatus.DECLINED, "all": None}


def qr_svg(url: str, title: str) -> str:
    """The QR code of `url` as inline SVG (no image file, no script): dark modules on a
    white square with the standard quiet zone, so any phone camera reads it off a screen."""
    code = segno.make(url, error="m")
    return mark_safe(code.svg_inline(scale=4, dark="#000", light="#fff", title=title, svgclass="qr"))


# Invites ---------------------------------------------------------------------------

def _invite_teams(user) -> dict:
    """The teams an invite may be made for: active ones the caller coordinates, in tree order."""
    teams = team_selectors.teams_managed_by(user).filter(is_active=True).order_by("path")
    return {"teams": teams, "top_paths": scope_for(user).paths_for("manage")}


def _invites_page(request, form, status=200):
    rows, before = keyset_page(team_selectors.invites_managed_by(request.user), request)
    for invite in rows:
        invite.usable = joining.invite_is_usable(invite)
        invite.url = joining.invite_url(invite, request)
        if invite.usable:
            invite.qr = qr_svg(invite.url, _("QR code of the invite to %(team)s") % {"team": invite.team.name})
    return render(request, "console/invites.html", {"invites": rows, "before": before, "form": form},
                  status=status)


@require_http_methods(["GET", "POST"])
@page("manage")
def invites(request):
    form = InviteForm(request.POST or None, **_invite_teams(request.user))
    if request.method != "POST":
        return _invites_page(request, form)
    back = lambda *_: redirect("console:invites")  # noqa: E731
    return service_step(
        request, form, lambda data: joining.invite_create(actor=request.user, **data),
        success=lambda invite: _("Invite to %(team)s made: hand out its link or let people scan its QR code.")
        % {"team": invite.team.name},
        done=back, refused=back, invalid=lambda form: _invites_page(request, form, status=400))


@require_POST
@page("manage")
def invite_revoke(request, pk):
    invite = team_selectors.invites_managed_by(request.user).filter(pk=pk).first()
    if invite is None:
        raise Http404
    back = lambda *_: redirect("console:invites")  # noqa: E731
    return service_step(
        request, None, lambda data: joining.invite_revoke(invite=invite, actor=request.user),
        success=_("Invite revoked: its code no longer works."), done=back, refused=back)


# Join requests ---------------------------------------------------------------------

@require_safe
@page("manage")
def join_requests(request):
    shown = request.GET.get("status", "pending")
    if shown not in STATUS_FILTERS:
        shown = "pending"
    qs = team_selectors.join_requests_managed_by(request.user).select_related("decided_by")
    if STATUS_FILTERS[shown]:
        qs = qs.filter(status=STATUS_FILTERS[shown])
    rows, before = keyset_page(qs, request)
    return render(request, "console/join_requests.html", {
        "requests": rows, "before": before, "shown": shown, "filters": list(STATUS_FILTERS),
        "roles": ApproveForm.base_fields["role"].choices,
    })


def _managed_request(request, pk):
    join_request = team_selectors.join_requests_managed_by(request.user).filter(pk=pk).first()
    if join_request is None:
        raise Http404
    return join_request


def _decide(request, join_request, form, call, success):
    back = lambda *_: redirect("console:join-requests")  # noqa: E731
    return service_step(
        request, form, call, success=success, done=back, refused=back,
        invalid=lambda form: render(request, "console/join_request_decide.html",
                                    {"jr": join_request, "form": form}, status=400))


@require_POST
@page("manage")
def join_request_approve(request, pk):
    join_request = _managed_request(request, pk)
    return _decide(
        request, join_request, ApproveForm(request.POST),
        lambda data: joining.join_request_approve(join_request=join_request, actor=request.user, role=data["role"]),
        success=lambda member: _("%(name)s joined %(team)s.") % {"name": member.full_name,
                                                                 "team": join_request.team.name})


@require_POST
@page("manage")
def join_request_decline(request, pk):
    join_request = _managed_request(request, pk)
    return _decide(
        request, join_request, DeclineForm(request.POST),
        lambda data: joining.join_request_decline(join_request=join_request, actor=request.user,
                                                  reason=data["reason"]),
        success=_("Declined: %(name)s.") % {"name": join_request.full_name})


# The page an invite's link opens ---------------------------------------------------------

def _register_guard(request) -> LoginGuard:
    # The API's register throttles, in the same cache keys: the phone (counted apart from logins)
    # and the client address.
    attempt = SimpleNamespace(data=request.POST.dict(), META=request.META, headers=request.headers,
                              COOKIES=request.COOKIES, user=request.user)
    return LoginGuard(attempt, throttle_classes=[LoginAddressThrottle, RegisterPhoneThrottle])


@never_cache
@require_http_methods(["GET", "POST"])
@csrf_protect
def join(request, code):
    """Anyone with the link, signed in or not: register with the invite's code."""
    invite = joining.usable_invite(code)
    if invite is None:
        return render(request, "console/join.html", {"invalid": True}, status=404)
    form = RegisterForm(request.POST or None)
    status, headers = 200, {}
    if request.method == "POST":
        guard = _register_guard(request)
        wait = guard.check()
        if wait is not None:
            form.is_valid()
            form.add_error(None, _("Too many attempts. Try again in %(minutes)d minutes.")
                           % {"minutes": max(1, -(-int(wait) // 60))})
            status, headers = 429, {"Retry-After": str(int(wait))}
        elif form.is_valid():
            try:
                joining.join_register(code=code, **form.cleaned_data)
            except ValidationError as exc:
                guard.failed()
                put_errors(form, exc)
                status = 400
            else:
                guard.succeeded()
                messages.success(request, _("Thank you. A coordinator of %(team)s will look at your request; "
                                            "you can log in once it is approved.") % {"team": invite.team.name})
                return redirect(reverse("console:login"))
        else:
            guard.failed()
            status = 400
    response = render(request, "console/join.html", {"invite": invite, "form": form}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response
