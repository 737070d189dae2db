"""The console's forms: they shape what a person types; every rule stays in the services.

A service's ValidationError is put back on the form field it names
(`put_errors`), so a page shows the same message the API would send.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as ApiValidationError

from api.images import clean_evidence_image
from tasks.choices import Platform, Priority, TaskKind
from teams.choices import Role

TEXT_MAX_LENGTH = 2000  # as the API's bodies (tasks.serializers)
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def put_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def path_depth(path: str) -> int:
    """"/1/" -> 1, "/1/4/17/" -> 3."""
    return path.count("/") - 1


class TeamChoiceField(forms.ModelChoiceField):
    """A team picked from a list in tree order, each name indented under its parent
    (`top` is the depth of the outermost teams offered: they are not indented)."""

    top = 1

    def label_from_instance(self, team):
        return f"{'— ' * max(path_depth(team.path) - self.top, 0)}{team.name}"


def offer_teams(field: TeamChoiceField, teams, top_paths) -> None:
    field.queryset = teams
    field.top = min((path_depth(p) for p in top_paths), default=1)


class TopicChoiceField(forms.ModelChoiceField):
    """A topic named with its team (two teams may each have a topic of the same name). The page
    passes the queryset: the API's own (tasks.selectors.topics_usable_by for a body's `topic`), so
    an id outside it, a sibling subtree's topic included, is this field's error."""

    def label_from_instance(self, topic):
        return f"{topic.name} ({topic.team.name})"


def topic_field(**kwargs) -> TopicChoiceField:
    kwargs.setdefault("help_text", _("Optional. A topic of this team or of a team above it."))
    return TopicChoiceField(label=_("Topic"), queryset=None, required=False, **kwargs)


class LoginForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=64,
                            widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}))
    password = forms.CharField(label=_("Password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CompleteForm(forms.Form):
    evidence_url = forms.CharField(
        label=_("Link to your post"), required=False, max_length=2000,
        validators=[URLValidator(schemes=["http", "https"], message=_("Enter a link that starts with http:// or https://."))],
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    evidence_image = forms.FileField(
        label=_("…or a photo of it"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_evidence_image(self):
        upload = self.cleaned_data.get("evidence_image")
        if not upload:
            return None
        try:
            # The API's own cleaning: decoded, size-capped, EXIF and GPS stripped.
            return clean_evidence_image(upload)
        except ApiValidationError as exc:
            detail = exc.detail.get("evidence_image", exc.detail) if isinstance(exc.detail, dict) else exc.detail
            raise ValidationError([str(message) for message in detail])
        except APIException as exc:  # too large
            raise ValidationError(str(exc.detail))


class QuantityForm(forms.Form):
    """Offline work (leaflets, meetings) is counted, not linked: how much was done."""

    quantity = forms.IntegerField(label=_("How many"), min_value=0, max_value=1_000_000,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if unit:
            self.fields["quantity"].label = _("How many (%(unit)s)") % {"unit": unit}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    team = TeamChoiceField(label=_("Team"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    unit = forms.CharField(label=_("Unit (offline work: leaflets, meetings…)"), required=False, max_length=50)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=TEXT_MAX_LENGTH * 5,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    reference_url = forms.URLField(label=_("Reference URL"), required=False, max_length=2000, assume_scheme="https")
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    topic = topic_field()
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=DATETIME_INPUT)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    publish_at = forms.DateTimeField(label=_("Publish at (empty: at once)"), required=False, widget=DATETIME_INPUT)

    def __init__(self, *args, teams, top_paths=(), campaigns, topics, **kwargs):
        super().__init__(*args, **kwargs)
        offer_teams(self.fields["team"], teams, top_paths)
        self.fields["campaign"].queryset = campaigns
        self.fields["topic"].queryset = topics


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    team = TeamChoiceField(label=_("Team"), queryset=None)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH * 5,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(label=_("Starts"), required=False, widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=DATETIME_INPUT)
    topic = topic_field()

    def __init__(self, *args, teams, top_paths=(), topics, **kwargs):
        super().__init__(*args, **kwargs)
        offer_teams(self.fields["team"], teams, top_paths)
        self.fields["topic"].queryset = topics


class CampaignStatsForm(forms.Form):
    """The campaign page's filter (GET): only the work of one topic's tasks, as the API's
    `topic=`. `topics` are those the caller reads (the API's rule for a report's `topic`)."""

    topic = topic_field(empty_label=_("All topics"), help_text="")

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = topics


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    phone = forms.CharField(label=_("Phone number"), max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    password = forms.CharField(label=_("First password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    team = TeamChoiceField(label=_("Team"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, teams, top_paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_teams(self.fields["team"], teams, top_paths)


class SurveyAnswerForm(forms.Form):
    """One field per question of a survey (`q<id>`), shaped by its kind; `answers()` gives the
    service's list. The service checks each answer against its question again."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[self.field_name(q)] = self._field(q)

    @staticmethod
    def field_name(question) -> str:
        return f"q{question.pk}"

    @staticmethod
    def _field(q):
        required = q.required
        if q.kind == "single":
            return forms.ChoiceField(label=q.text, required=required, widget=forms.RadioSelect,
                                     choices=[(o, o) for o in q.options])
        if q.kind == "multiple":
            return forms.MultipleChoiceField(label=q.text, required=required, widget=forms.CheckboxSelectMultiple,
                                             choices=[(o, o) for o in q.options])
        if q.kind == "scale":
            return forms.TypedChoiceField(label=q.text, required=required, coerce=int, empty_value=None,
                                          widget=forms.RadioSelect(attrs={"class": "scale"}),
                                          choices=[(v, str(v)) for v in range(1, 6)],
                                          help_text=_("1: not at all, 5: very much"))
        return forms.CharField(label=q.text, required=required, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> tuple[list[dict], list[str]]:
        """(the service's `answers`, the form field of each answer by position)."""
        out, fields = [], []
        key = {"single": "choice", "multiple": "choices", "scale": "value", "text": "text"}
        for q in self.questions:
            name = self.field_name(q)
            value = self.cleaned_data.get(name)
            if value in (None, "", []) and not (q.kind == "multiple" and q.required):
                continue
            out.append({"question": q.pk, key[q.kind]: value if value is not None else []})
            fields.append(name)
        return out, fields

    def put_service_errors(self, exc: ValidationError, fields: list[str]) -> None:
        """A service message naming `answers.N.<field>` goes on the N-th answer's question."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for where, errors in exc.message_dict.items():
            parts = where.split(".")
            if len(parts) >= 2 and parts[0] == "answers" and parts[1].isdigit() and int(parts[1]) < len(fields):
                self.add_error(fields[int(parts[1])], errors)
            else:
                self.add_error(None, errors)


class SetPasswordForm(forms.Form):
    new_password = forms.CharField(label=_("New password"), max_length=128, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    again = forms.CharField(label=_("The new password again"), max_length=128, strip=False,
                            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("again") and data["new_password"] != data["again"]:
            self.add_error("again", _("The two passwords are not the same."))
        return data


class OwnPasswordForm(SetPasswordForm):
    old_password = forms.CharField(label=_("Current password"), max_length=128, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["old_password", "new_password", "again"]
