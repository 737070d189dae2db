"""The assignment row stands for its own "assigned" step (assigned_by, joined_late), and the
indexes no read goes by are dropped: a fan-out of 100k rows pays for every index.

The "assigned" events already written become columns of their assignment and are removed;
the timeline shows that step as event id 0 (tasks.selectors.assignment_timeline).
"""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

JOINED_LATE_NOTES = ("Joined a team this task was assigned to.", "Đã tham gia một đội được giao nhiệm vụ này.")


def events_to_columns(apps, schema_editor):
    Assignment = apps.get_model("tasks", "Assignment")
    AssignmentEvent = apps.get_model("tasks", "AssignmentEvent")
    first = AssignmentEvent.objects.filter(assignment_id=OuterRef("pk"), kind="assigned").order_by("created_at", "id")
    Assignment.objects.filter(events__kind="assigned").update(
        assigned_by_id=Subquery(first.values("actor_id")[:1]),
    )
    Assignment.objects.filter(events__kind="assigned", events__note__gt="").update(joined_late=True)
    AssignmentEvent.objects.filter(kind="assigned").delete()


def columns_to_events(apps, schema_editor):
    Assignment = apps.get_model("tasks", "Assignment")
    AssignmentEvent = apps.get_model("tasks", "AssignmentEvent")
    rows = Assignment.objects.values_list("pk", "assigned_by_id", "joined_late", "created_at").iterator(chunk_size=5000)
    batch = []
    for pk, actor_id, late, created_at in rows:
        batch.append(AssignmentEvent(assignment_id=pk, kind="assigned", actor_id=actor_id, from_status="",
                                     to_status="assigned", note=JOINED_LATE_NOTES[0] if late else "",
                                     created_at=created_at))
        if len(batch) >= 5000:
            AssignmentEvent.objects.bulk_create(batch)
            batch = []
    AssignmentEvent.objects.bulk_create(batch)


class Migration(migrations.Migration):

    dependencies = [
        ("tasks", "0004_publish_at"),
        ("reports", "0006_task_publish_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="assigned_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="assigned by"),
        ),
        migrations.AddField(
            model_name="assignment",
            name="joined_late",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(events_to_columns, columns_to_events, elidable=True),
        migrations.AlterField(
            model_name="assignment",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="reviewed_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="reviews",
                                    to=settings.AUTH_USER_MODEL, verbose_name="reviewed by"),
        ),
    ]
