from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import DateTimeField, ScopedPrimaryKeyRelatedField
from tasks.serializers import topic_field
from teams.models import Team
from teams.selectors import teams_managed_by, teams_visible_to

from .choices import QuestionKind
from .models import Question, Survey

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


class SurveyQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "kind", "text", "options", "required"]
        read_only_fields = fields


class SurveyAudienceSerializer(serializers.Serializer):
    teams = serializers.ListField(child=serializers.IntegerField(), read_only=True,
                                  help_text="Teams whose whole subtrees are asked.")


class SurveySerializer(serializers.ModelSerializer):
    audience = serializers.SerializerMethodField()
    questions = SurveyQuestionSerializer(many=True, read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    answered = serializers.SerializerMethodField(help_text="Whether the caller has answered it.")

    class Meta:
        model = Survey
        fields = ["id", "team", "team_name", "title", "description", "anonymous", "audience", "opens_at",
                  "closes_at", "topic", "status", "questions", "answered", "created_by", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(SurveyAudienceSerializer)
    def get_audience(self, survey) -> dict:
        return {"teams": [a.team_id for a in survey.audience.all()]}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_answered(self, survey) -> bool:
        return bool(getattr(survey, "answered", False))


class SurveyQuestionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=500)
    options = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=20,
                                    help_text="The choices of a `single` or `multiple` question (2-20).")
    required = serializers.BooleanField(required=False, default=True)


class SurveyAudienceInputSerializer(serializers.Serializer):
    teams = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(teams_visible_to, Team), max_length=200,
        help_text="Teams inside the survey's team; their whole subtrees are asked.",
    )


class SurveyCreateSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="The owning team: one the caller coordinates (or below).")
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False, default=True)
    audience = SurveyAudienceInputSerializer(required=False, help_text="Default: the survey's own team.")
    opens_at = DateTimeField(required=False, allow_null=True)
    closes_at = DateTimeField(required=False, allow_null=True)
    topic = topic_field()
    questions = SurveyQuestionInputSerializer(many=True, required=False, max_length=50)

    def to_service(self) -> dict:
        data = dict(self.validated_data)
        if "audience" in data:
            if "teams" in data["audience"]:
                data["audience"] = data["audience"]["teams"]
            else:  # a PATCH with `audience: {}` changes nothing
                del data["audience"]
        return data


class SurveyUpdateSerializer(SurveyCreateSerializer):
    team = None
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    anonymous = serializers.BooleanField(required=False)


class SurveyAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    choice = serializers.CharField(max_length=200, required=False, allow_null=True,
                                   help_text="`single`: one of the options.")
    choices = serializers.ListField(child=serializers.CharField(max_length=200), required=False, allow_null=True,
                                    max_length=20, help_text="`multiple`: some of the options.")
    value = serializers.IntegerField(required=False, allow_null=True, min_value=-2**31, max_value=2**31,
                                     help_text="`scale`: a whole number from 1 to 5.")
    text = serializers.CharField(max_length=2000, required=False, allow_null=True, allow_blank=True,
                                 trim_whitespace=False, help_text="`text`: the respondent's own words.")


class SurveyResponseCreateSerializer(serializers.Serializer):
    answers = SurveyAnswerSerializer(many=True, max_length=50)


class SurveyResponseReceiptSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    team = serializers.IntegerField(help_text="The team the response counts under.")


class SurveyQuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    suppressed = serializers.BooleanField(help_text="True when the group is too small to show; nothing else then.")
    counts = serializers.DictField(child=serializers.IntegerField(), required=False,
                                   help_text="Option (a scale's value) -> responses that chose it.")
    mean = serializers.FloatField(required=False, allow_null=True, help_text="`scale`: the mean value.")
    answers = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="`text`: the answers, without names, in random order.")
    answers_total = serializers.IntegerField(required=False)


class SurveyResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    team = serializers.IntegerField(allow_null=True, help_text="The group's team; null: the whole audience.")
    responses = serializers.IntegerField()
    audience_size = serializers.IntegerField(help_text="Active people in the audience (and the group) now.")
    response_rate = serializers.FloatField()
    suppressed = serializers.BooleanField()
    min_group_size = serializers.IntegerField()
    questions = SurveyQuestionResultSerializer(many=True)


class SurveyResultsQuerySerializer(serializers.Serializer):
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                    help_text=_("A team in the caller's scope: results of its subtree."))
