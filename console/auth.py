"""Logging in and out of the console with a session.

The same throttles as the API's login (api.login.LoginGuard), counted in the
same cache keys: a failed attempt at /console/login/ and one at
/api/v1/auth/token/ use up the same allowance per phone and per client
address; successes never count, and a browser holding the `login_device`
cookie of an earlier login of that person is counted on its own.
"""
from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from api.login import LoginGuard, known_device

from .forms import LoginForm


def login_guard(request) -> LoginGuard:
    """The login throttles for this attempt: check() first, then succeeded() or failed()."""
    # The throttles read `data` (the phone) and `META` (the client address) as from a DRF request.
    attempt = SimpleNamespace(data=request.POST.dict(), META=request.META, headers=request.headers,
                              COOKIES=request.COOKIES, user=request.user)
    return LoginGuard(attempt, device=known_device(attempt, request.POST.get("phone")))


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    console_root = reverse("console:home")
    if target.startswith(console_root) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return console_root


@never_cache
@require_http_methods(["GET", "POST"])
@csrf_protect
def login_page(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    headers = {}
    if request.method == "POST":
        guard = login_guard(request)
        wait = guard.check()
        if wait is not None:
            minutes = max(1, -(-int(wait) // 60))
            form.is_valid()
            form.add_error(None, _("Too many login attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes})
            status, headers = 429, {"Retry-After": str(int(wait))}
        elif form.is_valid():
            member = authenticate(request, username=form.cleaned_data["phone"].strip(),
                                  password=form.cleaned_data["password"])
            if member is not None:
                guard.succeeded()
                login(request, member)  # a new session key: a session fixed before login is worth nothing
                return redirect(_next_url(request))
            guard.failed()
            form.add_error(None, _("The phone number or the password is wrong."))
            status = 400
        else:
            guard.succeeded()  # an incomplete form tried no password
            status = 400
    context = {"form": form, "next": _next_url(request), "expired": request.GET.get("expired") == "1"}
    response = render(request, "console/login.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@require_POST
@csrf_protect
def logout_page(request):
    logout(request)
    return redirect("console:login")
