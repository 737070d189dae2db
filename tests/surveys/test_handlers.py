"""The handlers other apps call: a team merge moves a team's surveys and counts; a person's
export lists what surveys hold about them; anonymising them removes their own answers."""
import pytest

from api.exceptions import Conflict
from surveys import personal_data, services
from surveys.models import Survey, SurveyAudience, SurveyResponse
from surveys.results import survey_results
from tests.surveys.conftest import answers_for

pytestmark = pytest.mark.django_db


def test_a_merged_team_hands_its_surveys_audience_and_counts_to_the_team_it_joins(
        world, survey_factory, answer, people_in, client_for):
    own = survey_factory(team=world.v1b, title="Khảo sát Thôn 2")
    asked = survey_factory(team=world.c1, audience=[world.v1a, world.v1b])
    for person in people_in(world.v1b, 3):
        answer(asked, person, single="Chưa", text="từ Thôn 2")
    for person in people_in(world.v1a, 3):
        answer(asked, person, single="Có")

    moved = services.surveys_move_team(source=world.v1b, target=world.v1a)
    assert moved["surveys"] == 1 and moved["team_tallies"] == 1
    assert Survey.objects.get(pk=own.pk).team == world.v1a
    assert list(SurveyAudience.objects.filter(survey=asked).values_list("team_id", flat=True)) == [world.v1a.pk]
    merged = survey_results(asked, team=world.v1a, audience_size=1, text_limit=None)
    assert merged["responses"] == 6 and merged["suppressed"] is False
    assert merged["questions"][0]["counts"] == {"Có": 3, "Chưa": 3, "Không biết": 0}
    assert merged["questions"][3]["answers"] == ["từ Thôn 2"] * 3


def test_the_export_and_anonymisation_of_a_person(world, survey_factory, answer):
    named = survey_factory(team=world.c1, anonymous=False, title="Khảo sát có tên")
    hidden = survey_factory(team=world.c1, anonymous=True, title="Khảo sát ẩn danh")
    answer(named, world.member_v1a, single="Chưa", text="ý của tôi")
    answer(hidden, world.member_v1a, single="Có", text="không ai biết")

    export = personal_data.export_for(world.member_v1a)
    assert {s["title"] for s in export["surveys_answered"]} == {"Khảo sát có tên", "Khảo sát ẩn danh"}
    assert [a["survey"] for a in export["survey_answers"]] == [named.pk]  # the anonymous answers were never theirs
    assert "không ai biết" not in repr(export)
    assert "ý của tôi" in repr(export)
    assert [s["title"] for s in personal_data.export_for(world.superuser)["surveys_created"]] == [
        "Khảo sát có tên", "Khảo sát ẩn danh"]

    assert personal_data.anonymise(world.member_v1a) == 1
    assert not SurveyResponse.objects.filter(member=world.member_v1a).exists()
    # The counts stay; a second answer is still refused.
    assert survey_results(named, audience_size=5)["responses"] == 1
    with pytest.raises(Conflict):
        services.survey_respond(survey=named, actor=world.member_v1a, answers=answers_for(named))


def test_the_handlers_are_registered_with_the_lower_apps_hooks(world, survey_factory, answer, client_for):
    from api import hooks
    from api.access import restrict
    from surveys.models import Survey

    assert services.surveys_teams_merged in hooks.teams_merged.handlers
    assert {"surveys_created", "surveys_answered", "survey_answers"} <= set(hooks.personal_data.sections)
    assert ("surveys.Participation", "member") in hooks.personal_data.references
    survey = survey_factory(team=world.c1, anonymous=False)
    answer(survey, world.member_v1a, text="của tôi")
    assert set(restrict(Survey.objects.all(), world.member_v1a, "read")) == {survey}
    export = client_for(world.member_v1a).get("/api/v1/me/export/")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert "của tôi".encode() in body and b"surveys_answered" in body
