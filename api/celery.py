"""The Celery app. Configuration comes from Django settings (CELERY_* names).

Run a worker with `celery -A api worker` and the schedule with `celery -A api beat`
once CELERY_BROKER_URL is set; without it every task runs eagerly.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")

app = Celery("api")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
