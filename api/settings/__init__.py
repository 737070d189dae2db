"""Settings read from the environment.

DATABASE_URL  default: a SQLite file in the project folder
DATABASE_REPLICA_URL  optional read replica for reports (api/db_routers.py)
SECRET_KEY    required when DEBUG is off
DEBUG         "1"/"true" turns debug on (make run does)
ALLOWED_HOSTS comma-separated
DJANGO_ENV    "production" turns on the HTTPS profile (SSL redirect behind a proxy
              header, HSTS, secure cookies); each part can be overridden by its own
              variable. SECURITY.md lists them all.
CACHE_URL / REDIS_URL  redis://host:6379/0 for the shared cache (throttles); default:
              a per-process memory cache. While Redis is down or slow the cache falls
              back to process memory (api/cache.py). LOCAL_CACHE_ENTRIES (100000) sizes
              the per-process cache.
DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, REQUEST_TIMEOUT_SECONDS,
CACHE_TIMEOUT_SECONDS, BROKER_TIMEOUT_SECONDS  bounds on every dependency (see below)
THROTTLE_*    request rates, e.g. THROTTLE_USER=200/min (see REST_FRAMEWORK below)
CORS_ALLOWED_ORIGINS  comma-separated origins allowed to call the API from a browser

The settings are grouped by concern, each module reading the ones before it:
env (the helpers) -> security -> core -> database -> cache -> rest -> background.
"""
from .background import *  # noqa: F401,F403
