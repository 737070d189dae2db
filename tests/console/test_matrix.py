"""Every console URL, every role: the status of tests/console/matrix.py, and the sibling
subtree's objects are the 404 page. Fails when console/urls.py has a URL without a row."""
import pytest
from django.test import Client
from django.urls import URLPattern, resolve, reverse

from console import urls as console_urls
from console.roles import can

from .conftest import text
from .matrix import CALLERS, KINDS, MATRIX, ROLES, body_for

pytestmark = pytest.mark.django_db


def console_url_names():
    return [p.name for p in console_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_console_url_has_a_row():
    names = console_url_names()
    assert len(names) == len(set(names)), "two console URLs share a name"
    missing = sorted(set(names) - set(MATRIX))
    assert not missing, f"console URLs without a row in tests/console/matrix.py: {missing}"
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"rows for URLs that no longer exist: {stale}"


CASES = [(name, method, role) for name, page in MATRIX.items() for method in page.methods for role in ROLES]


def _client(world, role):
    client = Client()
    if CALLERS[role]:
        client.force_login(getattr(world, CALLERS[role]))
    return client


def _url(name, page, pk=None):
    kwargs = dict(page.kwargs)
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"console:{name}", kwargs=kwargs or None)


@pytest.mark.parametrize("name, method, role", CASES, ids=[f"{n}-{m}-{r}" for n, m, r in CASES])
def test_each_role_gets_the_matrix_status(world, work, name, method, role):
    page = MATRIX[name]
    objects = {kind: home(world, work) for kind, (home, _sibling) in KINDS.items() if kind == page.kind or
               (kind == "completed" and name == "review-bulk-verify")}
    url = _url(name, page, objects.get(page.kind))
    client = _client(world, role)
    body = body_for(page, method, world, objects)
    response = client.post(url, body) if method == "post" else client.get(url)
    expected = page.methods[method][role]
    assert response.status_code == expected, (
        f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}\n{text(response)[:600]}")
    if expected == 302 and role == "anonymous" and name not in ("login", "logout", "language"):
        assert response["Location"].startswith("/console/login/")
    if expected in (403, 404):
        assert ("Không được phép" if expected == 403 else "Không tìm thấy") in text(response)


SIBLING_CASES = [(name, method) for name, page in MATRIX.items() if page.kind for method in page.methods]


@pytest.mark.parametrize("role", ["member", "observer", "coordinator"])
@pytest.mark.parametrize("name, method", SIBLING_CASES, ids=[f"{n}-{m}" for n, m in SIBLING_CASES])
def test_the_sibling_subtrees_objects_are_the_404_page(world, work, name, method, role):
    page = MATRIX[name]
    if role == "observer" and page.kind in ("team", "task", "campaign", "assigned", "completed", "survey", "offline",
                                            "channel", "content", "draft", "in review"):
        role = "member"  # the district observer reads both communes: the sibling is theirs to see
    sibling = KINDS[page.kind][1](world, work)
    url = _url(name, page, sibling)
    client = _client(world, role)
    response = client.post(url, body_for(page, method, world, {})) if method == "post" else client.get(url)
    view, caller = resolve(url).func, getattr(world, CALLERS[role])
    capability, admits = getattr(view, "capability", None), getattr(view, "admits", None)
    if (capability and not can(caller, capability)) or (admits and not admits(caller)):
        # A role refusal comes first, as in the API: whether the object exists is never told.
        assert response.status_code == 403
    else:
        assert response.status_code == 404, f"{method.upper()} {url} as {role}: {response.status_code}"
        assert "Không tìm thấy" in text(response)


@pytest.mark.parametrize("name", [n for n in MATRIX if n not in ("language", "not-found")])
def test_methods_a_page_does_not_take_are_405(world, work, name):
    page = MATRIX[name]
    objects = {kind: home(world, work) for kind, (home, _s) in KINDS.items() if kind == page.kind}
    client = _client(world, "coordinator")
    url = _url(name, page, objects.get(page.kind))
    for method in ("get", "post", "put", "patch", "delete"):
        if method in page.methods:
            continue
        assert getattr(client, method)(url).status_code == 405, f"{method.upper()} {url}"
