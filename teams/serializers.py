from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import ScopedPrimaryKeyRelatedField

from .choices import Level, Role, TeamKind
from .models import Member, Membership, Team
from api.phones import is_anonymised_phone, normalize_phone
from .selectors import members_readable_by, teams_managed_by


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "level", "kind"]


class TeamSerializer(serializers.ModelSerializer):
    ancestors = serializers.SerializerMethodField(
        help_text="Teams above this one, top-down."
    )
    member_count = serializers.IntegerField(
        read_only=True, help_text="People holding a role directly in this team."
    )

    class Meta:
        model = Team
        fields = ["id", "name", "level", "kind", "parent", "is_active", "merged_into", "ancestors",
                  "member_count", "created_at", "updated_at"]
        extra_kwargs = {
            "is_active": {"help_text": "false: archived, or merged (then `merged_into` names the team it went into)."},
            "merged_into": {"help_text": "The team this one was merged into; null unless merged."},
        }

    @extend_schema_field(TeamRefSerializer(many=True))
    def get_ancestors(self, team):
        known = self.context.get("ancestor_map", {})
        return [
            {"id": a.pk, "name": a.name, "level": a.level, "kind": a.kind}
            for a in (known.get(pk) for pk in team.ancestor_ids)
            if a is not None
        ]


class TeamWriteSerializer(serializers.ModelSerializer):
    """Create or change a team. `parent` must be a team the caller coordinates."""

    parent = ScopedPrimaryKeyRelatedField(
        teams_managed_by, Team, allow_null=True, required=False,
        help_text="For an `area` team an `area` team of a higher level (levels may be skipped); for "
                  "other kinds a team of the same level or higher. Null only for an area province.",
    )
    level = serializers.ChoiceField(choices=Level.choices)
    kind = serializers.ChoiceField(
        choices=TeamKind.choices, default=TeamKind.AREA,
        help_text="`area` (the administrative tree), `joint` (a cross-cutting team inside an area), "
                  "`organisation` (a mass organisation's team), `agency`.",
    )
    name = serializers.CharField(max_length=200, trim_whitespace=True)

    class Meta:
        model = Team
        fields = ["name", "level", "kind", "parent"]


class CurrentOrManagedParentField(ScopedPrimaryKeyRelatedField):
    """A new parent must be a team the caller coordinates; the team's current
    parent is always accepted, so a client may send the object back unchanged."""

    def get_queryset(self):
        queryset = super().get_queryset()
        team = getattr(self.parent, "instance", None)
        if team is not None and team.parent_id is not None:
            queryset = queryset | Team.objects.filter(pk=team.parent_id)
        return queryset


class TeamUpdateSerializer(TeamWriteSerializer):
    parent = CurrentOrManagedParentField(
        teams_managed_by, Team, allow_null=True, required=False,
        help_text="Moves the team with its whole subtree; the parent rule is the same as on create.",
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    kind = serializers.ChoiceField(choices=TeamKind.choices, required=False,
                                   help_text="A team with child teams keeps its kind.")
    is_active = serializers.BooleanField(
        required=False, help_text="false archives the team (409 while it has open tasks, active members or "
                                  "active child teams); true brings back an archived, never a merged, team.")
    name = serializers.CharField(max_length=200, trim_whitespace=True, required=False)

    class Meta(TeamWriteSerializer.Meta):
        fields = [*TeamWriteSerializer.Meta.fields, "is_active"]


class TeamMergeSerializer(serializers.Serializer):
    into = ScopedPrimaryKeyRelatedField(
        teams_managed_by, Team, help_text="The team that takes everything over: same level and kind.")


class MembershipBriefSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "team", "role"]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "member", "team", "role", "created_at", "updated_at"]


class MembershipCreateSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(members_readable_by, Member)
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["member", "team", "role"]
        # One membership per (member, team) is services.membership_create's rule: it answers a
        # duplicate with a message on `team`, the same whether it comes in sequence or in a race.
        validators = []


class MembershipUpdateSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]


class PhoneField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalize_phone(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)


class MemberSerializer(serializers.ModelSerializer):
    """A person as the caller may see them.

    The phone number is read only by the person themselves and by coordinators
    and observers whose subtree holds one of the person's teams; a teammate (a
    plain member of the same team) sees the name and gets `phone: null`. The
    selector decides (`phone_visible`, one column of the same query); a row that
    did not come through it shows no phone.
    """

    phone = serializers.SerializerMethodField(
        help_text="E.164; null when the caller sees this person only as a teammate, "
                  "or when the person was anonymised."
    )
    memberships = serializers.SerializerMethodField(
        help_text="The member's roles in teams the caller can see."
    )
    anonymised = serializers.SerializerMethodField(
        help_text="The person left and their name and phone were replaced (their work is kept)."
    )

    class Meta:
        model = Member
        fields = ["id", "phone", "full_name", "is_active", "anonymised", "memberships", "date_joined",
                  "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, member):
        if getattr(member, "phone_visible", False) and not is_anonymised_phone(member.phone):
            return member.phone
        return None

    @extend_schema_field(serializers.BooleanField())
    def get_anonymised(self, member):
        return is_anonymised_phone(member.phone)

    @extend_schema_field(MembershipBriefSerializer(many=True))
    def get_memberships(self, member):
        rows = getattr(member, "visible_memberships", None)
        if rows is None:
            rows = member.memberships.select_related("team")
        return MembershipBriefSerializer(rows, many=True).data


class MemberCreateSerializer(serializers.Serializer):
    phone = PhoneField(max_length=32, help_text="Vietnamese or international; stored in E.164.")
    full_name = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(serializers.Serializer):
    phone = PhoneField(max_length=32, required=False)
    full_name = serializers.CharField(max_length=150, required=False)
    is_active = serializers.BooleanField(
        required=False, help_text="false deactivates the member: how people leave."
    )


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Member
        fields = ["id", "phone", "full_name", "is_active", "show_on_boards", "memberships", "date_joined",
                  "updated_at"]
        read_only_fields = ["id", "phone", "is_active", "show_on_boards", "date_joined", "updated_at"]


class MeUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    show_on_boards = serializers.BooleanField(
        required=False, help_text="false: still counted in every total, never named on a member board.")


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()



# The personal data export (GET /me/export/) ----------------------------------------
# Rows come from `.values()` (each app's personal_data module): plain serializers over the columns
# read, so the document holds exactly what is listed here and the schema says so.

class PersonalDataProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    full_name = serializers.CharField()
    is_active = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    is_superuser = serializers.BooleanField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class PersonalDataMembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team__name")
    team_level = serializers.ChoiceField(choices=Level.choices, source="team__level")
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PersonalDataSessionSerializer(serializers.Serializer):
    jti = serializers.CharField(help_text="The id of a refresh token issued at a login.")
    created_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(source="blacklistedtoken__blacklisted_at", allow_null=True,
                                           help_text="When it was logged out or rotated away; null if still valid.")
