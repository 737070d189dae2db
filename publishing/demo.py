"""Demo channels, a week of posts, content in review and approved, topics and a daily schedule (seed_demo).

Everything goes through the services. Running it again changes nothing: a topic,
channel or item that already exists (same name or title and team) is left as it
is, and a channel that already has posts gets no more.
"""
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from tasks import services as task_services
from tasks.models import Topic
from teams.models import Member

from . import services
from .choices import ContentStatus
from .models import Channel, ContentItem, Schedule

TOPICS = ["Chính sách, pháp luật", "Lễ, Tết", "Người tốt việc tốt", "Văn hóa, thể thao", "Cảnh báo lừa đảo"]
# (team, platform, kind, name, url, posts a day, manager phone)
CHANNELS = [
    ("Lâm Đồng", "facebook", "page", "Lâm Đồng ngày mới", "https://facebook.com/lamdongngaymoi", 3, None),
    ("Lâm Đồng", "zalo", "page", "Zalo OA Ban Chỉ đạo 35 tỉnh Lâm Đồng", "https://zalo.me/lamdong35", 3, None),
    ("Tâm Thắng", "facebook", "page", "Tuổi trẻ Tâm Thắng", "https://facebook.com/tuoitretamthang", 2,
     "0912000011"),
    ("Tâm Thắng", "zalo", "group", "Nhóm Zalo thông tin xã Tâm Thắng", "https://zalo.me/g/tamthang", 2, None),
    ("Nam Dong", "facebook", "page", "Nam Dong quê hương tôi", "https://facebook.com/namdongquehuong", 2,
     "0912000015"),
]
SCAM = ("Cảnh giác chiêu lừa đảo giả danh công an gọi điện",
        "Công an không làm việc qua điện thoại, không yêu cầu chuyển tiền hay cài ứng dụng lạ. "
        "Nhận cuộc gọi như vậy, hãy cúp máy và báo công an xã.",
        ["https://congan.daknong.gov.vn/canh-bao-lua-dao"])
GOOD_DEED = ("Anh Y Khoa trả lại ví nhặt được cho người đánh rơi",
             "Trên đường đi rẫy, anh Y Khoa (Thôn 1) nhặt được ví có 5 triệu đồng và giấy tờ; anh đã tìm "
             "và trả lại cho chủ nhân.", ["https://tamthang.cujut.daknong.gov.vn/nguoi-tot-viec-tot"])
# In review: written by one of the province's two coordinators, so the other can approve it
# (four eyes: its author never can).
PENDING = ("Cảnh báo lừa đảo giả danh nhân viên điện lực gọi điện đòi tiền điện",
           "Thời gian gần đây, các đối tượng gọi điện xưng là nhân viên điện lực, báo khách hàng còn nợ tiền "
           "điện và dọa cắt điện ngay trong ngày, rồi yêu cầu chuyển khoản vào tài khoản cá nhân hoặc bấm vào "
           "đường link lạ để \"thanh toán\". Ngành điện không thu tiền qua tài khoản cá nhân và không gọi điện "
           "dọa cắt điện. Khi nhận cuộc gọi như vậy, bà con hãy cúp máy, không chuyển tiền, không bấm link, "
           "liên hệ điện lực nơi mình ở để kiểm tra và báo cho công an xã.", [])


def _person(phone):
    return Member.objects.get(phone=f"+84{phone[1:]}")


def _topic(team, name, actor):
    return Topic.objects.filter(team=team, name=name).first() or task_services.topic_create(
        actor=actor, team=team, name=name)


def _item(team, title, body, links, topic, author, status, reviewer=None):
    item = ContentItem.objects.filter(team=team, title=title).first()
    if item is not None:
        return item
    item = services.content_create(actor=author, team=team, title=title, body=body, links=links, topic=topic)
    if status in (ContentStatus.IN_REVIEW, ContentStatus.APPROVED):
        services.content_submit(item=item, actor=author)
    if status == ContentStatus.APPROVED:
        services.content_approve(item=item, actor=reviewer, note="Đã kiểm tra nguồn.")
    return item


@transaction.atomic
def seed_publishing(teams, stdout=None) -> None:
    province_coord, district_coord = _person("0912000001"), _person("0912000002")
    commune_coord, nam_dong_coord = _person("0912000004"), _person("0912000005")
    topics = {name: _topic(teams["Lâm Đồng"], name, district_coord) for name in TOPICS}

    scam = _item(teams["Lâm Đồng"], *SCAM, topics["Cảnh báo lừa đảo"], district_coord, ContentStatus.APPROVED,
                 province_coord)
    deed = _item(teams["Tâm Thắng"], *GOOD_DEED, topics["Người tốt việc tốt"], commune_coord,
                 ContentStatus.APPROVED, district_coord)
    _item(teams["Lâm Đồng"], *PENDING, topics["Cảnh báo lừa đảo"], province_coord, ContentStatus.IN_REVIEW)
    _item(teams["Tâm Thắng"], "Lịch nghỉ Tết Nguyên đán (bản nháp)", "Đang soạn.", [], topics["Lễ, Tết"],
          commune_coord, ContentStatus.DRAFT)

    coordinators = {"Lâm Đồng": district_coord, "Tâm Thắng": commune_coord, "Nam Dong": nam_dong_coord}
    today = timezone.localdate()
    by_topic = list(topics.values())
    made = 0
    for n, (team_name, platform, kind, name, url, target, manager) in enumerate(CHANNELS):
        team, actor = teams[team_name], coordinators[team_name]
        channel = Channel.objects.filter(url=url).first() or services.channel_create(
            actor=actor, team=team, platform=platform, kind=kind, name=name, url=url, posts_per_day_target=target,
            managers=[_person(manager)] if manager else [])
        if channel.posts.exists():
            continue
        # A week of posts: most days on target, some short (so the statistics show both).
        for day_back in range(7, 0, -1):
            day = today - timedelta(days=day_back)
            count = target if (day_back + n) % 3 else target - 1
            for k in range(count):
                when = timezone.make_aware(datetime.combine(day, time(7 + 4 * k, 30)))
                topic = by_topic[(day_back + k + n) % len(by_topic)]
                content = scam if topic.name == "Cảnh báo lừa đảo" else deed if topic.name == "Người tốt việc tốt" \
                    else None
                services.channel_post_create(channel=channel, actor=actor, published_at=when, topic=topic,
                                             content=content, url=f"{url}/posts/{day:%Y%m%d}{k}")
                made += 1
    schedule = _daily_schedule(teams["Tâm Thắng"], commune_coord, scam, topics["Cảnh báo lừa đảo"])
    if stdout is not None:
        stdout.write(f"Publishing: {len(CHANNELS)} channels, {made} posts, content approved and in review, "
                     f"a daily schedule ({schedule.title}, {schedule.time:%H:%M}).")


DAILY_TITLE = "Chia sẻ cảnh báo lừa đảo mỗi sáng"


def _daily_schedule(team, actor, content, topic) -> Schedule:
    """Every morning at 07:30 the commune's members share the scam warning on the commune's page."""
    existing = Schedule.objects.filter(team=team, title=DAILY_TITLE).first()
    if existing is not None:
        return existing
    channel = Channel.objects.get(url="https://facebook.com/tuoitretamthang")
    return services.schedule_create(
        actor=actor, team=team, title=DAILY_TITLE, kind="share", platform="facebook", repeat="daily",
        time=time(7, 30), due_hours=12, channel=channel, content=content, topic=topic,
        instructions="Chia sẻ bài cảnh báo trên trang Tuổi trẻ Tâm Thắng về trang cá nhân, kèm lời nhắc người thân.",
        targets={"teams": [team]})
