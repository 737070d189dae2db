"""What surveys/ holds about a person (declared to api.hooks.personal_data).

- `Survey.created_by`: the surveys they planned (exported; kept).
- `Participation`: which surveys they answered (exported; kept: it refuses a
  second response and counts in the rate). For an anonymous survey that is all
  that exists about them: their answers were never stored as theirs.
- `SurveyResponse`: their own answers to surveys that are not anonymous
  (exported; deleted on anonymisation, the tallies keep the counts).
"""
from __future__ import annotations

from rest_framework import serializers

from api.hooks import ExportSection, personal_data

from .models import Participation, Survey, SurveyResponse


class PersonalDataSurveySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    created_at = serializers.DateTimeField()


class PersonalDataSurveyAnsweredSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey_id")
    title = serializers.CharField(source="survey__title")
    anonymous = serializers.BooleanField(source="survey__anonymous")


class PersonalDataSurveyAnswersSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey_id")
    team = serializers.IntegerField(source="team_id")
    answers = serializers.ListField(child=serializers.DictField())
    submitted_at = serializers.DateTimeField()


def _created(member):
    return Survey.objects.filter(created_by_id=member.pk).order_by("id").values("id", "title", "team_id",
                                                                               "created_at")


def _answered(member):
    return Participation.objects.filter(member_id=member.pk).order_by("survey_id").values(
        "survey_id", "survey__title", "survey__anonymous")


def _answers(member):
    return SurveyResponse.objects.filter(member_id=member.pk).order_by("id").values(
        "survey_id", "team_id", "answers", "submitted_at")


SECTIONS = (
    ExportSection("surveys_created", 100, _created, PersonalDataSurveySerializer),
    ExportSection("surveys_answered", 101, _answered, PersonalDataSurveyAnsweredSerializer,
                  help_text="Surveys the person answered (for anonymous ones, nothing more is stored)."),
    ExportSection("survey_answers", 102, _answers, PersonalDataSurveyAnswersSerializer,
                  help_text="Their own answers to surveys that are not anonymous."),
)


def export_for(member) -> dict[str, list[dict]]:
    """The surveys' sections of `member`'s personal-data export, as the export writes them."""
    return {s.name: [s.serializer().to_representation(row) for row in s.rows(member)] for s in SECTIONS}


def anonymise(member) -> int:
    """Remove `member`'s own answers to named surveys; returns how many went."""
    deleted, _ = SurveyResponse.objects.filter(member_id=member.pk).delete()
    return deleted


def scrub(*, member, old_phone: str, old_name: str) -> None:
    anonymise(member)


def declare() -> None:
    personal_data.declare(
        "surveys",
        references={
            ("surveys.Survey", "created_by"): "exported (surveys_created); kept",
            ("surveys.Participation", "member"): "exported (surveys_answered); kept: it refuses a second "
                                                 "response and counts in the response rate",
            ("surveys.SurveyResponse", "member"): "exported (survey_answers, named surveys only); deleted on "
                                                  "anonymisation (the tallies keep the counts)",
        },
        sections=SECTIONS,
        scrub=scrub,
    )
