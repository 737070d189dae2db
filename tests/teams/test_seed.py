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
    assert {name for _, name, *_ in teams} >= {"Lâm Đồng", "Tâm Thắng", "Nam Dong", "Buôn Buôr"}
    # 2026: no district tier, communes straight under the province
    assert {level for *_, level, _, _ in teams} == {"province", "commune", "village"}
    by_pk = {pk: path for pk, *_, path in teams}
    for pk, _, _, parent_id, path in teams:
        assert path == (by_pk[parent_id] if parent_id else "/") + f"{pk}/"
    assert {role for *_, role in roles} == {"coordinator", "member", "observer"}
    response = client.post("/api/v1/auth/token/", {"phone": "0912000004", "password": "demo-2026-pass"},
                           content_type="application/json")
    assert response.status_code == 200


def test_the_demo_shows_the_2026_network(db):
    from io import StringIO

    from reports.history import history_of
    from teams.choices import TeamKind

    out = StringIO()
    call_command("seed_demo", stdout=out)
    province = Team.objects.get(name="Lâm Đồng", parent=None)
    communes = Team.objects.filter(parent=province, level="commune", kind=TeamKind.AREA)
    assert {"Tâm Thắng", "Nam Dong"} <= set(communes.values_list("name", flat=True))
    tam_thang = communes.get(name="Tâm Thắng")
    joint = Team.objects.get(parent=tam_thang, kind=TeamKind.JOINT)
    youth = Team.objects.get(parent=tam_thang, kind=TeamKind.ORGANISATION)
    assert joint.level == youth.level == "commune"
    # Youth Union members who are also in their village
    in_youth = set(Membership.objects.filter(team=youth, role="member").values_list("member_id", flat=True))
    in_villages = set(Membership.objects.filter(team__parent=tam_thang, team__level="village",
                                                member_id__in=in_youth).values_list("member_id", flat=True))
    assert len(in_youth) >= 2 and in_villages == in_youth
    # one commune merged from two, its history shows it
    merged = Team.objects.get(name="Đắk Drông")
    nam_dong = Team.objects.get(name="Nam Dong")
    assert (merged.is_active, merged.merged_into_id) == (False, nam_dong.pk)
    assert Team.objects.filter(parent=nam_dong, name="Buôn Ea Pô").exists()
    assert any("Đắk Drông" in (r.history_change_reason or "") for r in history_of(Team, nam_dong.pk))
    assert not Membership.objects.filter(team=merged).exists()
    # the printed logins name their teams and roles
    text = out.getvalue()
    assert "+84912000007   coordinator  Đoàn Thanh niên xã Tâm Thắng" in text
    assert "Đặng Thị Lan" in text and text.count("Đặng Thị Lan") == 2  # her village and the Youth Union


def test_the_demo_has_an_open_invite_and_join_requests_waiting(db, client):
    from io import StringIO

    from teams.joining import invite_is_usable
    from teams.models import Invite, JoinRequest

    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", verbosity=0)  # once only
    (invite,) = Invite.objects.all()
    assert invite.team.name == "Đoàn Thanh niên xã Tâm Thắng" and invite_is_usable(invite) and invite.uses == 2
    assert f"code {invite.code}" in out.getvalue()
    waiting = JoinRequest.objects.filter(invite=invite, status="pending")
    assert sorted(waiting.values_list("full_name", "existing_member")) == [("Rơ Châm Ka", False),
                                                                         ("Đỗ Thị Hoa", True)]
    # the newcomer waits: no login until the Youth Union's coordinator approves
    response = client.post("/api/v1/auth/token/", {"phone": "0912000031", "password": "demo-2026-pass"},
                           content_type="application/json")
    assert response.status_code == 401
