import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.exceptions import ValidationError

from api.exceptions import Conflict

from . import services
from .choices import TeamKind
from .models import Member, Membership, Team
from api.phones import normalize_phone
from .text import fold


class PhoneCleaningMixin:
    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages)


class MemberCreationForm(PhoneCleaningMixin, BaseUserCreationForm):
    class Meta:
        model = Member
        fields = ("phone", "full_name")


class MemberChangeForm(PhoneCleaningMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]

    def has_delete_permission(self, request, obj=None):
        # `obj` is the member: a person's only role is not removed (deactivate them instead).
        if obj is not None and obj.memberships.count() <= 1:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Member)
class MemberAdmin(UserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["phone", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["phone", "full_name", "search_name"]
    ordering = ["id"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        ("Profile", {"fields": ["full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups", "user_permissions"]

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        found = found | _folded_search(queryset, search_term)
        digits = re.sub(r"[\s.()-]", "", search_term)
        if re.fullmatch(r"\+?\d{3,}", digits):
            # Phones are stored in E.164: "0912..." is looked up as "+84912...".
            if digits.startswith("0"):
                digits = "+84" + digits[1:]
            found = found | queryset.filter(phone__contains=digits)
        return found, duplicates


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "level", "kind", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # left out: an area team, as in the API

    def clean_kind(self):
        return self.cleaned_data.get("kind") or TeamKind.AREA

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # The service's placement rules, asked before saving so a wrong level is a form error.
            services.team_check_placement(
                team=self.instance if self.instance.pk else None,
                level=cleaned.get("level"), parent=cleaned.get("parent"), kind=cleaned.get("kind"),
            )
        return cleaned


def _folded_search(queryset, search_term):
    """Accent-insensitive matches on the folded column, as the API's `search` does."""
    folded = fold(search_term)
    return queryset.filter(search_name__contains=folded) if folded else queryset.none()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ["name", "level", "kind", "parent", "path"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "search_name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    list_select_related = ["parent"]

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | _folded_search(queryset, search_term), duplicates

    def save_model(self, request, obj, form, change):
        # Paths and level rules live in the services; the admin goes through them too.
        if not change:
            created = services.team_create(
                name=obj.name, level=obj.level, parent=obj.parent, kind=obj.kind, actor=request.user
            )
            obj.pk, obj.path = created.pk, created.path
        else:
            services.team_update(
                team=Team.objects.get(pk=obj.pk), actor=request.user,
                name=obj.name, level=obj.level, parent=obj.parent, kind=obj.kind,
            )

    def delete_model(self, request, obj):
        services.team_delete(team=obj, actor=request.user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "team", "role", "created_at"]
    list_filter = ["role", "team__level", "team__kind"]
    search_fields = ["member__phone", "member__full_name", "team__name"]
    autocomplete_fields = ["member", "team"]
    list_select_related = ["member", "team"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not Membership.objects.filter(member_id=obj.member_id).exclude(pk=obj.pk).exists():
            return False  # the person's only role (services.membership_delete refuses it too)
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.membership_delete(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("team", "member"):
            try:
                services.membership_delete(membership=membership, actor=request.user)
            except Conflict as exc:
                self.message_user(request, f"{membership.member}: {exc.message}", level=messages.ERROR)
