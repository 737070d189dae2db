"""seed_demo's publishing step, and the admin of every new model."""
import pytest
from django.core.management import call_command
from django.utils import timezone

from publishing.models import Channel, ChannelPost, ContentItem, Schedule, TaskPublication
from tasks.models import Topic

pytestmark = pytest.mark.django_db


def _counts():
    return (Channel.objects.count(), ChannelPost.objects.count(), Topic.objects.count(),
            sorted(ContentItem.objects.values_list("status", flat=True)))


def test_seed_demo_adds_channels_a_week_of_posts_content_and_topics_once():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # again: nothing changes
    assert _counts() == first
    channels, posts, topics, statuses = first
    assert channels == 5 and topics >= 5
    assert {"approved", "in_review"} <= set(statuses)
    assert set(Channel.objects.values_list("team__level", flat=True)) == {"province", "commune"}
    week_ago = timezone.now() - timezone.timedelta(days=8)
    assert posts == ChannelPost.objects.filter(published_at__gte=week_ago, published_at__lte=timezone.now()).count()
    assert ContentItem.objects.filter(title__icontains="lừa đảo", status="approved").exists()
    assert ContentItem.objects.filter(topic__name="Người tốt việc tốt", status="approved").exists()
    for item in ContentItem.objects.filter(status="approved"):
        assert item.reviewed_by_id != item.created_by_id  # four eyes in the demo too
    daily = Schedule.objects.get()  # once, however often the demo runs
    assert daily.repeat == "daily" and daily.is_active and daily.next_run_at is not None
    assert daily.content.status == "approved" and daily.target_teams.exists()


def test_the_demos_item_in_review_is_a_scam_warning_another_coordinator_can_approve():
    from django.core.exceptions import PermissionDenied

    from publishing import services
    from teams.choices import Role
    from teams.models import Membership

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    pending = ContentItem.objects.get(status="in_review")
    assert pending.topic.name in ("Cảnh báo lừa đảo", "Người tốt việc tốt")
    assert "lừa đảo" in pending.title and "công an xã" in pending.body
    author = pending.created_by
    with pytest.raises(PermissionDenied):
        services.content_approve(item=pending, actor=author)  # four eyes: never its author
    colleague = (Membership.objects.filter(team=pending.team, role=Role.COORDINATOR).exclude(member=author)
                 .select_related("member").first())
    assert colleague is not None, "another coordinator of the item's own team reviews it"
    services.content_approve(item=pending, actor=colleague.member)
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.reviewed_by_id == colleague.member_id


@pytest.mark.parametrize("url", [
    "/admin/publishing/channel/", "/admin/publishing/channel/?is_active__exact=1&platform__exact=facebook",
    "/admin/publishing/channelpost/", "/admin/publishing/channelpost/?channel__platform__exact=zalo",
    "/admin/publishing/contentitem/", "/admin/publishing/contentitem/?status__exact=approved",
    "/admin/publishing/taskpublication/", "/admin/tasks/topic/", "/admin/tasks/topic/?is_active__exact=1",
    "/admin/publishing/schedule/", "/admin/publishing/schedule/?is_active__exact=1&repeat__exact=daily",
    "/admin/publishing/schedulerun/", "/admin/publishing/schedulerun/?schedule__repeat__exact=weekly",
])
def test_the_admin_lists_and_filters_every_new_model(client, world, url):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client.force_login(world.superuser)
    assert client.get(url).status_code == 200


def test_the_admin_change_pages_open(client, world):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client.force_login(world.superuser)
    for model, obj in [("channel", Channel.objects.first()), ("contentitem", ContentItem.objects.first()),
                       ("channelpost", ChannelPost.objects.first()), ("schedule", Schedule.objects.first())]:
        assert client.get(f"/admin/publishing/{model}/{obj.pk}/change/").status_code == 200, model
    assert TaskPublication.objects.count() == 0
