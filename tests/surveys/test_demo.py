"""seed_demo adds an open and a closed survey whose results show (>= 5 answers per shown group)."""
import pytest
from django.core.management import call_command

from surveys.models import Survey
from surveys.results import survey_results
from surveys.selectors import audience_members

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_and_a_closed_survey_with_results_to_show():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # again: nothing changes
    surveys = {s.status: s for s in Survey.objects.all()}
    assert sorted(surveys) == ["closed", "open"] and Survey.objects.count() == 2
    for survey in surveys.values():
        body = survey_results(survey, audience_size=audience_members(survey).count())
        assert body["responses"] >= 5 and body["suppressed"] is False
        assert all(not q["suppressed"] for q in body["questions"])
