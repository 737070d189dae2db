"""gunicorn settings, all from the environment:  gunicorn -c deploy/gunicorn.conf.py

GUNICORN_BIND        default 127.0.0.1:8000 (a proxy in front; several nodes: one per host)
WEB_CONCURRENCY      worker processes, default 2 x CPUs + 1
GUNICORN_THREADS     threads per worker, default 1 (sync workers: the API is database-bound)
GUNICORN_TIMEOUT     seconds before a stuck worker is replaced, default 30
GUNICORN_MAX_REQUESTS  recycle a worker after this many requests (0 = never), default 2000
GUNICORN_ACCESS_LOG  "-" (stdout, default), a file path, or "" to turn it off
GUNICORN_FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are trusted, default 127.0.0.1,::1
GUNICORN_CONTROL_SOCKET  path of gunicorn's control socket; unset: none (two servers on one
                     host would otherwise fight over the one in $HOME)
"""
import multiprocessing
import os

wsgi_app = "api.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Workers load the app after the fork: each opens its own database connections.
preload_app = False

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# Request time in microseconds (%(D)s) on every line: the load figures can be checked against it.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    """Once the app is loaded in a worker, its start-up objects (modules, URL patterns, the
    settings, the schema's serializers) go to the collector's permanent generation: a full
    collection during a request then no longer walks them."""
    import gc

    gc.freeze()
