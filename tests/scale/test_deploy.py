"""The gunicorn config reads the environment the README documents."""
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load(monkeypatch, **env):
    for name in ["GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_ACCESS_LOG",
                 "GUNICORN_CONTROL_SOCKET"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_bind_locally_with_an_access_log_and_no_shared_control_socket(monkeypatch):
    config = load(monkeypatch)
    assert config["bind"] == "127.0.0.1:8000"
    assert config["wsgi_app"] == "api.wsgi:application"
    assert config["workers"] >= 3
    assert config["worker_class"] == "sync"
    assert config["accesslog"] == "-"
    assert config["control_socket_disable"] is True


def test_workers_threads_bind_and_log_come_from_the_environment(monkeypatch):
    config = load(monkeypatch, WEB_CONCURRENCY="5", GUNICORN_THREADS="4", GUNICORN_BIND="0.0.0.0:9000",
                  GUNICORN_ACCESS_LOG="", GUNICORN_CONTROL_SOCKET="/run/api/gunicorn.ctl")
    assert (config["workers"], config["threads"], config["worker_class"]) == (5, 4, "gthread")
    assert config["bind"] == "0.0.0.0:9000"
    assert config["accesslog"] is None
    assert config["control_socket"] == "/run/api/gunicorn.ctl"
