"""Changing the Celery app's settings inside a test.

The app reads Django's CELERY_* settings (`config_from_object(namespace="CELERY")`), and
Celery 5.6 looks a setting up under its namespaced name first: `app.conf.task_always_eager
= False` alone is shadowed by CELERY_TASK_ALWAYS_EAGER and changes nothing. `configure`
sets both names and returns what was there, for `configure(**saved)` afterwards. A new
broker also drops the connection and producer pools made for the old one (kombu keeps
producer pools per connection, process-wide), so no later publish goes to a broker a
test made up; new routes replace the routing table read at the first publish.
"""
from kombu import pools

from api.celery import app


def configure(**values) -> dict:
    saved = {key: app.conf[key] for key in values}
    for key, value in values.items():
        app.conf[key] = value
        app.conf[f"CELERY_{key.upper()}"] = value
    if "broker_url" in values:
        drop_broker_connections()
    if "task_routes" in values:  # the routing table is read once per process, at its first publish
        app.amqp.flush_routes()
        app.amqp.router = app.amqp.Router()
    return saved


def drop_broker_connections() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
