"""Channels, their post log and the content library in the console.

The same selectors and services as /api/v1/channels/ and /api/v1/content/:
- who sees a channel or an item is publishing.selectors (the 404 page otherwise);
- changing a channel is for coordinators of its team or above (`require(MANAGE)`, the
  service checks again); adding to its post log for its managers and coordinators above
  (`require(PUBLISH)`): the 403 page for other readers;
- the library's steps are publishing.services.content's: `content_check_actor` decides
  who (the author is never the one who approves: four eyes), the service's Conflict
  says when the status does not allow it (a message, back to the item).
Writing drafts is for coordinators and channel managers (`may_author_somewhere`), checked
before any id or body, as the API's `check_permissions`.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api.access import MANAGE, allows, require
from publishing import selectors as publishing_selectors
from publishing import services as publishing_services
from publishing.access import PUBLISH
from publishing.choices import ContentStatus
from publishing.services.content import EDITABLE
from teams import selectors as team_selectors

from .forms import ReasonForm
from .pages import page
from .publishing_forms import ChannelForm, ContentForm, NoteForm, PostForm
from .roles import can, scope_for
from .views import PAGE_SIZE, keyset_page, service_step, topic_choices

# The people a channel's edit page offers as its managers (those of its team's subtree the
# caller reads in full); a commune's page lists its few hundred, a province's the first ones
# by name (the API takes any of them by id).
MANAGER_PICKER_LIMIT = 300
CONTENT_TABS = ("", ContentStatus.IN_REVIEW, ContentStatus.APPROVED, ContentStatus.DRAFT, ContentStatus.REJECTED,
                ContentStatus.ARCHIVED)


def _authors(user) -> bool:
    return publishing_services.may_author_somewhere(user)


# Channels ------------------------------------------------------------------------------

def _visible_channel(request, pk):
    channel = publishing_selectors.channel_list(request.user).filter(pk=pk).first()
    if channel is None:
        raise Http404
    return channel


@require_safe
@page()
def channels(request):
    rows, before = keyset_page(publishing_selectors.channel_list(request.user), request)
    return render(request, "console/channels.html", {"channels": rows, "before": before,
                                                     "can_create": can(request.user, MANAGE)})


def _posts_page(channel, request):
    """The post log newest first (by publication time, as the API's), `?before=<post id>`."""
    posts = publishing_selectors.channel_posts(channel).select_related("created_by", "topic")
    before = request.GET.get("before", "")
    if before.isdigit():
        anchor = posts.filter(pk=int(before)).values("published_at", "pk").first()
        if anchor is not None:
            posts = posts.filter(Q(published_at__lt=anchor["published_at"])
                                 | Q(published_at=anchor["published_at"], pk__lt=anchor["pk"]))
    rows = list(posts[:PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].pk if more and rows else None)


def _channel_page(request, channel, post_form=None, status=200):
    posts, before = _posts_page(channel, request)
    return render(request, "console/channel.html", {
        "channel": channel, "posts": posts, "before": before,
        "can_post": channel.is_active and allows(request.user, PUBLISH, channel),
        "can_edit": allows(request.user, MANAGE, channel),
        "post_form": post_form or PostForm(topics=topic_choices(request.user)),
    }, status=status)


@require_safe
@page()
def channel(request, pk):
    return _channel_page(request, _visible_channel(request, pk))


@require_http_methods(["GET", "POST"])
@page(MANAGE)
def channel_new(request):
    form = ChannelForm(request.POST or None, teams=team_selectors.teams_managed_by(request.user).order_by("path"),
                       top_paths=scope_for(request.user).paths_for(MANAGE))
    template = "console/channel_form.html"
    if request.method != "POST":
        return render(request, template, {"form": form})
    return service_step(
        request, form, lambda data: publishing_services.channel_create(actor=request.user, **data),
        success=_("Channel registered."), done=lambda created: redirect("console:channel", pk=created.pk),
        invalid=lambda form: render(request, template, {"form": form}, status=400))


def _manager_choices(request, channel):
    """People of the channel's team's subtree the caller reads in full, its managers first."""
    current = list(channel.managers.all())
    others = (team_selectors.members_readable_by(request.user)
              .filter(is_active=True, memberships__team__path__startswith=channel.team.path)
              .exclude(pk__in=[m.pk for m in current]).distinct().order_by("full_name", "pk")
              .only("id", "full_name")[:MANAGER_PICKER_LIMIT])
    return [*current, *others]


@require_http_methods(["GET", "POST"])
@page(MANAGE)
def channel_edit(request, pk):
    channel = _visible_channel(request, pk)
    require(request.user, MANAGE, channel)  # a reader who does not coordinate its team: the 403 page
    template = "console/channel_form.html"
    initial = {"name": channel.name, "platform": channel.platform, "kind": channel.kind, "url": channel.url,
               "posts_per_day_target": channel.posts_per_day_target, "is_active": channel.is_active,
               "managers": [str(m.pk) for m in channel.managers.all()]}
    form = ChannelForm(request.POST or None, initial=initial, managers=_manager_choices(request, channel))
    if request.method != "POST":
        return render(request, template, {"form": form, "channel": channel})

    def update(data):
        ids = [int(value) for value in data.pop("managers")]
        people = list(team_selectors.members_readable_by(request.user).filter(pk__in=ids))
        return publishing_services.channel_update(channel=channel, actor=request.user, managers=people, **data)

    return service_step(
        request, form, update, success=_("Channel saved."), done=lambda _: redirect("console:channel", pk=pk),
        invalid=lambda form: render(request, template, {"form": form, "channel": channel}, status=400))


@require_POST
@page()
def channel_post_new(request, pk):
    channel = _visible_channel(request, pk)
    require(request.user, PUBLISH, channel)  # before the body, as the API
    return service_step(
        request, PostForm(request.POST, topics=topic_choices(request.user)),
        lambda data: publishing_services.channel_post_create(channel=channel, actor=request.user, **data),
        success=_("Post added to the log."), done=lambda _: redirect("console:channel", pk=pk),
        refused=lambda: redirect("console:channel", pk=pk),
        invalid=lambda form: _channel_page(request, channel, post_form=form, status=400))


# The content library -------------------------------------------------------------------

@require_safe
@page()
def content_list(request):
    """The library as the API's list shows it to the caller, newest first, by status."""
    shown = request.GET.get("status", "")
    qs = publishing_selectors.content_list(request.user)
    if shown in ContentStatus.values:
        qs = qs.filter(status=shown)
    else:
        shown = ""
    rows, before = keyset_page(qs, request)
    tabs = [(value, ContentStatus(value).label if value else _("All")) for value in CONTENT_TABS]
    return render(request, "console/content_list.html", {
        "items": rows, "before": before, "shown": shown, "tabs": tabs,
        "can_write": _authors(request.user), "reads": can(request.user, "read"),
    })


def _visible_item(request, pk):
    item = (publishing_selectors.content_list(request.user).select_related("created_by", "reviewed_by", "topic")
            .filter(pk=pk).first())
    if item is None:
        raise Http404
    return item


def _may(action, item, user) -> bool:
    try:
        publishing_services.content_check_actor(action=action, item=item, actor=user)
    except PermissionDenied:
        return False
    return True


def _item_page(request, item, reject_form=None, status=200):
    user = request.user
    steps = publishing_services.STEPS
    # "Make a task of it": what the task form's `content` offers (approved, unexpired, readable).
    usable = (item.status == ContentStatus.APPROVED and can(user, MANAGE)
              and publishing_selectors.content_usable_by(user).filter(pk=item.pk).exists())
    return render(request, "console/content_item.html", {
        "item": item,
        "can_edit": item.status in EDITABLE and _may("update", item, user),
        "can_submit": item.status in steps["submit"].sources and _may("submit", item, user),
        "can_review": item.status in steps["approve"].sources and _may("approve", item, user),
        "own_in_review": item.status == ContentStatus.IN_REVIEW and item.created_by_id == user.pk,
        "can_archive": item.status in steps["archive"].sources and _may("archive", item, user),
        "can_task": usable,
        "note_form": NoteForm(), "reject_form": reject_form or ReasonForm(),
    }, status=status)


@require_safe
@page()
def content_item(request, pk):
    return _item_page(request, _visible_item(request, pk))


@require_http_methods(["GET", "POST"])
@page(admits=_authors)
def content_new(request):
    teams = publishing_selectors.teams_authoring_for(request.user).order_by("path")
    form = ContentForm(request.POST or None, teams=teams, top_paths=scope_for(request.user).paths_for(MANAGE),
                       topics=topic_choices(request.user))
    template = "console/content_form.html"
    if request.method != "POST":
        return render(request, template, {"form": form})
    return service_step(
        request, form, lambda data: publishing_services.content_create(actor=request.user, **data),
        success=_("Draft saved. Send it for review when it is ready."),
        done=lambda created: redirect("console:content-item", pk=created.pk),
        invalid=lambda form: render(request, template, {"form": form}, status=400))


@require_http_methods(["GET", "POST"])
@page(admits=_authors)
def content_edit(request, pk):
    item = _visible_item(request, pk)
    publishing_services.content_check_actor(action="update", item=item, actor=request.user)
    back = lambda *_: redirect("console:content-item", pk=pk)  # noqa: E731
    template = "console/content_form.html"
    topics = topic_choices(request.user, keep=item.topic_id)
    if request.method != "POST":
        if item.status not in EDITABLE:
            messages.error(request, _("Only a draft or a rejected item can be edited."))
            return back()
        form = ContentForm(initial={"title": item.title, "body": item.body, "links": item.links,
                                    "topic": item.topic_id, "expires_at": item.expires_at}, topics=topics)
        return render(request, template, {"form": form, "item": item})
    return service_step(
        request, ContentForm(request.POST, topics=topics),
        lambda data: publishing_services.content_update(item=item, actor=request.user, **data),
        success=_("Saved."), done=back, refused=back,
        invalid=lambda form: render(request, template, {"form": form, "item": item}, status=400))


def _content_step(request, pk, action, form=None, call=None, success=""):
    item = _visible_item(request, pk)
    publishing_services.content_check_actor(action=action, item=item, actor=request.user)  # before the body
    back = lambda *_: redirect("console:content-item", pk=pk)  # noqa: E731
    step = publishing_services.CONTENT_ACTIONS[action]
    return service_step(
        request, form, call(item) if call else (lambda data: step(item=item, actor=request.user, **data)),
        success=success, done=back, refused=back,
        invalid=lambda form: _item_page(request, item, reject_form=form, status=400))


@require_POST
@page(admits=_authors)
def content_submit(request, pk):
    return _content_step(request, pk, "submit", success=_("Sent for review: another coordinator approves it."))


@require_POST
@page(MANAGE)
def content_approve(request, pk):
    return _content_step(request, pk, "approve", form=NoteForm(request.POST),
                         success=_("Approved: members below the team read it now."))


@require_POST
@page(MANAGE)
def content_reject(request, pk):
    return _content_step(request, pk, "reject", form=ReasonForm(request.POST),
                         success=_("Sent back to its author with your reason."))


@require_POST
@page(MANAGE)
def content_archive(request, pk):
    return _content_step(request, pk, "archive", success=_("Archived: members no longer see it."))
