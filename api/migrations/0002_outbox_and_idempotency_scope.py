import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def scope_from_member(apps, schema_editor):
    IdempotencyKey = apps.get_model("api", "IdempotencyKey")
    for row in IdempotencyKey.objects.all().only("pk", "member_id"):
        IdempotencyKey.objects.filter(pk=row.pk).update(scope=f"member:{row.member_id}")
    # Rows of the old scheme still "in progress" belong to requests that no longer run.
    IdempotencyKey.objects.filter(response_status=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=64)),
                ("payload", models.JSONField(default=dict)),
                ("key", models.CharField(max_length=255, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("available_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("last_error", models.CharField(blank=True, default="", max_length=500)),
                ("done_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(condition=models.Q(("done_at__isnull", True)), fields=["available_at"],
                                 name="outbox_owed"),
                    models.Index(fields=["done_at"], name="outbox_done_at"),
                ],
            },
        ),
        migrations.AddField(
            model_name="idempotencykey",
            name="scope",
            field=models.CharField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.RunPython(scope_from_member, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="idempotencykey", name="idempotency_key_once_per_member"),
        migrations.AlterField(
            model_name="idempotencykey",
            name="member",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(fields=("scope", "key"), name="idempotency_key_once_per_scope"),
        ),
    ]
