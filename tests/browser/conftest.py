"""The console in a real browser: Playwright driving the system's chromium against a live server.

Run with `make browser` (BROWSER_TESTS=1). Never downloads a browser: CHROMIUM (default
/usr/bin/chromium, Debian's package) is launched through `executable_path`. Screenshots
go to SCREENSHOTS (default artifacts/screenshots/, git-ignored), one per step and
viewport; axe-core comes from tests/browser/node_modules (npm ci, pinned in
package-lock.json).
"""
import json
import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BROWSER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="the browser walk runs in `make browser` (BROWSER_TESTS=1)")
    for item in items:
        if str(item.fspath).startswith(str(HERE)):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API keeps an event loop on this thread (it drives it through greenlets);
    # the test's own database calls stay synchronous, which Django cannot tell without being told.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make browser does)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/browser (make browser does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(chromium, viewport, live_server):
    context = chromium.new_context(viewport=VIEWPORTS[viewport], base_url=live_server.url,
                                   locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.viewport_name = viewport
    tab.errors = errors  # a test that expects one (the 404 page's own status) takes it off
    yield tab
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


@pytest.fixture
def shoot(viewport):
    """shoot(page, story, step): a full-page screenshot under SCREENSHOTS."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(tab, story, step):
        tab.screenshot(path=str(SCREENSHOTS / f"{story}-{step}-{viewport}.png"), full_page=True)

    return take


@pytest.fixture
def axe():
    """axe(page): run axe-core on the page; fails on any serious or critical violation."""

    def check(tab):
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{tab.url}: {json.dumps(bad, ensure_ascii=False, indent=1)}"
        return result["violations"]

    return check
