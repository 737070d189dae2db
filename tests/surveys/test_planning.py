"""Planning surveys: who creates, edits, opens and closes them; the draft -> open -> closed steps."""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from surveys.models import Survey

pytestmark = pytest.mark.django_db

BODY = {
    "title": "Khảo sát về chuyển đổi số",
    "description": "Ý kiến của đoàn viên",
    "anonymous": True,
    "questions": [
        {"kind": "single", "text": "Bạn đã dùng VNeID chưa?", "options": ["Rồi", "Chưa"]},
        {"kind": "scale", "text": "Mức hài lòng"},
        {"kind": "text", "text": "Góp ý", "required": False},
    ],
}


def _create(client, team, **extra):
    return client.post("/api/v1/surveys/", {**BODY, "team": team.pk, **extra}, format="json")


def test_a_coordinator_plans_a_survey_for_its_subtree(world, client_for):
    response = _create(client_for(world.coord_c1), world.c1, audience={"teams": [world.v1a.pk, world.v1b.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["title"] == "Khảo sát về chuyển đổi số"
    assert body["audience"] == {"teams": sorted([world.v1a.pk, world.v1b.pk])}
    assert [q["kind"] for q in body["questions"]] == ["single", "scale", "text"]
    assert body["questions"][0]["options"] == ["Rồi", "Chưa"]
    assert body["questions"][2]["required"] is False
    assert body["answered"] is False


def test_the_audience_defaults_to_the_surveys_own_team(world, client_for):
    body = _create(client_for(world.coord_c1), world.c1).json()
    assert body["audience"] == {"teams": [world.c1.pk]}


@pytest.mark.parametrize("caller", ["member_v1a", "observer_district"])
def test_members_and_observers_cannot_plan_surveys_whatever_the_body(world, client_for, caller):
    response = client_for(getattr(world, caller)).post("/api/v1/surveys/", {"nonsense": 1}, format="json")
    assert response.status_code == 403


def test_a_team_outside_the_coordinators_reach_is_a_400_on_team(world, client_for):
    response = _create(client_for(world.coord_c1), world.c2)
    assert response.status_code == 400
    assert "team" in response.json()["errors"]


def test_an_audience_team_outside_the_surveys_team_is_a_400(world, client_for):
    response = _create(client_for(world.coord_c1), world.v1a, audience={"teams": [world.v1b.pk]})
    assert response.status_code == 400
    assert "audience.teams" in response.json()["errors"]
    hidden = _create(client_for(world.coord_c1), world.c1, audience={"teams": [world.v2a.pk]})
    assert hidden.status_code == 400  # out of scope: like an id that does not exist
    assert Survey.objects.count() == 0


@pytest.mark.parametrize("question,field", [
    ({"kind": "single", "text": "Một lựa chọn", "options": ["Chỉ một"]}, "questions.0.options"),
    ({"kind": "single", "text": "Trùng", "options": ["A", "A"]}, "questions.0.options"),
    ({"kind": "scale", "text": "Thang", "options": ["x", "y"]}, "questions.0.options"),
    ({"kind": "person", "text": "Ai trong thôn ...?"}, "questions.0.kind"),
])
def test_a_question_that_does_not_fit_its_kind_is_a_400_naming_it(world, client_for, question, field):
    response = _create(client_for(world.coord_c1), world.c1, questions=[question])
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_there_is_no_question_kind_about_another_person(client_for, world):
    """The served schema offers exactly the four kinds about the respondent's own views."""
    schema = client_for(world.superuser).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("SurveyQuestion", "SurveyQuestionInputRequest"):
        ref = components[name]["properties"]["kind"]
        ref = ref.get("$ref") or ref["allOf"][0]["$ref"]
        assert components[ref.rsplit("/", 1)[1]]["enum"] == ["single", "multiple", "scale", "text"]


def test_closing_before_opening_or_in_the_past_is_a_400(world, client_for):
    now = timezone.now()
    past = _create(client_for(world.coord_c1), world.c1, closes_at=(now - timedelta(hours=1)).isoformat())
    assert past.status_code == 400 and "closes_at" in past.json()["errors"]
    backwards = _create(client_for(world.coord_c1), world.c1, opens_at=(now + timedelta(days=3)).isoformat(),
                        closes_at=(now + timedelta(days=2)).isoformat())
    assert backwards.status_code == 400 and "closes_at" in backwards.json()["errors"]


def test_a_draft_is_edited_then_opened_and_its_audience_notified(world, client_for, survey_factory):
    survey = survey_factory(team=world.c1, open=False, audience=[world.v1a])
    coordinator = client_for(world.coord_c1)
    patched = coordinator.patch(f"/api/v1/surveys/{survey.pk}/", {
        "title": "Tiêu đề mới", "audience": {"teams": [world.c1.pk]},
        "questions": [{"kind": "single", "text": "Có hay không?", "options": ["Có", "Không"]}],
    }, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "Tiêu đề mới"
    assert len(patched.json()["questions"]) == 1
    assert Notification.objects.count() == 0  # a draft tells nobody

    opened = coordinator.post(f"/api/v1/surveys/{survey.pk}/open/")
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    notified = set(Notification.objects.filter(kind="survey_opened").values_list("recipient_id", flat=True))
    # Every active person holding a role in c1's subtree, whatever the role; not the inactive one.
    assert notified == {world.coord_c1.pk, world.coord_v1a.pk, world.member_v1a.pk, world.member_v1a_2.pk,
                        world.member_v1b.pk}
    feed = client_for(world.member_v1a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert feed["results"][0]["title"] == "New survey"
    assert "Tiêu đề mới" in feed["results"][0]["body"]
    assert feed["results"][0]["params"]["survey_id"] == survey.pk
    vi = client_for(world.member_v1a).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert vi["results"][0]["title"] == "Khảo sát mới"

    assert coordinator.patch(f"/api/v1/surveys/{survey.pk}/", {"title": "x"}, format="json").status_code == 409
    assert coordinator.post(f"/api/v1/surveys/{survey.pk}/open/").status_code == 409
    closed = coordinator.post(f"/api/v1/surveys/{survey.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert coordinator.post(f"/api/v1/surveys/{survey.pk}/close/").status_code == 409


def test_a_survey_without_questions_does_not_open(world, client_for, survey_factory):
    survey = survey_factory(open=False, questions=[])
    response = client_for(world.coord_c1).post(f"/api/v1/surveys/{survey.pk}/open/")
    assert response.status_code == 400
    assert "questions" in response.json()["errors"]


def test_a_coordinator_below_the_surveys_team_sees_nothing_to_manage(world, client_for, survey_factory):
    survey = survey_factory(team=world.c1)
    # coord_v1a is in the audience (reads it) but does not coordinate c1.
    client = client_for(world.coord_v1a)
    assert client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 200
    assert client.post(f"/api/v1/surveys/{survey.pk}/close/").status_code == 403


def test_odd_patches_and_options_are_answered_without_an_error(world, client_for, survey_factory):
    """Found by fuzzing: an empty `audience` object in a PATCH, OPTIONS on results as CSV."""
    survey = survey_factory(open=False)
    client = client_for(world.coord_c1)
    response = client.patch(f"/api/v1/surveys/{survey.pk}/", {"title": "Mới", "audience": {}}, format="json")
    assert response.status_code == 200 and response.json()["audience"] == {"teams": [world.c1.pk]}
    past = client.patch(f"/api/v1/surveys/{survey.pk}/", {"opens_at": "2000-01-01T00:00:00Z",
                                                          "closes_at": "2000-01-01T00:00:00Z"}, format="json")
    assert past.status_code == 400 and "closes_at" in past.json()["errors"]
    options = client.options(f"/api/v1/surveys/{survey.pk}/results/?format=csv&team={world.c1.pk}")
    assert options.status_code == 200 and options["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00"])
def test_times_at_the_edges_of_the_calendar_are_a_400_naming_the_field(world, client_for, moment):
    # schemathesis found these as 500s (the local-time conversion overflowed).
    response = _create(client_for(world.coord_c1), world.c1, opens_at=moment, closes_at=moment)
    assert response.status_code == 400, response.content
    assert {"opens_at", "closes_at"} <= set(response.json()["errors"])
    assert not Survey.objects.exists()
