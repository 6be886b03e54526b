import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, watch_csp


@pytest.fixture(autouse=True)
def _page_cache_if_asked(request):
    """PORTAL_E2E_PAGE_CACHE=1 walks every journey with the page cache on, as in production
    (portal/pagecache.py): no journey may meet a page older than its own last change."""
    if os.environ.get("PORTAL_E2E_PAGE_CACHE") == "1":
        request.getfixturevalue("page_cache")
    yield


@pytest.fixture
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        csp_violations = watch_csp(browser)
        try:
            yield browser
        finally:
            browser.close()
        assert not csp_violations, "\n".join(csp_violations)
