"""Results: counts, means, response rates per group, and groups under 5 hidden, also
from subtraction of two published groups."""
import itertools

import pytest

from surveys.results import group_sizes
from teams.choices import Role

pytestmark = pytest.mark.django_db


def _results(client, survey, team=None, **headers):
    params = {"team": team.pk} if team is not None else {}
    response = client.get(f"/api/v1/surveys/{survey.pk}/results/", params, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_counts_means_and_the_response_rate(world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1)
    people = people_in(world.v1a, 5)
    picks = [("Có", ["Zalo"], 5), ("Có", ["Zalo", "VNeID"], 4), ("Chưa", ["Facebook"], 3),
             ("Có", ["Zalo", "Facebook"], 5), ("Không biết", ["VNeID"], 1)]
    for person, (single, multiple, scale) in zip(people, picks):
        response = answer(survey, person, single=single, multiple=multiple, scale=scale,
                          text=f"Ý kiến của {person.full_name}")
        assert response.status_code == 201, response.content
    body = _results(client_for(world.coord_c1), survey)
    # c1's audience: 5 new people + coord_c1, coord_v1a, member_v1a, member_v1a_2, member_v1b.
    assert (body["responses"], body["audience_size"], body["response_rate"]) == (5, 10, 0.5)
    single, multiple, scale, text = body["questions"]
    assert single == {"id": single["id"], "kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?",
                      "suppressed": False, "counts": {"Có": 3, "Chưa": 1, "Không biết": 1}}
    assert multiple["counts"] == {"Zalo": 3, "Facebook": 2, "VNeID": 2}
    assert scale["counts"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 2}
    assert scale["mean"] == 3.6
    assert sorted(text["answers"]) == sorted(f"Ý kiến của {p.full_name}" for p in people)
    assert text["answers_total"] == 5


def test_text_answers_come_without_names_in_an_order_that_does_not_follow_who_wrote_first(
        world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1)
    people = people_in(world.v1a, 30)
    for n, person in enumerate(people):
        answer(survey, person, text=f"góp ý {n:02d}")
    written = [f"góp ý {n:02d}" for n in range(30)]
    orders = [_results(client_for(world.coord_c1), survey)["questions"][3]["answers"] for _ in range(3)]
    for order in orders:
        assert sorted(order) == written
        assert order != written
    assert len({tuple(o) for o in orders}) > 1  # a fresh order on each read
    body = _results(client_for(world.coord_c1), survey)
    flat = repr(body)
    assert not any(p.full_name in flat or p.phone in flat for p in people)


def test_a_group_under_five_is_suppressed_and_shows_no_counts(world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1)
    for person in people_in(world.v1a, 4):
        answer(survey, person, text="bí mật")
    body = _results(client_for(world.coord_c1), survey)
    assert body["responses"] == 4 and body["suppressed"] is True
    assert all(q == {"id": q["id"], "kind": q["kind"], "text": q["text"], "suppressed": True}
               for q in body["questions"])
    assert "bí mật" not in repr(body)


def test_results_per_team_and_who_may_read_them(world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.district, audience=[world.district])
    for person in people_in(world.v1a, 6) + people_in(world.v2a, 7):
        answer(survey, person)
    observer = client_for(world.observer_district)
    assert _results(observer, survey)["responses"] == 13
    c2 = _results(observer, survey, world.c2)
    assert (c2["responses"], c2["suppressed"], c2["team"]) == (7, False, world.c2.pk)
    assert c2["questions"][0]["counts"] == {"Có": 7, "Chưa": 0, "Không biết": 0}
    # The survey belongs to the district: a commune coordinator (in its audience) does not read results.
    assert client_for(world.coord_c1).get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 403
    assert client_for(world.member_v1a).get(f"/api/v1/surveys/{survey.pk}/results/").status_code == 403
    # ?team= outside the caller's scope is a 400 on `team`, like one that does not exist.
    district_coord = client_for(world.coord_district)
    for team_id in (world.other_district.pk, 987654321):
        response = district_coord.get(f"/api/v1/surveys/{survey.pk}/results/", {"team": team_id})
        assert response.status_code == 400 and "team" in response.json()["errors"]
    assert district_coord.get(f"/api/v1/surveys/{survey.pk}/results/", {"team": "x"}).status_code == 400


def _published(client, survey, teams):
    """Every group a reader can ask for: name -> (responses, counts of the first question or None)."""
    out = {}
    for name, team in teams.items():
        body = _results(client, survey, team)
        out[name] = (body["responses"], None if body["suppressed"] else body["questions"][0]["counts"])
    return out


def _no_difference_reveals_a_small_group(published, teams):
    """For every shown group and any set of shown groups inside it that do not overlap,
    what remains after subtracting them is 0 or at least 5 responses."""
    path = {name: ("" if team is None else team.path) for name, team in teams.items()}
    shown = [name for name in teams if published[name][1] is not None]
    checked = 0
    for outer in shown:
        inside = [n for n in shown if n != outer and path[n].startswith(path[outer]) and path[n] != path[outer]]
        for size in range(1, len(inside) + 1):
            for combo in itertools.combinations(inside, size):
                if any(a != b and path[b].startswith(path[a]) for a in combo for b in combo):
                    continue  # overlapping groups: not a subtraction anyone can make
                remainder = published[outer][0] - sum(published[i][0] for i in combo)
                assert remainder == 0 or remainder >= 5, (outer, combo, remainder)
                checked += 1
    return checked


def test_the_differencing_case_a_commune_minus_its_villages(world, client_for, survey_factory, answer, people_in):
    """Commune c1: 6 answers in Thôn 1, 6 in Thôn 2, and 2 held at the commune itself.
    Showing c1 (14) and both villages would give the commune's own 2 by subtraction."""
    survey = survey_factory(team=world.c1)
    for person in people_in(world.v1a, 6) + people_in(world.v1b, 6) + people_in(world.c1, 2):
        answer(survey, person)
    teams = {"audience": None, "c1": world.c1, "v1a": world.v1a, "v1b": world.v1b}
    published = _published(client_for(world.coord_c1), survey, teams)
    assert published["c1"][1] is not None and published["audience"][1] is not None
    shown_villages = [v for v in ("v1a", "v1b") if published[v][1] is not None]
    assert len(shown_villages) == 1  # one of the two villages is suppressed with it
    assert _no_difference_reveals_a_small_group(published, teams) > 0


def test_the_differencing_case_siblings_suppressed_together(world, client_for, survey_factory, answer, people_in):
    """Thôn 1 has 10 answers, Thôn 2 has 3: Thôn 2 is hidden, and so is Thôn 1, or c1 - Thôn 1 = 3."""
    survey = survey_factory(team=world.c1)
    for person in people_in(world.v1a, 10) + people_in(world.v1b, 3):
        answer(survey, person, single="Chưa")
    published = _published(client_for(world.coord_c1), survey,
                           {"audience": None, "c1": world.c1, "v1a": world.v1a, "v1b": world.v1b})
    assert published["c1"] == (13, {"Có": 0, "Chưa": 13, "Không biết": 0})
    assert published["v1a"] == (10, None)
    assert published["v1b"] == (3, None)


def test_a_deeper_tree_keeps_every_remainder_empty_or_at_least_five(
        world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.district, audience=[world.district])
    for team, n in [(world.v1a, 7), (world.v1b, 5), (world.c1, 1), (world.v2a, 9), (world.c2, 3),
                    (world.district, 2)]:
        for person in people_in(team, n):
            answer(survey, person)
    teams = {"audience": None, "district": world.district, "c1": world.c1, "c2": world.c2, "v1a": world.v1a,
             "v1b": world.v1b, "v2a": world.v2a}
    published = _published(client_for(world.coord_district), survey, teams)
    assert _no_difference_reveals_a_small_group(published, teams) > 0
    # ... and still shows what it safely can: the district as a whole.
    assert published["district"] == (27, {"Có": 27, "Chưa": 0, "Không biết": 0})


@pytest.mark.parametrize("direct", [
    {"/1/": 3, "/1/2/": 9, "/1/3/": 9},
    {"/1/2/": 5, "/1/3/": 5, "/1/4/": 4},
    {"/1/": 1, "/1/2/": 5, "/1/2/5/": 5, "/1/3/": 5, "/1/3/6/": 1},
    {"/1/2/": 6, "/1/3/": 6, "/1/4/": 6, "/1/": 2},
])
def test_the_rule_on_its_own_every_remainder_is_empty_or_at_least_five(direct):
    groups = group_sizes(direct)
    for node in groups.shown:
        below = [c for c in groups.shown if c != node and c.startswith(node)
                 and not any(o != c and o != node and o.startswith(node) and c.startswith(o) for o in groups.shown)]
        remainder = groups.size(node) - sum(groups.size(c) for c in below)
        assert remainder == 0 or remainder >= 5, (direct, node, below)
        assert groups.size(node) >= 5


def test_the_audience_size_counts_each_active_person_once(world, survey_factory):
    from surveys.selectors import audience_members, audience_size
    from tests.factories import MembershipFactory

    survey = survey_factory(team=world.district, audience=[world.c1, world.v1a])
    MembershipFactory(member=world.member_v1a, team=world.v1b, role=Role.MEMBER)  # two teams, one person
    expected = {world.coord_c1.pk, world.coord_v1a.pk, world.member_v1a.pk, world.member_v1a_2.pk,
                world.member_v1b.pk}
    assert set(audience_members(survey).values_list("pk", flat=True)) == expected
    assert audience_size(survey) == 5
    assert audience_size(survey, world.v1a.path) == 3  # the inactive member is not asked
