"""Forms of the publishing pages (channels, their post log, the content library) and the
task form that carries approved content. They shape what a person types; every rule
(who may, which team, four eyes, what a status allows) stays in publishing.services.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from publishing.choices import ChannelKind
from publishing.services.content import MAX_LINKS
from tasks.choices import Platform

from .forms import DATETIME_INPUT, TEXT_MAX_LENGTH, TaskForm, TeamChoiceField, offer_teams, topic_field

URL_MAX_LENGTH = 2000
HTTP_URL = URLValidator(schemes=["http", "https"], message=_("Enter a link that starts with http:// or https://."))
REPORT_PERIODS = (("week", _("Week")), ("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")))


class LinksField(forms.CharField):
    """http(s) links, one a line (a plain textarea: no script needed to add a row)."""

    widget = forms.Textarea(attrs={"rows": 3, "inputmode": "url", "placeholder": "https://"})

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise ValidationError(_("At most %(n)d links.") % {"n": MAX_LINKS})
        for line in lines:
            if len(line) > URL_MAX_LENGTH:
                raise ValidationError(_("A link is at most %(n)d characters.") % {"n": URL_MAX_LENGTH})
            HTTP_URL(line)
        return lines

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, (list, tuple)) else value


class ContentForm(forms.Form):
    """A draft of the content library (edited: the same without `team`, which never changes)."""

    team = TeamChoiceField(label=_("Team"), queryset=None,
                           help_text=_("The team whose library it goes to: members of that team and of the teams "
                                       "below it read it once it is approved."))
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, max_length=TEXT_MAX_LENGTH * 10,
                           widget=forms.Textarea(attrs={"rows": 6}))
    links = LinksField(label=_("Links (one a line)"), required=False)
    topic = topic_field()
    expires_at = forms.DateTimeField(label=_("Expires (empty: never)"), required=False, widget=DATETIME_INPUT)

    def __init__(self, *args, topics, teams=None, top_paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics
        if teams is None:
            del self.fields["team"]
        else:
            offer_teams(self.fields["team"], teams, top_paths)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ChannelForm(forms.Form):
    """A page or group the team runs (edited: without `team`, with its managers)."""

    team = TeamChoiceField(label=_("Team"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    url = forms.CharField(label=_("Address of the page"), max_length=URL_MAX_LENGTH, validators=[HTTP_URL],
                          widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}))
    posts_per_day_target = forms.IntegerField(label=_("Posts per day (target)"), min_value=0, max_value=100,
                                              initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    is_active = forms.BooleanField(label=_("Active (takes new posts)"), required=False, initial=True)
    managers = forms.MultipleChoiceField(label=_("Who posts on it"), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, teams=None, top_paths=(), managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            offer_teams(self.fields["team"], teams, top_paths)
        if managers is None:
            del self.fields["managers"]
        else:
            self.fields["managers"].choices = [(str(m.pk), m.full_name) for m in managers]


class PostForm(forms.Form):
    url = forms.CharField(label=_("Link to the post"), max_length=URL_MAX_LENGTH, validators=[HTTP_URL],
                          widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}))
    published_at = forms.DateTimeField(label=_("Published at (empty: now)"), required=False, widget=DATETIME_INPUT)
    topic = topic_field(help_text=_("Optional. A topic of the channel's team or of a team above it."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics


class MaterialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.title} ({item.team.name})"


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, channel):
        return f"{channel.name} · {channel.get_platform_display()} ({channel.team.name})"


class PublishingTaskForm(TaskForm):
    """The task form with what a task publishes: approved material and the channel to post on."""

    content = MaterialChoiceField(label=_("Material (approved content)"), queryset=None, required=False)
    channel = ChannelChoiceField(label=_("Channel to publish on"), queryset=None, required=False)
    field_order = ["content", "title", "team", "kind", "unit", "platform", "channel", "instructions",
                   "reference_url", "campaign", "topic", "due_at", "priority", "publish_at"]

    def __init__(self, *args, contents, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].queryset = contents
        self.fields["channel"].queryset = channels

    def service_data(self) -> dict:
        """cleaned_data for task_create: no material and no channel is not "set them to none"."""
        return {k: v for k, v in self.cleaned_data.items() if not (k in ("content", "channel") and v is None)}


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=REPORT_PERIODS, initial="month")
    date = forms.DateField(label=_("A day in the period"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
