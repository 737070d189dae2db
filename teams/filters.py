import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from api.filters import IdFilter

from .choices import Level, Role, TeamKind
from .models import Member, Membership, Team
from .selectors import teams_visible_to
from .text import fold

SEARCH_MAX_LENGTH = 100


def _visible_teams(request):
    return teams_visible_to(getattr(request, "user", None))


@extend_schema_field({"type": "string", "enum": ["true", "false", "any"]})
class ActiveOrAnyFilter(django_filters.ChoiceFilter):
    """`true` (the default), `false` or `any`: a word, not a boolean, in the schema too
    (the model field it filters is a boolean, which the schema would otherwise copy)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("any", "any")])
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """Accent- and case-insensitive substring search on a folded column."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("label", _("Accent-insensitive search"))
        kwargs.setdefault("field_name", "search_name")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        folded = fold(value or "")
        if not folded:
            return qs
        return qs.filter(**{f"{self.field_name}__contains": folded})


@extend_schema_field(OpenApiTypes.INT)
class WithinFilter(django_filters.ModelChoiceFilter):
    """`within=<team id>`: that team and everything below it (one prefix query)."""

    def __init__(self, *args, path_field="path", **kwargs):
        self.path_field = path_field
        kwargs.setdefault("queryset", _visible_teams)
        kwargs.setdefault("label", _("Team id: that team and all teams below it"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_field}__startswith": value.path})


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or 1/0); anything else is a 400 rather than silently no filter."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("Enter true or false.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, str):
            value = value.strip().lower()
        if value in (True, "true", "1"):
            return True
        if value in (False, "false", "0"):
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class TeamFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    kind = django_filters.ChoiceFilter(choices=TeamKind.choices)
    parent = IdFilter(field_name="parent_id")
    within = WithinFilter()
    search = SearchFilter()
    is_active = ActiveOrAnyFilter(
        method="filter_is_active",
        label=_("Active teams (the default), `false` only inactive ones, `any` both"),
    )

    class Meta:
        model = Team
        fields = ["level", "kind", "parent", "within", "search", "is_active"]

    def filter_is_active(self, qs, name, value):
        if value == "any":
            return qs
        return qs.filter(is_active=value == "true")


class MembershipFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    team = IdFilter(field_name="team_id")
    within = WithinFilter(path_field="team__path")
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["member", "team", "within", "role"]


class MemberFilter(django_filters.FilterSet):
    """`team`, `within` and `role` are read together: they describe one membership."""

    team = IdFilter(method="filter_membership", label=_("Has a role in this team"))
    within = WithinFilter(method="filter_membership", label=_("Has a role in this team or below"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_membership")
    is_active = StrictBooleanFilter()
    search = SearchFilter()

    class Meta:
        model = Member
        fields = ["team", "within", "role", "is_active", "search"]

    def filter_membership(self, qs, name, value):
        return qs  # applied once, for all three, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        conditions = {}
        if data.get("team") is not None:
            conditions["team_id"] = data["team"]
        if data.get("within"):
            conditions["team__path__startswith"] = data["within"].path
        if data.get("role"):
            conditions["role"] = data["role"]
        if conditions:
            queryset = queryset.filter(
                Exists(Membership.objects.filter(member_id=OuterRef("pk"), **conditions))
            )
        return queryset
