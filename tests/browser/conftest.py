"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright. Never skipped: a missing
browser is an error, because `make test` installs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LINDUNG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# between page actions are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium tidak ada di {CHROMIUM}: jalankan `make test` (memasang paket chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Playwright gives every launch a new, empty profile directory of its own.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    # An English browser: Lindung must still answer in Indonesian until the user switches.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "panduan" / "img"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def guide_shot(page):
    """`guide_shot("name")`: the user guide's picture `img/name.png`, taken from this test's page.

    `make docs` sets LINDUNG_DOCS_SCREENSHOTS=1 and the pictures go into docs/panduan/img/ (so the guide never
    shows stale screens); an ordinary test run writes them under var/screenshots/ and leaves the guide alone.
    tests/test_guide_images.py checks that every picture a guide page shows is taken by a test.
    """
    folder = GUIDE_IMAGES if os.environ.get("LINDUNG_DOCS_SCREENSHOTS") == "1" else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)

    def shot(name: str, *, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
        return path

    return shot
