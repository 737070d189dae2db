"""Who sees which survey, compared as whole sets with an oracle written from the contract
(nothing missing, nothing extra), for every person of the world, for the list and for
`mine=true`."""
import pytest

from surveys import services
from surveys.models import Participation, Survey
from teams.models import Member, Membership, Team

pytestmark = pytest.mark.django_db

PEOPLE = ["superuser", "coord_district", "observer_district", "coord_c1", "coord_c2", "coord_v1a",
          "member_v1a", "member_v1a_2", "member_v1b", "member_v2a", "coord_other_district", "outsider"]


@pytest.fixture
def surveys_everywhere(world):
    """Every team: an open survey asking its subtree, one asking only its first child, a
    draft, and a closed one; member_v1a has answered the commune's open survey."""
    for team in Team.objects.all():
        child = team.children.order_by("id").first() or team
        for i, (audience, step) in enumerate([([team], "open"), ([child], "open"), ([team], "draft"),
                                              ([team], "closed")]):
            survey = services.survey_create(actor=world.superuser, team=team, title=f"{step}{i} {team.name}",
                                            audience=audience, questions=[{"kind": "scale", "text": "Mức"}])
            if step != "draft":
                survey = services.survey_open(survey=survey, actor=world.superuser)
            if step == "closed":
                services.survey_close(survey=survey, actor=world.superuser)
    answered = Survey.objects.get(title="open0 Tâm Thắng")
    services.survey_respond(survey=answered, actor=world.member_v1a, answers=[
        {"question": answered.questions.get().pk, "value": 5}])
    return world


def _oracle(person, mine=False) -> set[int]:
    own = [m.team.path for m in Membership.objects.filter(member=person).select_related("team")]
    reads = [m.team.path for m in Membership.objects.filter(member=person, role__in=["coordinator", "observer"])
             .select_related("team")]
    answered = set(Participation.objects.filter(member=person).values_list("survey_id", flat=True))
    out = set()
    for survey in Survey.objects.select_related("team").prefetch_related("audience__team"):
        asked = person.is_active and any(p.startswith(a.team.path) for a in survey.audience.all() for p in own)
        if mine:
            if survey.status == "open" and asked and survey.pk not in answered:
                out.add(survey.pk)
        elif person.is_superuser or any(survey.team.path.startswith(r) for r in reads) \
                or (survey.status != "draft" and asked):
            out.add(survey.pk)
    return out


def _listed(client, **params) -> set[int]:
    rows, url, query = [], "/api/v1/surveys/", {"page_size": 200, **params}
    while url:
        body = client.get(url, query).json()
        rows += [row["id"] for row in body["results"]]
        url, query = body["next"], None
    assert len(rows) == len(set(rows))
    return set(rows)


@pytest.mark.parametrize("mine", [False, True])
def test_every_person_sees_exactly_the_surveys_the_contract_gives_them(surveys_everywhere, client_for, mine):
    world = surveys_everywhere
    sizes = {}
    for name in PEOPLE:
        person = getattr(world, name)
        params = {"mine": "true"} if mine else {}
        assert _listed(client_for(person), **params) == _oracle(person, mine), name
        sizes[name] = len(_oracle(person, mine))
    # The oracle is not trivial: people see different, partial sets.
    total = Survey.objects.count()
    assert 0 < sizes["member_v1a"] < total and 0 < sizes["coord_c1"] < total
    assert sizes["outsider"] == 0
    if mine:
        assert Survey.objects.get(title="open0 Tâm Thắng").pk not in _listed(client_for(world.member_v1a), mine="true")


def test_after_leaving_a_team_its_surveys_are_gone_from_the_list(surveys_everywhere, client_for):
    world = surveys_everywhere
    before = _listed(client_for(world.member_v1b))
    Membership.objects.filter(member=world.member_v1b).delete()
    Membership.objects.create(member=world.member_v1b, team=world.v2a, role="member")
    after = _listed(client_for(world.member_v1b))
    assert after == _oracle(Member.objects.get(pk=world.member_v1b.pk)) and after != before
