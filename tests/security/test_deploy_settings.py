"""API8 Security misconfiguration: the production profile, required secrets, headers, CORS.

Settings are read once per process, so each profile is loaded in a subprocess
with its own environment.
"""
import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "api.example.org"
WEB_APP = "https://app.example.org"

# Variables of the surrounding run that would colour a profile under test.
_PROFILE_VARS = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "CORS_ALLOWED_ORIGINS", "CSRF_TRUSTED_ORIGINS",
    "CACHE_URL", "REDIS_URL", "NUM_PROXIES", "API_MAX_REQUEST_BYTES", "DATABASE_URL",
}


def _env(**overrides):
    env = {k: v for k, v in os.environ.items()
           if k not in _PROFILE_VARS and not k.startswith(("SECURE_", "SESSION_", "CSRF_", "THROTTLE_"))}
    env["DJANGO_SETTINGS_MODULE"] = "api.settings"
    env["DATABASE_URL"] = "sqlite://:memory:"  # nothing here needs tables; leave no file behind
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def production_env(**overrides):
    return _env(**{
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": HOST,
        "CORS_ALLOWED_ORIGINS": WEB_APP,
        **overrides,
    })


def run(args, env, timeout=180):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def import_settings(env):
    return run(["-c", "import api.settings"], env)


class TestCheckDeploy:
    def test_the_production_profile_passes_check_deploy_at_warning_level(self):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
        assert result.returncode == 0, result.stdout + result.stderr

    def test_without_the_profile_check_deploy_fails(self):
        # Proves the test above measures the profile: plain DEBUG=0 is not production-ready.
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                     production_env(DJANGO_ENV=None))
        assert result.returncode != 0
        for check_id in ["security.W004", "security.W008", "security.W012", "security.W016"]:
            assert check_id in result.stdout + result.stderr

    def test_a_weak_secret_key_fails_check_deploy(self):
        result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                     production_env(SECRET_KEY="short"))
        assert result.returncode != 0
        assert "security.W009" in result.stdout + result.stderr


class TestRefusesToStart:
    def test_without_secret_key_when_debug_is_off(self):
        result = import_settings(_env(DEBUG="0"))
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_with_an_empty_secret_key(self):
        result = import_settings(_env(DEBUG="0", SECRET_KEY=""))
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr

    def test_production_with_debug_on(self):
        result = import_settings(production_env(DEBUG="1"))
        assert result.returncode != 0
        assert "DEBUG must be off" in result.stderr

    def test_production_without_allowed_hosts(self):
        result = import_settings(production_env(ALLOWED_HOSTS=""))
        assert result.returncode != 0
        assert "ALLOWED_HOSTS" in result.stderr

    @pytest.mark.parametrize("name,value", [
        ("DJANGO_ENV", "prod"),
        ("THROTTLE_USER", "lots"),
        ("THROTTLE_LOGIN_PHONE", "0/min"),
        ("CACHE_URL", "memcached://127.0.0.1:11211"),
        ("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO"),
        ("API_MAX_REQUEST_BYTES", "ten megabytes"),
        ("JWT_ACCESS_MINUTES", "fifteen"),
        ("JWT_REFRESH_DAYS", "30d"),
        ("DB_CONN_MAX_AGE", "forever"),
        ("SYNC_OVERLAP_SECONDS", "5s"),
    ])
    def test_with_a_malformed_variable(self, name, value):
        result = import_settings(production_env(**{name: value}))
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and name in result.stderr

    def test_development_runs_without_secrets_over_plain_http(self):
        # `make run`: DEBUG=1, nothing else set.
        script = ("from django.conf import settings as s; import json; print(json.dumps("
                  "[s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS]))")
        result = run(["-c", "import django; django.setup(); " + script], _env(DEBUG="1"))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == [True, False, 0, False, ["127.0.0.1", "localhost"]]


PROBE = textwrap.dedent("""
    import json, django
    django.setup()
    from django.test import Client
    c = Client()
    out = {}
    for name, kwargs in {
        "plain_http": {},
        "via_https_proxy": {"HTTP_X_FORWARDED_PROTO": "https"},
        "healthz_plain": None,
    }.items():
        if kwargs is None:
            r = c.get("/healthz", HTTP_HOST="%(host)s")
        else:
            r = c.get("/api/v1/me/", HTTP_HOST="%(host)s", **kwargs)
        out[name] = {"status": r.status_code, "headers": dict(r.headers)}
    from django.conf import settings as s
    out["cookies"] = [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY]
    print(json.dumps(out))
""") % {"host": HOST}


@pytest.fixture(scope="module")
def production_probe():
    result = run(["-c", PROBE], production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class TestProductionResponses:
    def test_plain_http_is_redirected_to_https(self, production_probe):
        response = production_probe["plain_http"]
        assert response["status"] == 301
        assert response["headers"]["Location"] == f"https://{HOST}/api/v1/me/"

    def test_https_behind_the_proxy_is_served_with_security_headers(self, production_probe):
        response = production_probe["via_https_proxy"]
        assert response["status"] == 401  # reached the API: no token
        headers = response["headers"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"

    def test_healthz_answers_load_balancers_over_plain_http(self, production_probe):
        assert production_probe["healthz_plain"]["status"] == 200

    def test_cookies_are_secure(self, production_probe):
        assert production_probe["cookies"] == [True, True, True]


@pytest.mark.django_db
class TestCors:
    @pytest.fixture(autouse=True)
    def allow_list(self, settings):
        settings.CORS_ALLOWED_ORIGINS = [WEB_APP]

    def test_a_listed_origin_gets_the_header(self, client_for, world):
        response = client_for(world.coord_c1).get("/api/v1/teams/", HTTP_ORIGIN=WEB_APP)
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == WEB_APP
        assert "Access-Control-Allow-Credentials" not in response
        exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
        assert {"etag", "retry-after"} <= exposed

    def test_an_unlisted_origin_gets_no_header(self, client_for, world):
        for origin in ["https://evil.example.com", "https://app.example.org.evil.com", "http://app.example.org"]:
            response = client_for(world.coord_c1).get("/api/v1/teams/", HTTP_ORIGIN=origin)
            assert "Access-Control-Allow-Origin" not in response, origin

    def test_preflight_of_a_listed_origin_allows_the_api_headers(self, client):
        response = client.options("/api/v1/teams/", HTTP_ORIGIN=WEB_APP,
                                  HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                                  HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == WEB_APP
        allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "idempotency-key", "if-none-match"} <= allowed

    def test_preflight_of_an_unlisted_origin_is_not_allowed(self, client):
        response = client.options("/api/v1/teams/", HTTP_ORIGIN="https://evil.example.com",
                                  HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
        assert "Access-Control-Allow-Origin" not in response

    def test_the_allow_list_comes_from_the_environment(self):
        script = "import django; django.setup(); from django.conf import settings as s; print(s.CORS_ALLOWED_ORIGINS)"
        result = run(["-c", script], production_env(CORS_ALLOWED_ORIGINS=f"{WEB_APP}, https://admin.example.org"))
        assert result.stdout.strip() == str([WEB_APP, "https://admin.example.org"])

    def test_nothing_is_allowed_by_default(self):
        script = "import django; django.setup(); from django.conf import settings as s; print(s.CORS_ALLOWED_ORIGINS)"
        assert run(["-c", script], _env(DEBUG="1")).stdout.strip() == "[]"


def test_throttle_rates_come_from_the_environment_with_sane_defaults():
    script = ("import django; django.setup(); import json; from django.conf import settings as s; "
              "print(json.dumps(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']))")
    result = run(["-c", script], production_env(THROTTLE_USER="42/min"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "user": "42/min", "anon": "60/min", "login_phone": "10/hour", "login_address": "30/min",
    }


class TestCacheSettings:
    def test_redis_url_selects_the_redis_cache(self):
        from api.settings import caches_from_url

        from django.core.cache.backends.redis import RedisCache
        from django.utils.module_loading import import_string

        config = caches_from_url("redis://127.0.0.1:6379/5")["default"]
        # Django's Redis cache, with short timeouts and a fallback to memory (api/cache.py)
        assert issubclass(import_string(config["BACKEND"]), RedisCache)
        assert config["LOCATION"] == "redis://127.0.0.1:6379/5"
        assert config["OPTIONS"]["socket_timeout"] <= 1 and config["OPTIONS"]["socket_connect_timeout"] <= 1

    def test_without_a_url_a_memory_cache_is_used(self):
        from django.core.cache.backends.locmem import LocMemCache
        from django.utils.module_loading import import_string

        from api.settings import caches_from_url

        config = caches_from_url(None)["default"]
        assert issubclass(import_string(config["BACKEND"]), LocMemCache)
        assert config["OPTIONS"]["MAX_ENTRIES"] >= 100_000  # every person's auth state, not Django's 300

    def test_redis_url_is_read_from_the_environment(self):
        script = "import django; django.setup(); from django.conf import settings as s; print(s.CACHES['default']['LOCATION'])"
        result = run(["-c", script], production_env(REDIS_URL="redis://cache.internal:6379/2"))
        assert result.stdout.strip() == "redis://cache.internal:6379/2"
