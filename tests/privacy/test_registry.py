"""Every column that points at a person is accounted for by the export and by anonymisation."""
from django.apps import apps

from teams.models import Member
from teams.personal_data import export_sections, export_serializer, references


def _keys_to_members():
    found = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Member:
                found.add((model._meta.label, field.name))
    return found


def test_every_key_to_a_member_is_listed_with_what_happens_to_it():
    REFERENCES = references()
    missing = _keys_to_members() - set(REFERENCES)
    assert not missing, (
        f"{sorted(missing)} point at a person: declare them with api.hooks.personal_data.declare() "
        "in their app's ready(), with an export section or a scrub as they need")
    assert not set(REFERENCES) - _keys_to_members(), "REFERENCES names columns that no longer exist"


def test_every_section_the_export_streams_is_in_the_documented_schema(db):
    documented = set(export_serializer()().fields)
    assert {name for name, _rows, _serializer in export_sections(Member(pk=1))} | {"generated_at", "profile"} \
        == documented
