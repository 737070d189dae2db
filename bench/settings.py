"""The project's settings with the benchmark's urlconf, which also mounts the naive DRF baseline."""
from api.settings import *  # noqa: F401,F403
from api.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
