"""Seed a small demo network. Running it again changes nothing."""
from django.core.management.base import BaseCommand
from django.db import transaction

from teams.choices import Level, Role
from teams.models import Member, Membership, Team

DEMO_PASSWORD = "demo-2026-pass"

TREE = ("Đắk Nông", Level.PROVINCE, [
    ("Cư Jút", Level.DISTRICT, [
        ("Tâm Thắng", Level.COMMUNE, [
            ("Thôn 1", Level.VILLAGE, []),
            ("Thôn 2", Level.VILLAGE, []),
            ("Thôn 3", Level.VILLAGE, []),
        ]),
        ("Nam Dong", Level.COMMUNE, [
            ("Thôn 4", Level.VILLAGE, []),
            ("Thôn Nam Tiến", Level.VILLAGE, []),
        ]),
    ]),
])

# phone, full name, team name, role
PEOPLE = [
    ("0912000001", "Nguyễn Văn Tỉnh", "Đắk Nông", Role.COORDINATOR),
    ("0912000002", "Trần Thị Huyện", "Cư Jút", Role.COORDINATOR),
    ("0912000003", "Lê Quan Sát", "Cư Jút", Role.OBSERVER),
    ("0912000004", "Phạm Văn Thắng", "Tâm Thắng", Role.COORDINATOR),
    ("0912000005", "Hoàng Thị Dong", "Nam Dong", Role.COORDINATOR),
    ("0912000006", "Võ Văn Thôn", "Thôn 1", Role.COORDINATOR),
    ("0912000011", "Đặng Thị Lan", "Thôn 1", Role.MEMBER),
    ("0912000012", "Bùi Văn Minh", "Thôn 1", Role.MEMBER),
    ("0912000013", "Đỗ Thị Hoa", "Thôn 2", Role.MEMBER),
    ("0912000014", "Ngô Văn Nam", "Thôn 3", Role.MEMBER),
    ("0912000015", "Dương Thị Mai", "Thôn 4", Role.MEMBER),
    ("0912000016", "Lý Văn Tiến", "Thôn Nam Tiến", Role.MEMBER),
]
SUPERUSER = ("0912000000", "Quản trị hệ thống")


class Command(BaseCommand):
    help = "Seed the demo province Đắk Nông > Cư Jút with logins for every role (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        teams = {}
        self._team(TREE, None, teams)

        admin_phone, admin_name = SUPERUSER
        admin = Member.objects.filter(phone=f"+84{admin_phone[1:]}").first()
        if admin is None:
            admin = Member.objects.create_superuser(admin_phone, DEMO_PASSWORD, full_name=admin_name)
        logins = [(admin.phone, "superuser", "(everything)")]

        for phone, name, team_name, role in PEOPLE:
            e164 = f"+84{phone[1:]}"
            member = Member.objects.filter(phone=e164).first()
            if member is None:
                member = Member.objects.create_user(phone, DEMO_PASSWORD, full_name=name)
            Membership.objects.get_or_create(member=member, team=teams[team_name], defaults={"role": role})
            logins.append((member.phone, role, team_name))

        self._extra(teams)
        self.stdout.write(self.style.SUCCESS("Demo network ready. Logins (password: %s):" % DEMO_PASSWORD))
        for phone, role, team in logins:
            self.stdout.write(f"  {phone:<14} {role:<12} {team}")

    def _team(self, node, parent, teams):
        name, level, children = node
        team = Team.objects.filter(name=name, level=level, parent=parent).first()
        if team is None:
            team = Team(name=name, level=level, parent=parent)
            team.save()
            team.path = f"{parent.path if parent else '/'}{team.pk}/"
            team.save(update_fields=["path"])
        teams[name] = team
        for child in children:
            self._team(child, team, teams)

    def _extra(self, teams):
        """Hook for other apps' demo data (tasks add theirs here)."""
        from surveys.demo import seed_surveys
        from tasks.demo import seed_tasks

        seed_tasks(teams, stdout=self.stdout)
        seed_surveys(teams, stdout=self.stdout)
