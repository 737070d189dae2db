"""The words of each notification kind, rendered in the active language.

Parameters were captured when the notification was created (a task's title then),
so the text stays what it meant even if the task is renamed later.
"""
from dataclasses import dataclass

from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import NotificationKind


@dataclass(frozen=True)
class RenderedText:
    title: str
    body: str


def _due(params) -> str:
    raw = params.get("due_at")
    moment = parse_datetime(raw) if raw else None
    # 24-hour clock, day first: how dates are written in Vietnam, and unambiguous in English.
    return localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def render(kind: str, params: dict) -> RenderedText:
    """Title and body of a notification in the active language."""
    task = params.get("task", "")
    if kind == NotificationKind.ASSIGNED:
        return RenderedText(_("New task"), _("You have a new task: %(task)s") % {"task": task})
    if kind == NotificationKind.REJECTED:
        reason = params.get("reason", "")
        body = (_("Your work on “%(task)s” was sent back: %(reason)s") % {"task": task, "reason": reason}
                if reason else _("Your work on “%(task)s” was sent back.") % {"task": task})
        return RenderedText(_("Work sent back"), body)
    if kind == NotificationKind.TASK_CANCELLED:
        return RenderedText(_("Task cancelled"), _("The task “%(task)s” was cancelled.") % {"task": task})
    if kind == NotificationKind.DEADLINE_24H:
        return RenderedText(_("Due within 24 hours"),
                            _("“%(task)s” is due at %(due)s.") % {"task": task, "due": _due(params)})
    if kind == NotificationKind.DEADLINE_2H:
        return RenderedText(_("Due within 2 hours"),
                            _("“%(task)s” is due at %(due)s.") % {"task": task, "due": _due(params)})
    if kind == NotificationKind.OVERDUE_DIGEST:
        count = int(params.get("count", 0))
        return RenderedText(
            _("Overdue work"),
            ngettext(
                "%(count)d assignment in your teams is past its deadline.",
                "%(count)d assignments in your teams are past their deadline.",
                count,
            ) % {"count": count},
        )
    if kind == NotificationKind.SURVEY_OPENED:
        survey = params.get("survey", "")
        if params.get("closes_at"):
            body = _("Please answer “%(survey)s” before %(closes)s.") % {
                "survey": survey, "closes": _due({"due_at": params["closes_at"]})}
        else:
            body = _("Please answer “%(survey)s”.") % {"survey": survey}
        return RenderedText(_("New survey"), body)
    if kind == NotificationKind.SURVEY_REMINDER:
        return RenderedText(
            _("Survey closing soon"),
            _("“%(survey)s” closes at %(closes)s and still waits for your answers.") % {
                "survey": params.get("survey", ""), "closes": _due({"due_at": params.get("closes_at")})},
        )
    if kind == NotificationKind.REVIEW_WAITING:
        count = int(params.get("count", 0))
        return RenderedText(
            _("Work waiting for your review"),
            ngettext(
                "%(count)d piece of completed work in your teams is waiting for your review.",
                "%(count)d pieces of completed work in your teams are waiting for your review.",
                count,
            ) % {"count": count},
        )
    if kind == NotificationKind.VERIFIED:
        note = params.get("note", "")
        body = (_("Your work on “%(task)s” was verified: %(note)s") % {"task": task, "note": note}
                if note else _("Your work on “%(task)s” was verified.") % {"task": task})
        return RenderedText(_("Work verified"), body)
    return RenderedText(str(NotificationKind(kind).label), "")


def render_in(language: str, kind: str, params: dict) -> RenderedText:
    with translation.override(language):
        return render(kind, params)
