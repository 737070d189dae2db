"""The demo network: teams of every level and a login for every role (scale's seed_demo
command runs it first, then each higher app's demo). Running it again changes nothing."""
from .choices import Level, Role
from .models import Member, Membership, Team

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


def _team(node, parent, teams):
    name, level, children = node
    team = Team.objects.filter(name=name, level=level, parent=parent).first()
    if team is None:
        team = Team(name=name, level=level, parent=parent)
        team.save()
        team.path = f"{parent.path if parent else '/'}{team.pk}/"
        team.save(update_fields=["path"])
    teams[name] = team
    for child in children:
        _team(child, team, teams)


def seed_network() -> tuple[dict[str, Team], list[tuple[str, str, str]]]:
    """The demo teams by name, and (phone, role, team) of every demo login."""
    teams: dict[str, Team] = {}
    _team(TREE, None, teams)

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
    return teams, logins
