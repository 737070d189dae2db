"""Work in the shared world for the console's pages, made through the services.

    home task   "Chia sẻ cảnh báo" of commune c1, fanned out to village v1a:
                member_v1a (completed with a link: waiting in coord_c1's review queue)
                and member_v1a_2 (still assigned)
    late task   of c1 for v1b, past due: member_v1b's work is overdue
    sibling     a task of commune c2 for v2a: member_v2a's assignment (the 404 side)
"""
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from tasks import services
from tasks.models import Assignment, Task


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def work(world):
    w = SimpleNamespace()
    soon = timezone.now() + timedelta(days=2)
    w.task = services.task_create(
        actor=world.coord_c1, title="Chia sẻ cảnh báo lừa đảo", kind="share", platform="facebook",
        team=world.c1, instructions="Chia sẻ bài viết lên trang cá nhân.\nGhi một câu của bạn.",
        reference_url="https://example.org/posts/canh-bao", due_at=soon)
    services.task_assign(task=w.task, actor=world.coord_c1, teams=[world.v1a])
    w.done = Assignment.objects.get(task=w.task, assignee=world.member_v1a)
    w.todo = Assignment.objects.get(task=w.task, assignee=world.member_v1a_2)
    services.assignment_complete(assignment=w.done, actor=world.member_v1a,
                                 evidence_url="https://facebook.com/lan/posts/1")

    w.late_task = services.task_create(actor=world.coord_c1, title="Bình luận ủng hộ", kind="comment",
                                       platform="zalo", team=world.c1, due_at=soon)
    services.task_assign(task=w.late_task, actor=world.coord_c1, teams=[world.v1b])
    Task.objects.filter(pk=w.late_task.pk).update(due_at=timezone.now() - timedelta(hours=3))
    w.late = Assignment.objects.get(task=w.late_task, assignee=world.member_v1b)

    w.sibling_task = services.task_create(actor=world.coord_c2, title="Việc của Nam Dong", kind="post",
                                          platform="facebook", team=world.c2, due_at=soon)
    services.task_assign(task=w.sibling_task, actor=world.coord_c2, teams=[world.v2a])
    w.sibling = Assignment.objects.get(task=w.sibling_task, assignee=world.member_v2a)
    return w


@pytest.fixture
def browse(db):
    """A test-client session logged in as `member` (None: anonymous), in Vietnamese unless `lang` says."""

    def make(member=None, lang=None, csrf=False):
        client = Client(enforce_csrf_checks=csrf)
        if member is not None:
            client.force_login(member)
        if lang:
            client.cookies["django_language"] = lang
        return client

    return make


def jpeg_with_gps() -> bytes:
    """A small JPEG whose EXIF holds a camera model and a GPS position."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Camera XYZ"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (12.0, 30.0, 0.0), "E", (107.0, 45.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def text(response) -> str:
    return response.content.decode()
