"""Celery and its beat, the outbox, push, surveys and idempotency."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .rest import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# --- Background work, push, mobile sync and retries -----------------------------------
# CELERY_BROKER_URL unset (the default, and `make run`): tasks run eagerly, in the
# request's process, and their exceptions propagate like any other code's.
from celery.schedules import crontab  # noqa: E402

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged after its task ran, and put back when the process running it
# dies (a pool process killed, the OOM killer): the outbox consumer is idempotent, so a
# second run does nothing twice. The broker hands an unacknowledged message to another
# worker after the visibility timeout, which must outlast the longest task (the hard
# time limit) or a task still running would be started a second time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
BROKER_TIMEOUT_SECONDS = env_float("BROKER_TIMEOUT_SECONDS", 3.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    # above the 1 s blocking pop a worker waits on, so an idle queue is not an error
    "socket_timeout": max(BROKER_TIMEOUT_SECONDS, 2.0),
    "health_check_interval": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker to come back
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                    "interval_max": 1}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "notifications.tasks.send_deadline_reminders_task",
        "schedule": crontab(minute="*/15"),
    },
    # Work waiting for review: what the hourly limit held back goes out here.
    "review-waiting": {
        "task": "notifications.tasks.send_review_waiting_task",
        "schedule": crontab(minute="*/5"),
    },
    "overdue-digest": {  # 07:00 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
        "task": "notifications.tasks.send_overdue_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Opens and closes surveys at opens_at/closes_at and reminds, a day before closing,
    # those who have not answered.
    "survey-clock": {
        "task": "surveys.tasks.survey_clock_task",
        "schedule": crontab(minute="*"),
    },
    # Each report subscription's last finished period (reports.subscriptions), made once.
    "report-deliveries": {
        "task": "reports.tasks.deliver_due_reports_task",
        "schedule": crontab(minute=5),
    },
    # Announces the tasks whose publish_at has come (tasks/publication.py).
    "publish-due-tasks": {
        "task": "tasks.tasks.publish_due_tasks",
        "schedule": crontab(minute="*"),
    },
    # Makes each schedule's occurrence into one task (publishing/services/schedules.py).
    "run-due-schedules": {
        "task": "publishing.tasks.run_due_schedules",
        "schedule": crontab(minute="*"),
    },
    "prune-idempotency-keys": {
        "task": "api.tasks.prune_idempotency_keys",
        "schedule": crontab(minute=17),
    },
    "outbox-relay": {
        "task": "api.outbox.outbox_relay",
        "schedule": timedelta(seconds=env_int("OUTBOX_RELAY_SECONDS", 10)),
    },
    "prune-outbox": {
        "task": "api.tasks.prune_outbox",
        "schedule": crontab(hour=3, minute=41),
    },
    # Background jobs nobody holds (queued, or a worker died and its lease ran out).
    "jobs-relay": {
        "task": "api.jobs.jobs_relay_task",
        "schedule": timedelta(seconds=env_int("JOBS_RELAY_SECONDS", 15)),
    },
}

# Background jobs (api/jobs.py): a worker holds a job this long past its last committed
# batch; after that another worker resumes it. Keep it well above one batch's time.
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)
# An assign whose teams reach more people than this answers 202 with a job and is done in
# batches of ASSIGN_BATCH_SIZE people by a worker; at or below it, it is one transaction.
ASSIGN_BACKGROUND_THRESHOLD = env_int("ASSIGN_BACKGROUND_THRESHOLD", 20_000)
ASSIGN_BATCH_SIZE = env_int("ASSIGN_BATCH_SIZE", 50_000)

# The outbox (api/outbox.py): a row not done this long after it was handed over is
# handed over again by the relay; done rows are kept this many days for inspection.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)

# Push: FCM HTTP v1 when a service-account file is configured, a logging sender otherwise.
FCM_CREDENTIALS_FILE = os.environ.get("FCM_CREDENTIALS_FILE", "")
PUSH_SENDER = os.environ.get("PUSH_SENDER") or (
    "notifications.push.FCMSender" if FCM_CREDENTIALS_FILE else "notifications.push.LoggingSender"
)

# Pushes are never sent in the quiet hours (local time, TIME_ZONE): they wait until the
# hours end, while the feed gets the notification at once. "off" sends at any time.
QUIET_HOURS = env_quiet_hours("QUIET_HOURS", "21:00-07:00")

# Survey results in JSON carry at most this many text answers per question, picked at random
# (`answers_total` says how many there are); CSV and XLSX carry them all.
SURVEY_TEXT_ANSWERS_LIMIT = env_int("SURVEY_TEXT_ANSWERS_LIMIT", 1000)

# Idempotency-Key: first responses are replayed this long, then pruned.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
# How long a retry waits for the first request holding its key before answering 409.
IDEMPOTENCY_LOCK_WAIT_MS = env_int("IDEMPOTENCY_LOCK_WAIT_MS", 200)
IDEMPOTENCY_MAX_BODY_BYTES = 8 * 1024 * 1024

# Delta sync: the cursor handed to clients lags the server clock by this much (clock skew
# between app servers, and the instant between computing updated_at and sending the row).
SYNC_OVERLAP = timedelta(seconds=env_int("SYNC_OVERLAP_SECONDS", 5))
# How long a process reuses its reading of PostgreSQL's open writers for the cursor (api/sync.py:
# an older reading only makes the cursor earlier); 0 reads them for every list.
SYNC_WRITERS_READING_SECONDS = env_float("SYNC_WRITERS_READING_SECONDS", 1.0)

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# 12 MP: one upload decodes in ~0.25 s and ~45 MB at worst (api/images.py, make bench).
EVIDENCE_MAX_PIXELS = env_int("EVIDENCE_MAX_PIXELS", 12_000_000)
