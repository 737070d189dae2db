"""seed_scale builds a correct tree: paths, roles, fan-out counts, unique phones, working logins."""
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scale.seeding import BUSY_MEMBER_NAME, Shape, find_seeded
from tasks.models import Assignment, Task, TaskTarget
from teams.models import Member, Membership, Team
from teams.text import fold

pytestmark = pytest.mark.django_db

TINY = ["--districts", "2", "--communes", "2", "--villages", "3", "--members", "4", "--tasks", "2",
        "--busy-tasks", "5", "--password", "tiny-pass-2026"]


def seed(*args):
    out = StringIO()
    call_command("seed_scale", *args, stdout=out)
    return out.getvalue()


def test_tiny_tree_has_correct_paths_levels_and_counts():
    output = seed(*TINY)
    province = Team.objects.get(level="province")
    teams = list(Team.objects.all())
    assert Counter(t.level for t in teams) == {"province": 1, "district": 2, "commune": 4, "village": 12}
    by_id = {t.pk: t for t in teams}
    for team in teams:
        parent = by_id.get(team.parent_id)
        assert team.path == f"{parent.path if parent else '/'}{team.pk}/"
        assert team.search_name == fold(team.name)  # accent-insensitive search finds seeded teams
    assert Team.objects.filter(path__startswith=province.path).count() == 19

    # 2 x 2 x 3 x 4 = 48 members, one coordinator per district and commune, one busy member.
    assert Membership.objects.filter(role="member").count() == 49
    assert Membership.objects.filter(role="coordinator").count() == 6
    assert Member.objects.count() == 55
    phones = list(Member.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    assert all(p.startswith("+8497") and len(p) == 12 for p in phones)
    assert all(m.team.level == "village" for m in Membership.objects.filter(role="member"))

    # Each district's 2 tasks reach its 24 members; the busy member also has 5 tasks of their own.
    district = Team.objects.filter(level="district").order_by("pk").first()
    assert Task.objects.filter(team__level="district").count() == 4
    assert TaskTarget.objects.count() == 4
    assert Assignment.objects.count() == 2 * 2 * 24 + 2 + 5
    assert Assignment.objects.filter(team__path__startswith=district.path).count() == 2 * 24 + 2 + 5
    # Assignments only reach people below the task's team, through their own village.
    for a in Assignment.objects.select_related("task__team", "team")[:50]:
        assert a.team.path.startswith(a.task.team.path)
        assert Membership.objects.filter(member_id=a.assignee_id, team_id=a.team_id, role="member").exists()
    statuses = Counter(Assignment.objects.values_list("status", flat=True))
    assert {"assigned", "in_progress", "completed", "verified", "rejected"} <= set(statuses)
    assert not Assignment.objects.filter(status="verified", reviewed_by__isnull=True).exists()
    assert not Assignment.objects.filter(status="completed", completed_at__isnull=True).exists()

    busy = Member.objects.get(full_name=BUSY_MEMBER_NAME)
    assert busy.assignments.count() == 7
    assert "tasks_assignment" in output and "103 rows" in output


def test_every_seeded_person_logs_in_with_the_shared_password(client):
    seed(*TINY)
    member = Membership.objects.filter(role="member").first().member
    assert member.check_password("tiny-pass-2026")
    response = client.post("/api/v1/auth/token/", {"phone": member.phone, "password": "tiny-pass-2026"},
                           content_type="application/json")
    assert response.status_code == 200, response.content


def test_a_second_seed_adds_a_second_province_with_new_phones_and_reuse_finds_the_first():
    seed(*TINY)
    output = seed(*TINY, "--reuse")
    assert "already there" in output
    assert Team.objects.filter(level="province").count() == 1

    seed("--districts", "1", "--communes", "1", "--villages", "1", "--members", "3", "--tasks", "1")
    assert Team.objects.filter(level="province").count() == 2
    phones = list(Member.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones) == 55 + 1 + 1 + 3

    found = find_seeded(Shape(2, 2, 3, 4, 2, 5))
    assert [d.level for d in found.districts] == ["district", "district"]
    assert found.district_coordinators[0].memberships.get().team == found.districts[0]
    assert found.busy_member.full_name == BUSY_MEMBER_NAME


def test_bad_counts_are_refused():
    with pytest.raises(CommandError):
        seed("--districts", "0")
    with pytest.raises(CommandError):
        seed("--members", "-1")
