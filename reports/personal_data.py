"""What reports/ holds about a person (declared to api.hooks.personal_data)."""
from rest_framework import serializers

from api.fields import HistoryTypeField
from api.hooks import ExportSection, personal_data

from teams.choices import Role
from teams.models import Membership


class PersonalDataMembershipHistorySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    membership = serializers.IntegerField(source="id")
    changed_at = serializers.DateTimeField(source="history_date")
    type = HistoryTypeField(source="history_type", help_text="`created`, `changed` or `deleted`.")
    team = serializers.IntegerField(source="team_id", allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changed_by = serializers.IntegerField(source="history_user_id", allow_null=True,
                                          help_text="The id of whoever made the change.")


def declare() -> None:
    personal_data.declare(
        "reports",
        references={
            ("reports.HistoricalMembership", "member"): "exported (membership_history); kept: history holds ids, "
                                                        "never a copy of a name or phone",
            ("reports.HistoricalTeam", "history_user"): "kept: who changed what is the record (by id)",
            ("reports.HistoricalMembership", "history_user"): "kept: who changed what is the record (by id)",
            ("reports.HistoricalTask", "history_user"): "kept: who changed what is the record (by id)",
            ("reports.HistoricalTask", "created_by"): "kept (by id)",
            ("reports.HistoricalCampaign", "history_user"): "kept: who changed what is the record (by id)",
            ("reports.HistoricalCampaign", "created_by"): "kept (by id)",
            ("reports.ReportSubscription", "member"): "kept: a subscription names only the team, period and "
                                                      "format; it ends with the person's access",
        },
        sections=(
            ExportSection("membership_history", 20, lambda m: Membership.history.model.objects.filter(member_id=m.pk)
                          .order_by("history_date", "history_id").values(
                              "history_id", "id", "history_date", "history_type", "team_id", "role",
                              "history_change_reason", "history_user_id"),
                          PersonalDataMembershipHistorySerializer, "Every change to the caller's roles, oldest first."),
        ),
    )
