"""Demo campaign and tasks in every state, on top of the demo network (scale's seed_demo).

Everything goes through the services, so the timelines are real. Running it
again changes nothing: a task that already exists (same title and team) is
left as it is.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teams.models import Member

from . import services
from .choices import Platform, Priority, TaskKind, TaskStatus
from .models import Campaign, Task

CAMPAIGN = "Tháng cao điểm phòng chống lừa đảo trực tuyến"


def _person(phone):
    return Member.objects.get(phone=f"+84{phone[1:]}")


@transaction.atomic
def seed_tasks(teams, stdout=None) -> None:
    district_coord = _person("0912000002")
    commune_coord = _person("0912000004")
    nam_dong_coord = _person("0912000005")
    lan, minh, hoa, nam, mai, tien = (_person(f"09120000{n}") for n in range(11, 17))
    now = timezone.now()

    campaign = Campaign.objects.filter(name=CAMPAIGN, team=teams["Cư Jút"]).first()
    if campaign is None:
        campaign = services.campaign_create(
            actor=district_coord, name=CAMPAIGN, team=teams["Cư Jút"], starts_at=now,
            ends_at=now + timedelta(days=30),
            description="Chia sẻ, bình luận các bài cảnh báo lừa đảo của Công an huyện.",
        )

    def task(title, team, actor, **fields):
        existing = Task.objects.filter(title=title, team=teams[team]).first()
        if existing is not None:
            return None
        fields.setdefault("due_at", now + timedelta(days=7))
        return services.task_create(actor=actor, title=title, team=teams[team], **fields)

    def step(action, task, member, actor, **data):
        assignment = task.assignments.get(assignee=member)
        services.ACTIONS[action](assignment=assignment, actor=actor, **data)

    # Open, fanned out to a commune: members' work in every stage.
    t = task("Chia sẻ bài cảnh báo lừa đảo qua mạng", "Tâm Thắng", commune_coord,
             kind=TaskKind.SHARE, platform=Platform.FACEBOOK, campaign=campaign, priority=Priority.HIGH,
             reference_url="https://www.facebook.com/conganhuyencujut/posts/1001",
             instructions="Chia sẻ bài viết về trang cá nhân kèm một dòng nhắc người thân cảnh giác.")
    if t is not None:
        services.task_assign(task=t, actor=commune_coord, teams=[teams["Tâm Thắng"]])
        step("complete", t, lan, lan, evidence_url="https://www.facebook.com/lan/posts/1")
        step("verify", t, lan, commune_coord, note="Tốt.")
        step("complete", t, minh, minh, evidence_url="https://www.facebook.com/minh/posts/2")
        step("reject", t, minh, commune_coord, reason="Bài chia sẻ để chế độ riêng tư, hãy để công khai.")
        step("complete", t, hoa, hoa, evidence_url="https://www.facebook.com/hoa/posts/3", note="Đã chia sẻ.")
        step("start", t, nam, nam)

    # Open, district-wide: assigned, declined, in progress.
    t = task("Bình luận hướng dẫn nhận diện tin nhắn giả mạo", "Cư Jút", district_coord,
             kind=TaskKind.COMMENT, platform=Platform.ZALO, campaign=campaign,
             reference_url="https://zalo.me/conganhuyencujut/2002")
    if t is not None:
        services.task_assign(task=t, actor=district_coord, teams=[teams["Cư Jút"]])
        step("decline", t, mai, mai, reason="Tôi không dùng Zalo.")
        step("start", t, tien, tien)

    # Cancelled: finished work keeps its status, the rest is cancelled.
    t = task("Đăng video giới thiệu mô hình tổ tự quản", "Nam Dong", nam_dong_coord,
             kind=TaskKind.POST, platform=Platform.TIKTOK)
    if t is not None:
        services.task_assign(task=t, actor=nam_dong_coord, teams=[teams["Nam Dong"]])
        step("complete", t, mai, mai, evidence_url="https://www.tiktok.com/@mai/video/3")
        services.task_cancel(task=t, actor=nam_dong_coord)

    # Closed after everyone's work was checked.
    t = task("Chia sẻ thông báo lịch tiêm chủng", "Thôn 1", commune_coord,
             kind=TaskKind.SHARE, platform=Platform.WEBSITE, reference_url="https://cujut.daknong.gov.vn/tin/4")
    if t is not None:
        services.task_assign(task=t, actor=commune_coord, teams=[teams["Thôn 1"]])
        for member in (lan, minh):
            step("complete", t, member, member, evidence_url=f"https://www.facebook.com/{member.pk}/posts/4")
            step("verify", t, member, commune_coord)
        services.task_update(task=t, actor=commune_coord, status=TaskStatus.CLOSED)

    # Open and past its due date: shows up as overdue.
    t = task("Thả cảm xúc bài tuyên truyền an toàn giao thông", "Thôn 2", commune_coord,
             kind=TaskKind.OTHER, platform=Platform.YOUTUBE, reference_url="https://www.youtube.com/watch?v=demo5")
    if t is not None:
        services.task_assign(task=t, actor=commune_coord, members=[hoa])
        # Demo only: the API refuses past due dates, so the deadline is moved back directly.
        Task.objects.filter(pk=t.pk).update(due_at=now - timedelta(days=1))

    # Offline: leaflets handed out in Thôn 1, one member's count recorded by the coordinator
    # (no smartphone), one verified.
    t = task("Phát tờ rơi cảnh báo lừa đảo tại chợ", "Thôn 1", commune_coord,
             kind=TaskKind.OFFLINE, platform=Platform.OTHER, unit="tờ rơi", campaign=campaign,
             instructions="Phát tờ rơi tại chợ phiên sáng chủ nhật; ghi lại số tờ đã phát.")
    if t is not None:
        services.task_assign(task=t, actor=commune_coord, teams=[teams["Thôn 1"]])
        step("complete", t, lan, lan, quantity=150, note="Chợ Tâm Thắng.")
        step("verify", t, lan, commune_coord)
        step("complete", t, minh, commune_coord, quantity=80, on_behalf=True,
             note="Ghi nhận giúp anh Minh (không dùng điện thoại thông minh).")

    if stdout is not None:
        stdout.write(f"Demo tasks ready: {Task.objects.count()} tasks, campaign «{campaign.name}».")
