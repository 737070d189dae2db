"""Accounts in the console: a person changes their own password; a coordinator gives a
member a new one (they forgot it) or lifts the lock that failed logins put on a phone.

The services are teams.accounts' (the API's /me/password/, set-password, unlock): who may
is theirs to decide (member_within_reach, member_can_unlock: the 403 page otherwise), and
a member outside the caller's sight is the 404 page.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from teams import accounts
from teams import selectors as team_selectors

from .forms import OwnPasswordForm, SetPasswordForm, put_errors
from .pages import page


def _visible_member(request, pk):
    member = team_selectors.members_visible_to(request.user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


@require_http_methods(["GET", "POST"])
@page("manage")
def member_password(request, pk):
    member = _visible_member(request, pk)
    form = SetPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                accounts.member_set_password(member=member, new_password=form.cleaned_data["new_password"],
                                             actor=request.user)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, _("%(name)s has a new password. Tell it to them in person; "
                                            "they can change it after logging in.") % {"name": member.full_name})
                return redirect("console:members")
        status = 400
    return render(request, "console/member_password.html", {"member": member, "form": form}, status=status)


@require_POST
@page("manage")
def member_unlock(request, pk):
    member = _visible_member(request, pk)
    accounts.member_unlock(member=member, actor=request.user)
    messages.success(request, _("%(name)s can try to log in again now.") % {"name": member.full_name})
    return redirect("console:members")


@require_http_methods(["GET", "POST"])
@page()
def my_password(request):
    form = OwnPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                accounts.member_change_password(member=request.user, old_password=form.cleaned_data["old_password"],
                                                new_password=form.cleaned_data["new_password"])
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                request.user.refresh_from_db()
                update_session_auth_hash(request, request.user)  # this browser stays logged in; others end
                messages.success(request, _("Your password is changed."))
                return redirect("console:home")
        status = 400
    return render(request, "console/my_password.html", {"form": form}, status=status)
