"""The surveys section of a period report (api.hooks.report_sections, read by reports).

Every survey of a team in the subtree that was open during the period (opened on or
before its last day and not closed before its first): responses, audience and rate.
Two queries per survey, so a report over a province's year stays a few hundred small
queries at most; results themselves (with their suppression) stay on results/.
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from teams.models import Team

from .models import Participation, Survey
from .selectors import audience_size


def surveys_section(*, team: Team, start: date, end: date) -> dict:
    zone = ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(start, time.min, tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    surveys = (
        Survey.objects.filter(team__path__startswith=team.path, opened_at__isnull=False, opened_at__lt=after)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=first))
        .order_by("opened_at", "id").only("id", "title", "team_id", "opened_at", "closed_at")
    )
    rows = []
    for survey in surveys:
        responses = Participation.objects.filter(survey=survey).count()
        audience = audience_size(survey)
        rows.append({
            "survey": {"id": survey.pk, "title": survey.title},
            "responses": responses,
            "audience_size": audience,
            "response_rate": round(responses / audience, 4) if audience else 0.0,
        })
    return {"surveys": rows}
