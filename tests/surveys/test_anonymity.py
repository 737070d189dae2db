"""For an anonymous survey nothing in the database links an answer to a person: read the tables."""
import datetime
import uuid

import pytest
from django.apps import apps
from django.db import connection

from surveys.models import OptionTally, Participation, SurveyResponse, TeamTally, TextPool
from teams.models import Member

pytestmark = pytest.mark.django_db


def _rows(model):
    """Every row of the table as the database holds it, in the order it returns them."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def test_no_table_of_answers_has_a_key_to_a_person_or_a_clock():
    for model in (OptionTally, TextPool, TeamTally):
        for field in model._meta.concrete_fields:
            assert not (field.is_relation and field.related_model is Member), (model, field.name)
            assert field.get_internal_type() not in ("DateTimeField", "DateField"), (model, field.name)
    # The one record that names a person says only that they answered: a random key, no time.
    assert {f.name for f in Participation._meta.concrete_fields} == {"id", "survey", "member"}
    assert Participation._meta.pk.get_internal_type() == "UUIDField"
    # Every other key to a person in this app is on surveys that are not anonymous (or planning).
    keys = {(m._meta.object_name, f.name) for m in apps.get_app_config("surveys").get_models()
            for f in m._meta.concrete_fields if f.is_relation and f.related_model is Member}
    assert keys == {("Survey", "created_by"), ("Participation", "member"), ("SurveyResponse", "member")}


def test_the_tables_after_two_people_answer_differently_do_not_say_who_chose_what(
        world, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1, anonymous=True)
    first, second = people_in(world.v1a, 2)
    assert answer(survey, first, single="Có", multiple=["Zalo"], scale=1, text="của người thứ nhất").status_code == 201
    after_first = {m: _rows(m) for m in (OptionTally, TextPool, TeamTally)}
    assert answer(survey, second, single="Chưa", multiple=["VNeID"], scale=5,
                  text="của người thứ hai").status_code == 201

    assert not SurveyResponse.objects.exists()
    participation = _rows(Participation)
    assert {(str(r["member_id"])) for r in participation} == {str(first.pk), str(second.pk)}
    assert all(set(r) == {"id", "survey_id", "member_id"} for r in participation)
    ids = [uuid.UUID(str(r["id"])) for r in participation]
    assert all(i.version == 4 for i in ids)  # random: no sequence to line up with anything

    # The first response created every counter of Thôn 1 at once, whatever it chose: the rows that
    # exist after it are the same set as after the second, only the numbers moved.
    key = lambda r: (r["question_id"], r["key"])  # noqa: E731
    assert sorted(map(key, after_first[OptionTally])) == sorted(map(key, _rows(OptionTally)))
    assert len(after_first[OptionTally]) == 3 + 3 + 5  # every option of the single, multiple and scale questions
    for model, rows in after_first.items():
        for row in rows:
            assert not any(isinstance(v, (datetime.datetime, datetime.date)) for v in row.values()), (model, row)
            assert not any(str(v) in (str(first.pk), first.phone, first.full_name) for k, v in row.items()
                           if k not in ("id", "survey_id", "team_id", "question_id", "key", "n", "responses")), row
    dump = repr([_rows(m) for m in (OptionTally, TextPool, TeamTally)])
    for person in (first, second):
        assert person.full_name not in dump and person.phone not in dump


def test_stored_texts_do_not_follow_the_order_they_were_written_in(world, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1, anonymous=True)
    for n, person in enumerate(people_in(world.v1a, 25)):
        answer(survey, person, text=f"ý kiến {n:02d}")
    (pool,) = _rows(TextPool)
    stored = pool["answers"] if isinstance(pool["answers"], list) else __import__("json").loads(pool["answers"])
    written = [f"ý kiến {n:02d}" for n in range(25)]
    assert sorted(stored) == written
    assert stored != written and stored != written[::-1]


def test_a_named_survey_keeps_each_persons_own_answers_for_them(world, survey_factory, answer):
    survey = survey_factory(team=world.c1, anonymous=False)
    answer(survey, world.member_v1a, single="Chưa", multiple=["Zalo", "VNeID"], scale=4, text="tên tôi")
    (row,) = SurveyResponse.objects.filter(survey=survey)
    assert row.member == world.member_v1a and row.team == world.v1a
    assert [a.get("choice") or a.get("choices") or a.get("value") or a.get("text") for a in row.answers] == [
        "Chưa", ["Zalo", "VNeID"], 4, "tên tôi"]
