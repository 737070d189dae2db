"""Forms of the console's joining pages: they shape what is typed; teams.joining decides."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.choices import Role

from .forms import DATETIME_INPUT, TeamChoiceField, offer_teams

REASON_MAX_LENGTH = 500  # JoinRequest.reason


class InviteForm(forms.Form):
    team = TeamChoiceField(label=_("Team"), queryset=None)
    max_uses = forms.IntegerField(label=_("How many people may register with it (empty: no limit)"),
                                  required=False, min_value=1, max_value=100_000)
    expires_at = forms.DateTimeField(label=_("Valid until (empty: no end)"), required=False, widget=DATETIME_INPUT)

    def __init__(self, *args, teams, top_paths=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_teams(self.fields["team"], teams, top_paths)


class ApproveForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Phone number"), max_length=32,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    password = forms.CharField(label=_("Choose a password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
