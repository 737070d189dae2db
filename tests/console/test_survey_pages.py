"""Surveys in the console: members answer those that ask them (once), coordinators and
observers read results with the API's small-group suppression, and download them as the
API's CSV/XLSX. Plus the page a too-large photo gets."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys import services as survey_services
from surveys.models import Participation, Question
from tests.factories import MemberFactory, MembershipFactory

from .conftest import text

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?", "options": ["Có", "Chưa"]},
    {"kind": "multiple", "text": "Ứng dụng nào bạn dùng hằng tuần?", "options": ["Zalo", "Facebook", "VNeID"]},
    {"kind": "scale", "text": "Mức tự tin khi nhận biết tin giả"},
    {"kind": "text", "text": "Góp ý của bạn", "required": False},
]


@pytest.fixture
def survey(world):
    planned = survey_services.survey_create(actor=world.coord_c1, team=world.c1, title="Khảo sát chuyển đổi số",
                                            description="Năm câu hỏi ngắn.", questions=QUESTIONS)
    return survey_services.survey_open(survey=planned, actor=world.coord_c1)


@pytest.fixture
def sibling_survey(world):
    planned = survey_services.survey_create(actor=world.coord_c2, team=world.c2, title="Khảo sát Nam Dong",
                                            questions=QUESTIONS[:1])
    return survey_services.survey_open(survey=planned, actor=world.coord_c2)


def fields(survey):
    q = list(survey.questions.order_by("position"))
    return {kind: f"q{question.pk}" for kind, question in zip(("single", "multiple", "scale", "text"), q)}


def body(survey, single="Có", multiple=("Zalo",), scale="4", text=""):
    f = fields(survey)
    return {f["single"]: single, f["multiple"]: list(multiple), f["scale"]: scale, f["text"]: text}


def test_a_member_sees_the_survey_waiting_and_answers_it_once(world, survey, sibling_survey, browse):
    client = browse(world.member_v1a)
    listing = text(client.get("/console/surveys/"))
    assert "Cần trả lời" in listing and "Khảo sát chuyển đổi số" in listing
    assert "Khảo sát Nam Dong" not in listing  # another commune's survey is not theirs
    assert "/results/" not in listing  # a member reads no results
    page = text(client.get(f"/console/surveys/{survey.pk}/"))
    assert "Năm câu hỏi ngắn." in page and "Ẩn danh" in page
    f = fields(survey)
    assert f'type="radio" name="{f["single"]}"' in page and f'type="checkbox" name="{f["multiple"]}"' in page
    assert f'<textarea name="{f["text"]}"' in page and "<legend>" in page
    response = client.post(f"/console/surveys/{survey.pk}/answer/", body(survey, multiple=("Zalo", "VNeID"),
                                                                          text="Cần thêm lớp học"))
    assert response.status_code == 302 and response["Location"] == "/console/surveys/"
    assert Participation.objects.filter(survey=survey, member=world.member_v1a).exists()
    after = text(client.get("/console/surveys/"))
    assert "Cảm ơn bạn: câu trả lời đã được gửi." in after
    assert "Không có khảo sát nào đang chờ bạn trả lời." in after and "đã trả lời" in after
    page = text(client.get(f"/console/surveys/{survey.pk}/"))
    assert "Bạn đã trả lời khảo sát này." in page and "<form method=\"post\" class=\"card survey-form\"" not in page
    # A second response (a form sent twice) is the service's 409, shown as a message.
    again = client.post(f"/console/surveys/{survey.pk}/answer/", body(survey), follow=True)
    assert "Bạn đã trả lời khảo sát này rồi." in text(again)
    assert Participation.objects.filter(survey=survey).count() == 1


@pytest.mark.parametrize("lang, message", [(None, "Trường này là bắt buộc."), ("en", "This field is required.")])
def test_a_required_question_left_empty_is_shown_on_it_in_both_languages(world, survey, browse, lang, message):
    response = browse(world.member_v1a, lang=lang).post(f"/console/surveys/{survey.pk}/answer/",
                                                        body(survey, single=""))
    assert response.status_code == 400
    page = text(response)
    assert message in page and 'class="field question has-error"' in page
    assert not Participation.objects.filter(survey=survey).exists()


@pytest.mark.parametrize("lang, message", [(None, "Hãy chọn"), ("en", "Select a valid choice.")])
def test_an_option_the_question_does_not_have_is_refused(world, survey, browse, lang, message):
    response = browse(world.member_v1a, lang=lang).post(f"/console/surveys/{survey.pk}/answer/",
                                                        body(survey, single="Có thể"))
    assert response.status_code == 400 and message in text(response)
    assert not Participation.objects.filter(survey=survey).exists()


@pytest.mark.parametrize("lang, message", [(None, "Khảo sát này không mở."), ("en", "This survey is not open.")])
def test_answering_a_closed_survey_is_the_services_message(world, survey, browse, lang, message):
    survey_services.survey_close(survey=survey, actor=world.coord_c1)
    client = browse(world.member_v1a, lang=lang)
    page = text(client.get(f"/console/surveys/{survey.pk}/"))
    assert 'name="q' not in page
    response = client.post(f"/console/surveys/{survey.pk}/answer/", body(survey), follow=True)
    assert message in text(response)
    assert not Participation.objects.filter(survey=survey).exists()


def test_someone_outside_the_audience_gets_the_403_page_when_answering(world, survey, browse):
    # The district observer reads the survey (it is in their subtree) but is not asked.
    client = browse(world.observer_district)
    assert 'name="q' not in text(client.get(f"/console/surveys/{survey.pk}/"))
    response = client.post(f"/console/surveys/{survey.pk}/answer/", body(survey))
    assert response.status_code == 403
    assert "Chỉ những người được hỏi mới trả lời khảo sát này." in text(response)
    assert not Participation.objects.filter(survey=survey).exists()


def test_a_sibling_communes_survey_is_the_404_page(world, survey, sibling_survey, browse):
    member = browse(world.member_v1a)
    for url in (f"/console/surveys/{sibling_survey.pk}/",):
        response = member.get(url)
        assert response.status_code == 404 and "Không tìm thấy" in text(response)
    question = Question.objects.get(survey=sibling_survey)
    assert member.post(f"/console/surveys/{sibling_survey.pk}/answer/",
                       {f"q{question.pk}": "Có"}).status_code == 404
    coordinator = browse(world.coord_c1)
    for url in (f"/console/surveys/{sibling_survey.pk}/results/",
                f"/console/surveys/{sibling_survey.pk}/results.csv"):
        assert coordinator.get(url).status_code == 404, url
    assert not Participation.objects.filter(survey=sibling_survey).exists()


def answered_by(survey, team, n, **answers):
    for _ in range(n):
        person = MemberFactory()
        MembershipFactory(member=person, team=team)
        f = {q.kind: q for q in survey.questions.all()}
        survey_services.survey_respond(survey=survey, actor=person, answers=[
            {"question": f["single"].pk, "choice": answers.get("single", "Có")},
            {"question": f["multiple"].pk, "choices": ["Zalo"]},
            {"question": f["scale"].pk, "value": answers.get("scale", 4)},
            {"question": f["text"].pk, "text": answers.get("text", "Ý kiến chung")},
        ])


def test_results_show_counts_for_groups_of_five_and_hide_smaller_ones(world, survey, browse):
    answered_by(survey, world.v1a, 5, single="Có", scale=4)
    answered_by(survey, world.v1b, 2, single="Chưa", scale=2)
    client = browse(world.coord_c1)
    page = text(client.get(f"/console/surveys/{survey.pk}/results/"))
    assert "<dt>Số trả lời</dt><dd>7</dd>" in page
    assert '<th scope="row">Có</th>' in page and "</span> 5</td>" in page and "</span> 2</td>" in page
    assert "Trung bình: <strong>3,43</strong>" in page
    assert "7 câu trả lời, theo thứ tự ngẫu nhiên, không kèm tên." in page and "Ý kiến chung" in page
    # The groups one may ask for are the survey's subtree, in tree order.
    assert f'<option value="{world.v1a.pk}">— Thôn 1</option>' in page
    village = text(client.get(f"/console/surveys/{survey.pk}/results/?team={world.v1b.pk}"))
    assert "<dt>Số trả lời</dt><dd>2</dd>" in village and "kết quả được ẩn" in village
    assert '<th scope="row">Chưa</th>' not in village and "Đã ẩn" in village


@pytest.mark.parametrize("lang, message", [(None, "Không có đội này."), ("en", "Unknown team.")])
def test_results_for_a_team_outside_the_scope_are_a_400_in_both_languages(world, survey, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).get(f"/console/surveys/{survey.pk}/results/?team={world.c2.pk}")
    assert response.status_code == 400 and message in text(response)
    response = browse(world.coord_c1, lang=lang).get(f"/console/surveys/{survey.pk}/results.csv?team=abc")
    assert response.status_code == 400 and message in text(response)


def test_the_audience_gets_the_403_page_on_results(world, survey, browse):
    # coord_v1a coordinates a village inside the audience: a reader somewhere, but not at the survey's team.
    response = browse(world.coord_v1a, lang="en").get(f"/console/surveys/{survey.pk}/results/")
    assert response.status_code == 403
    assert "Only coordinators and observers of the survey&#x27;s team read its results." in text(response)
    assert browse(world.member_v1a).get(f"/console/surveys/{survey.pk}/results/").status_code == 403


def test_the_downloads_are_the_apis_files(world, survey, browse, api):
    answered_by(survey, world.v1a, 6)
    client = browse(world.coord_c1)
    console_csv = client.get(f"/console/surveys/{survey.pk}/results.csv")
    assert console_csv.status_code == 200 and console_csv["Content-Type"].startswith("text/csv")
    assert 'filename="survey-' in console_csv["Content-Disposition"]
    api_csv = api.as_user(world.coord_c1).get(f"/api/v1/surveys/{survey.pk}/results/?format=csv",
                                              HTTP_ACCEPT_LANGUAGE="vi")
    assert console_csv.content == api_csv.content  # one text answer repeated: the random order does not show
    xlsx = client.get(f"/console/surveys/{survey.pk}/results.xlsx?team={world.v1a.pk}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/console/surveys/{survey.pk}/results.pdf").status_code == 404


def test_an_observer_reads_results_but_answers_nothing(world, survey, browse):
    client = browse(world.observer_district)
    listing = text(client.get("/console/surveys/"))
    assert f"/console/surveys/{survey.pk}/results/" in listing
    assert client.get(f"/console/surveys/{survey.pk}/results/").status_code == 200


# A photo over the request cap -------------------------------------------------------------

@pytest.mark.parametrize("lang, message", [(None, "lớn hơn 1 MB"), ("en", "larger than 1 MB")])
def test_a_photo_over_the_request_cap_gets_a_console_page_not_the_apis_json(world, work, browse, settings,
                                                                           lang, message):
    settings.API_MAX_REQUEST_BYTES = 1024 * 1024
    big = SimpleUploadedFile("IMG_0002.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10), content_type="image/jpeg")
    client = browse(world.member_v1a_2, lang=lang)
    response = client.post(f"/console/mine/{work.todo.pk}/complete/", {"evidence_image": big})
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")
    page = text(response)
    assert message in page
    assert f'href="/console/mine/{work.todo.pk}/"' in page  # the way back to the task
    assert "Bùi Văn Minh" in page  # the page knows who is logged in (the menu, the footer)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"
    # The API keeps its JSON 413.
    api = client.post("/api/v1/assignments/1/complete/", {"evidence_image": SimpleUploadedFile(
        "a.jpg", b"0" * (1024 * 1024 + 10), content_type="image/jpeg")})
    assert api.status_code == 413 and api.json()["code"] == "request_too_large"
