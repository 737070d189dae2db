"""The console's answer to a body over the request cap (api.hooks.body_too_large).

A phone's full-size photo can pass the 10 MB cap; the API answers that with its JSON
413 before reading the body. A person on a console page gets a page instead, in their
language, with the way back to the task they were completing. Nothing of the body is
read, and nothing was changed, so the page needs no CSRF check.
"""
from __future__ import annotations

from django.contrib.auth import get_user
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject

CONSOLE_PREFIX = "/console/"


def console_too_large(*, request, limit):
    if not request.path_info.startswith(CONSOLE_PREFIX):
        return None
    if not hasattr(request, "user"):  # the size check runs before the authentication middleware
        request.user = SimpleLazyObject(lambda: get_user(request))
    back = reverse("console:home")
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.url_name == "my-task-complete":
        back = reverse("console:my-task", kwargs=match.kwargs)
    return render(request, "console/413.html", {"limit_mb": limit // (1024 * 1024), "back": back}, status=413)
