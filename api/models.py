from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an Idempotency-Key, per scope and key.

    The row, its stored answer and the request's effect commit in one transaction
    (or none of them does). A duplicate arriving while the first request still runs
    waits briefly on the uncommitted row and gets 409. See api/idempotency.py.
    """

    # "member:<id>", or for requests without a token "anon:<hash of client and request>".
    scope = models.CharField(max_length=80)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               null=True, blank=True)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")]

    def __str__(self):
        return f"{self.scope}:{self.key}"


class OutboxMessage(models.Model):
    """Work a committed change owes to the outside (a notification, a push), written in
    the same transaction as the change. See api/outbox.py.

    A row is owed until `done_at` is set, which the consumer does in the same
    transaction as the effect; the relay hands owed rows to Celery again once
    `available_at` has passed, so a message lost by the broker or a worker is sent
    again, and `key` makes the same piece of work one row however often it is asked for.
    """

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay may hand the row to the broker (again).
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["available_at"], condition=models.Q(done_at__isnull=True), name="outbox_owed"),
            models.Index(fields=["done_at"], name="outbox_done_at"),
        ]

    def __str__(self):
        return f"{self.kind} {self.key}"


class Job(models.Model):
    """Work too big for one request (a province-wide fan-out), done by a worker in
    batches. See api/jobs.py.

    Each batch commits together with the job's progress (`done`, `cursor`), so a job
    picked up again after a worker died resumes after its last committed batch and
    nothing is done twice. A worker holds the job while `lease_until` lies ahead; a
    lease that ran out is taken over (the relay hands such jobs over again).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict)
    # Where the next batch starts (the kind's own bookmark), committed with each batch.
    cursor = models.JSONField(default=dict)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["lease_until"], condition=models.Q(status__in=["queued", "running"]),
                         name="job_unfinished"),
            models.Index(fields=["started_by", "-id"], name="job_started_by"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                                   name="job_status_valid"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"
