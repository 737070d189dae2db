"""The demo network as it is in 2026 (scale's seed_demo runs it first, then each higher app's
demo). Running it again changes nothing.

    province Lâm Đồng                                (no district tier since July 2025)
      commune Tâm Thắng
        villages Thôn 1, Thôn 2, Thôn 3, Buôn Buôr
        joint Tổ liên chi Tâm Thắng                  (branches whose secretaries are rarely online)
        organisation Đoàn Thanh niên xã Tâm Thắng    (members also in their village)
      commune Nam Dong                               (merged with Đắk Drông: see its history)
        villages Thôn 4, Thôn Nam Tiến, and from Đắk Drông: Thôn 6, Buôn Ea Pô

The Youth Union team recruits with an open invite; two people have registered with it
and wait for its coordinator: a newcomer, and a village member asking to join it too.
"""
from django.db import transaction

from . import joining, services
from .choices import Level, Role, TeamKind
from .models import Invite, JoinRequest, JoinStatus, Member, Membership, Team

DEMO_PASSWORD = "demo-2026-pass"
PROVINCE = "Lâm Đồng"
YOUTH = "Đoàn Thanh niên xã Tâm Thắng"
JOINT = "Tổ liên chi Tâm Thắng"
MERGED = "Đắk Drông"  # merged into Nam Dong by the demo itself

A, J, O = TeamKind.AREA, TeamKind.JOINT, TeamKind.ORGANISATION
TREE = (PROVINCE, Level.PROVINCE, A, [
    ("Tâm Thắng", Level.COMMUNE, A, [
        ("Thôn 1", Level.VILLAGE, A, []),
        ("Thôn 2", Level.VILLAGE, A, []),
        ("Thôn 3", Level.VILLAGE, A, []),
        ("Buôn Buôr", Level.VILLAGE, A, []),
        (JOINT, Level.COMMUNE, J, []),
        (YOUTH, Level.COMMUNE, O, []),
    ]),
    ("Nam Dong", Level.COMMUNE, A, [
        ("Thôn 4", Level.VILLAGE, A, []),
        ("Thôn Nam Tiến", Level.VILLAGE, A, []),
    ]),
])
# Built once, then merged into Nam Dong (its villages and people move there).
MERGED_TREE = (MERGED, Level.COMMUNE, A, [
    ("Thôn 6", Level.VILLAGE, A, []),
    ("Buôn Ea Pô", Level.VILLAGE, A, []),
])

# phone, full name, team name, role (a person may be listed twice: two teams)
PEOPLE = [
    ("0912000001", "Nguyễn Văn Tỉnh", PROVINCE, Role.COORDINATOR),
    ("0912000002", "Trần Thị Hương", PROVINCE, Role.COORDINATOR),
    ("0912000003", "Lê Quan Sát", PROVINCE, Role.OBSERVER),
    ("0912000004", "Phạm Văn Thắng", "Tâm Thắng", Role.COORDINATOR),
    ("0912000005", "Hoàng Thị Dong", "Nam Dong", Role.COORDINATOR),
    ("0912000006", "Võ Văn Thôn", "Thôn 1", Role.COORDINATOR),
    ("0912000007", "Y Bhăm Niê", YOUTH, Role.COORDINATOR),
    ("0912000008", "Trịnh Văn Liên", JOINT, Role.COORDINATOR),
    ("0912000011", "Đặng Thị Lan", "Thôn 1", Role.MEMBER),
    ("0912000011", "Đặng Thị Lan", YOUTH, Role.MEMBER),
    ("0912000012", "Bùi Văn Minh", "Thôn 1", Role.MEMBER),
    ("0912000013", "Đỗ Thị Hoa", "Thôn 2", Role.MEMBER),
    ("0912000014", "Ngô Văn Nam", "Thôn 3", Role.MEMBER),
    ("0912000014", "Ngô Văn Nam", YOUTH, Role.MEMBER),
    ("0912000015", "Dương Thị Mai", "Thôn 4", Role.MEMBER),
    ("0912000016", "Lý Văn Tiến", "Thôn Nam Tiến", Role.MEMBER),
    ("0912000017", "H'Lim Byă", "Buôn Buôr", Role.MEMBER),
    ("0912000018", "Cụ Phan Văn Tổ", JOINT, Role.MEMBER),
]
# People of Đắk Drông before the merge; afterwards they are in Nam Dong (or its villages).
MERGED_PEOPLE = [
    ("0912000009", "Nông Văn Drông", MERGED, Role.COORDINATOR),
    ("0912000005", "Hoàng Thị Dong", MERGED, Role.MEMBER),  # in both: keeps coordinator
    ("0912000019", "Y Sao Ê Ban", "Buôn Ea Pô", Role.MEMBER),
    ("0912000020", "Lò Thị Sáu", "Thôn 6", Role.MEMBER),
]
SUPERUSER = ("0912000000", "Quản trị hệ thống")
# Registered with the Youth Union's invite, waiting for its coordinator (phone, full name):
# a newcomer, and Đỗ Thị Hoa of Thôn 2 asking to join the Youth Union too (existing_member).
JOIN_REQUESTS = [
    ("0912000031", "Rơ Châm Ka"),
    ("0912000013", "Đỗ Thị Hoa"),
]


def _e164(phone: str) -> str:
    return f"+84{phone[1:]}"


def _team(node, parent, teams):
    name, level, kind, children = node
    team = Team.objects.filter(name=name, level=level, kind=kind, parent=parent).first()
    if team is None:
        team = Team(name=name, level=level, kind=kind, parent=parent)
        team.save()
        team.path = f"{parent.path if parent else '/'}{team.pk}/"
        team.save(update_fields=["path"])
    teams[name] = team
    for child in children:
        _team(child, team, teams)


def _people(rows, teams):
    for phone, name, team_name, role in rows:
        member = Member.objects.filter(phone=_e164(phone)).first()
        if member is None:
            member = Member.objects.create_user(phone, DEMO_PASSWORD, full_name=name)
        Membership.objects.get_or_create(member=member, team=teams[team_name], defaults={"role": role})


def _merged_commune(teams, admin) -> None:
    """Đắk Drông is built once and merged into Nam Dong, as the 2025 reform merged communes."""
    if Team.objects.filter(name=MERGED, level=Level.COMMUNE).exists():
        return
    _team(MERGED_TREE, teams[PROVINCE], teams)
    _people(MERGED_PEOPLE, teams)
    services.team_merge(team=teams[MERGED], into=teams["Nam Dong"], actor=admin)


def _label(team: Team) -> str:
    kind = "" if team.kind == TeamKind.AREA else f"{team.get_kind_display()}, "
    return f"{team.name} ({kind}{team.get_level_display()})"


@transaction.atomic
def seed_network() -> tuple[dict[str, Team], list[tuple[str, str, str]]]:
    """The demo teams by name, and (phone, role, team) of every demo login, one line per role."""
    teams: dict[str, Team] = {}
    _team(TREE, None, teams)

    admin_phone, admin_name = SUPERUSER
    admin = Member.objects.filter(phone=_e164(admin_phone)).first()
    if admin is None:
        admin = Member.objects.create_superuser(admin_phone, DEMO_PASSWORD, full_name=admin_name)
    _people(PEOPLE, teams)
    _merged_commune(teams, admin)
    for team in Team.objects.filter(pk__in=[t.pk for t in teams.values()]):
        teams[team.name] = team  # fresh paths and flags after the merge

    logins = [(admin.phone, "superuser", "(everything)")]
    phones = list(dict.fromkeys(_e164(p) for p, *_ in PEOPLE + MERGED_PEOPLE))
    rows = (Membership.objects.filter(member__phone__in=phones).select_related("member", "team")
            .order_by("member__phone", "team__path"))
    for membership in rows:
        logins.append((membership.member.phone, membership.role,
                       f"{_label(membership.team)} — {membership.member.full_name}"))
    return teams, logins


def seed_joining(teams: dict[str, Team], stdout=None) -> Invite:
    """The Youth Union's open invite (a random code, 50 uses, no expiry) and the join
    requests waiting on it; made once."""
    youth = teams[YOUTH]
    invite = Invite.objects.filter(team=youth, revoked_at__isnull=True).order_by("pk").first()
    if invite is None:
        coordinator = Membership.objects.filter(team=youth, role=Role.COORDINATOR).select_related("member").first()
        invite = joining.invite_create(team=youth, actor=coordinator.member, max_uses=50)
        for phone, name in JOIN_REQUESTS:
            joining.join_register(code=invite.code, phone=phone, full_name=name, password=DEMO_PASSWORD)
    if stdout is not None:
        waiting = JoinRequest.objects.filter(team=youth, status=JoinStatus.PENDING).count()
        stdout.write(f"Invite to {youth.name}: code {invite.code} ({waiting} join requests waiting)")
    return invite
