from django.core.management import call_command

from teams.models import Member, Membership, Team


def _state():
    return (
        list(Team.objects.order_by("pk").values_list("pk", "name", "level", "parent_id", "path")),
        list(Member.objects.order_by("pk").values_list("pk", "phone", "full_name", "is_superuser")),
        list(Membership.objects.order_by("pk").values_list("pk", "member_id", "team_id", "role")),
    )


def test_seed_demo_builds_the_network_once(db, client):
    call_command("seed_demo", verbosity=0)
    first = _state()
    call_command("seed_demo", verbosity=0)
    assert _state() == first
    teams, people, roles = first
    assert {name for _, name, *_ in teams} >= {"Đắk Nông", "Cư Jút", "Tâm Thắng", "Nam Dong"}
    assert {level for *_, level, _, _ in teams} == {"province", "district", "commune", "village"}
    by_pk = {pk: path for pk, *_, path in teams}
    for pk, _, _, parent_id, path in teams:
        assert path == (by_pk[parent_id] if parent_id else "/") + f"{pk}/"
    assert {role for *_, role in roles} == {"coordinator", "member", "observer"}
    response = client.post("/api/v1/auth/token/", {"phone": "0912000004", "password": "demo-2026-pass"},
                           content_type="application/json")
    assert response.status_code == 200
