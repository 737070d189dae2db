from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an Idempotency-Key, per member and key.

    The row is written (and committed) before the request runs, with no response
    yet: a duplicate arriving meanwhile finds it and gets 409 instead of running the
    request a second time. See api/idempotency.py.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "key"], name="idempotency_key_once_per_member")]

    def __str__(self):
        return f"{self.member_id}:{self.key}"
