"""How every console page starts and how refusals look.

`@page(capability=...)` is the console's door, the same for every view:
- no session (or one that expired): to the login page, remembering where the
  person was going (a POST is not replayed);
- the caller's scope is read afresh (a role granted or removed a moment ago counts);
- a role that lacks `capability` anywhere (or that `admits(user)` refuses: a role
  the capability table does not name, such as "manages a channel"): the 403 page;
- inside the view, Http404 (out of scope, exactly like a missing id) is the 404
  page and PermissionDenied (a service refusing the role) the 403 page.
"""
from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import can, forget_scope


def refusal(request, status: int, message: str = ""):
    """The console's page for a 403 or a 404 (and the message a service gave, if any)."""
    template = "console/403.html" if status == 403 else "console/404.html"
    return render(request, template, {"message": message}, status=status)


def to_login(request):
    query = {"next": request.get_full_path()} if request.method == "GET" else {}
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A session cookie the server no longer honours: the session expired (or was ended elsewhere).
        query["expired"] = "1"
    url = reverse("console:login")
    return HttpResponseRedirect(f"{url}?{urlencode(query)}" if query else url)


def page(capability: str | None = None, admits=None):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return to_login(request)
            forget_scope(request.user)
            if (capability is not None and not can(request.user, capability)) or (
                    admits is not None and not admits(request.user)):
                return refusal(request, 403, _("Your role does not open this page."))
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return refusal(request, 404)
            except PermissionDenied as exc:
                return refusal(request, 403, " ".join(str(arg) for arg in exc.args))

        wrapper.capability = capability  # read by the console's permission matrix tests
        wrapper.admits = admits
        return wrapper

    return decorate
