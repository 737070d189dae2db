"""What surveys hold about one person: their part of the personal-data export, and
what anonymising them changes. Plain functions, registered with the hooks of the
lower apps where those exist (see SurveysConfig.ready()).

- `Survey.created_by`: the surveys they planned (exported; kept).
- `Participation`: which surveys they answered (exported; kept, it refuses a
  second response and counts in the rate). For an anonymous survey that is all
  that exists about them: their answers were never stored as theirs.
- `SurveyResponse`: their own answers to surveys that are not anonymous
  (exported; deleted on anonymisation, the tallies keep the counts).
"""
from __future__ import annotations

from .models import Participation, Survey, SurveyResponse


def export_for(member) -> dict[str, list[dict]]:
    """The surveys' sections of `member`'s personal-data export."""
    return {
        "surveys_created": [
            {"id": s["id"], "title": s["title"], "team": s["team_id"], "created_at": s["created_at"].isoformat()}
            for s in Survey.objects.filter(created_by_id=member.pk).order_by("id")
            .values("id", "title", "team_id", "created_at")
        ],
        "surveys_answered": [
            {"survey": s["survey_id"], "title": s["survey__title"], "anonymous": s["survey__anonymous"]}
            for s in Participation.objects.filter(member_id=member.pk).order_by("survey_id")
            .values("survey_id", "survey__title", "survey__anonymous")
        ],
        "survey_answers": [
            {"survey": r["survey_id"], "team": r["team_id"], "answers": r["answers"],
             "submitted_at": r["submitted_at"].isoformat()}
            for r in SurveyResponse.objects.filter(member_id=member.pk).order_by("id")
            .values("survey_id", "team_id", "answers", "submitted_at")
        ],
    }


def anonymise(member) -> int:
    """Remove `member`'s own answers to named surveys; returns how many went."""
    deleted, _ = SurveyResponse.objects.filter(member_id=member.pk).delete()
    return deleted
