"""Template tags of the console: the menu for the caller's role, status badges, keyset links."""
from django import template
from django.utils.translation import gettext_lazy as _

from tasks.choices import AssignmentStatus

from ..roles import can

register = template.Library()


@register.inclusion_tag("console/_nav.html", takes_context=True)
def console_nav(context):
    request = context["request"]
    user = request.user
    items = []
    if user.is_authenticated:
        reads = can(user, "read")
        items.append(("console:my-tasks", _("My tasks")))
        if reads:
            items.append(("console:progress", _("Progress")))
            items.append(("console:overdue", _("Overdue")))
        if can(user, "review"):
            items.append(("console:review", _("Review")))
        items.append(("console:tasks", _("Tasks")))
        items.append(("console:campaigns", _("Campaigns")))
        items.append(("console:members", _("Members")))
        if can(user, "manage"):
            items.append(("console:join-requests", _("Join requests")))
        items.append(("console:surveys", _("Surveys")))
        items.append(("console:content-list", _("Content")))
        items.append(("console:channels", _("Channels")))
        if reads:
            items.append(("console:reports", _("Reports")))
    return {"items": items, "request": request, "section": _section(request)}


# Pages reached from a menu entry, under that entry's name (a team's page is part of "Progress").
SECTIONS = {"team": "progress", "my-task": "my-tasks", "task": "tasks", "task-new": "tasks",
            "campaign": "campaigns", "campaign-new": "campaigns", "member-new": "members",
            "survey": "surveys", "survey-results": "surveys", "invites": "join-requests",
            "join-request-approve": "join-requests", "join-request-decline": "join-requests",
            "channel": "channels", "channel-new": "channels", "channel-edit": "channels",
            "content-item": "content-list", "content-new": "content-list", "content-edit": "content-list",
            "team-report": "reports"}


def _section(request) -> str:
    name = request.resolver_match.url_name if request.resolver_match else ""
    return "console:" + SECTIONS.get(name, name)


@register.filter
def status_label(value):
    try:
        return AssignmentStatus(value).label
    except ValueError:
        return value


@register.filter
def indent(depth):
    return range(max(int(depth), 0))


@register.simple_tag(takes_context=True)
def page_after(context, before):
    """The current URL with ?before=<id> (other parameters kept)."""
    query = context["request"].GET.copy()
    query["before"] = before
    return "?" + query.urlencode()
