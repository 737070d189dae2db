"""The phone's routes are matched first (config/urls.py, HOT_PREFIXES): safe only while no
other pattern under /api/v1/ would match one of their paths, which this checks for every
route of theirs, including routes added later."""
import re

import pytest
from django.urls import URLResolver, resolve

from config import urls

PREFIX = "/api/v1/"


def _sample(pattern) -> str:
    """A path the pattern matches: each group filled with a value it takes."""
    text = str(pattern.pattern).lstrip("^").rstrip("$")
    text = re.sub(r"\(\?P<format>[^)]*\)", "json", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "5", text)
    return text.replace("\\.", ".").replace("/?", "/")


def _matches(entry, path) -> bool:
    return entry.resolve(path) is not None if not isinstance(entry, URLResolver) else _resolves(entry, path)


def _resolves(resolver, path) -> bool:
    try:
        return resolver.resolve(path) is not None
    except Exception:  # Resolver404: nothing in it matches
        return False


def test_the_hot_routes_come_first_and_nothing_else_matches_their_paths():
    hot = urls.hot_router.urls
    assert urls.api_v1[: len(hot)] == hot
    rest = urls.api_v1[len(hot):]
    samples = [_sample(pattern) for pattern in hot]
    assert len(samples) > 20 and any(s.startswith("assignments/") for s in samples)
    for path in samples:
        assert resolve(PREFIX + path).route.startswith(tuple(f"api/v1/{p}" for p in urls.HOT_PREFIXES)), path
        shadowing = [str(entry.pattern) for entry in rest if _matches(entry, path)]
        assert not shadowing, f"{path} is also matched by {shadowing}: the order would change its answer"


def test_a_hot_path_is_found_before_the_other_patterns_are_tried(monkeypatch):
    tried = []
    rest = urls.api_v1[len(urls.hot_router.urls):]
    for entry in rest:
        original = entry.resolve
        monkeypatch.setattr(entry, "resolve", lambda path, _o=original, _e=entry: tried.append(_e) or _o(path))
    assert resolve(PREFIX + "assignments/").url_name == "assignment-list"
    assert resolve(PREFIX + "assignments/5/complete/").url_name == "assignment-complete"
    assert tried == []


@pytest.mark.django_db
def test_the_token_api_skips_the_browser_middleware_and_the_console_keeps_it(client):
    """Messages and Django's request.user serve the console (api/middleware.py, _browser_only):
    an API request builds neither; DRF's authenticated member is still request.user."""
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    from tests.factories import MemberFactory

    member = MemberFactory()
    api = APIClient().get(PREFIX + "me/", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(member)}")
    assert api.status_code == 200
    request = api.wsgi_request
    assert not hasattr(request, "_messages")
    assert request.user.pk == member.pk  # set by DRF once the token was checked (what history reads)
    console = client.get("/console/login/")
    assert console.status_code == 200
    assert hasattr(console.wsgi_request, "_messages") and not console.wsgi_request.user.is_authenticated
