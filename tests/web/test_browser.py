"""The dashboard in Debian's Chromium against the live server, on the demo record, at 1440 and 375 px.

Screenshots of every page go to test-artifacts/ (not committed) for a human to look at.
"""

import json
import os
import re

import pytest

from tests.paths import ROOT
from tracker.services.reference import DEMO_FILE, demo_record_load
from tracker.views import ACTOR_PAGE_SIZE

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (loading the demo record) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(transactional_db, live_server):
    demo_record_load()
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


# Every document reports breaches of its Content-Security-Policy to the test. Playwright injects
# the listener and the binding itself, so the page's own policy cannot block the report.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
));
"""


class Watch:
    """Console errors, page errors, CSP violations, failed requests and requests that leave the live server."""

    def __init__(self, page, origin: str):
        self.problems: list[str] = []
        self.requests: list[str] = []
        page.expose_function("reportCspViolation", lambda text: self.problems.append(f"CSP: {text}"))
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )
        self.origin = origin

    def _failed(self, request) -> None:
        # htmx cancels a superseded fragment request on purpose when the query changes again.
        if request.failure == "net::ERR_ABORTED" and request.headers.get("hx-request") == "true":
            return
        # The browser fetches the favicon in the background and drops that fetch when the test
        # navigates on first (seen on a slow machine); a missing favicon still shows as an HTTP error.
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            return
        self.problems.append(f"failed: {request.url} {request.failure}")

    def check(self) -> None:
        assert self.problems == []
        outside = [u for u in self.requests if not u.startswith(self.origin) and not u.startswith("data:")]
        assert outside == [], "no request may leave the site"


def new_page(browser, site: str, *, width: int, height: int = 900, javascript: bool = True):
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page, Watch(page, site)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def test_an_analyst_filters_follows_a_line_and_opens_an_actor(browser, site):
    """The whole desktop journey, then the same site by keyboard and with JavaScript off.

    One test, because every browser test reloads the demo record into a fresh database."""
    analyst_journey(browser, site)
    keyboard_users_see_where_focus_is(browser, site)
    pages_read_and_filter_with_javascript_off(browser, site)


def analyst_journey(browser, site):
    page, watch = new_page(browser, site, width=1440)
    page.goto(site + "/")
    assert page.title() == "Overview · Red Line Tracker"
    assert page.locator(".status-card").count() == 4
    assert page.locator(".ft-row").count() >= 3
    weight = page.evaluate(
        "performance.getEntriesByType('navigation')[0].transferSize"
        " + performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, 0)"
    )
    assert 0 < weight < 300 * 1024
    shot(page, "overview-1440")

    page.get_by_role("link", name="Red lines", exact=True).click()
    page.wait_for_url(re.compile(r"/red-lines/$"))
    page.evaluate("window.__noReload = 'still here'")
    total = page.locator(".line-item").count()
    assert total > 3

    page.get_by_label("Crossed").check()
    page.wait_for_url(re.compile(r"status=crossed"))
    page.wait_for_function(f"document.querySelectorAll('.line-item').length < {total}")
    crossed = page.locator(".line-item")
    assert crossed.count() >= 1
    assert all(t.strip() == "Status: Crossed" for t in page.locator(".line-item .badge").all_text_contents())
    assert "format=csv" in page.get_by_role("link", name="CSV").get_attribute("href")
    assert "status=crossed" in page.get_by_role("link", name="CSV").get_attribute("href")

    page.get_by_label("Search title, statement and trigger").fill("missiles")
    page.wait_for_url(re.compile(r"q=missiles"))
    page.wait_for_function("document.querySelector('#result-count').textContent.includes('match')")
    assert "status=crossed" in page.url and "q=missiles" in page.url and "declared_by" not in page.url
    assert page.evaluate("window.__noReload") == "still here", "results must update without a reload"
    assert page.locator(".line-item").count() >= 1
    shot(page, "list-filtered-1440")

    page.locator(".line-item .line-title a").first.click()
    page.wait_for_selector("svg.timeline-svg")
    assert page.locator("svg.timeline-svg .mark").count() >= 2
    first_event = page.locator("svg.timeline-svg .mark").nth(1)
    first_event.focus()
    detail = page.locator("#timeline-detail")
    assert "Source:" in detail.inner_text()
    assert detail.locator("a").count() == 1
    assert page.locator(".events .sources a").count() >= 1
    assert page.locator("table.history tbody tr").count() >= 2
    assert (
        page.get_by_role("link", name="JSON", exact=True)
        .get_attribute("href")
        .startswith("/api/v1/red-lines/")
    )
    shot(page, "red-line-1440")

    page.locator(".parties .actor-chip").first.click()
    page.wait_for_selector("h2#ft-heading")
    assert page.locator(".figures dd").count() >= 3
    assert page.locator(".line-item").count() >= 1
    shot(page, "actor-1440")

    page.goto(site + "/actors/")
    demo_actors = len(json.loads(DEMO_FILE.read_text(encoding="utf-8"))["actors"])
    assert page.locator("table.actors tbody tr").count() == min(demo_actors, ACTOR_PAGE_SIZE)
    shot(page, "actors-1440")
    watch.check()


def test_every_page_reads_well_at_phone_width(browser, site):
    page, watch = new_page(browser, site, width=375, height=812)
    for name, path in [
        ("overview", "/"),
        ("list", "/red-lines/?status=crossed"),
        ("red-line", "/red-lines/putin-long-range-strikes-2024/"),
        ("actors", "/actors/"),
        ("actor", "/actors/vladimir-putin/"),
        ("not-found", "/red-lines/no-such-line/"),
    ]:
        seen = len(watch.problems)
        response = page.goto(site + path)
        assert response.status == (404 if name == "not-found" else 200)
        if name == "not-found":  # the browser reports the expected 404; nothing else may fail
            assert len(watch.problems) == seen + 2, watch.problems
            del watch.problems[seen:]
        if name != "not-found":
            no_sideways_scroll(page)
        assert page.locator("h1").count() == 1
        shot(page, f"{name}-375")

    page.goto(site + "/red-lines/")
    page.evaluate("window.__noReload = 1")
    page.get_by_label("Enforced").check()
    page.wait_for_url(re.compile(r"status=enforced"))
    page.wait_for_function("document.querySelectorAll('.line-item').length > 0")
    assert page.evaluate("window.__noReload") == 1
    no_sideways_scroll(page)
    watch.check()


def keyboard_users_see_where_focus_is(browser, site):
    page, watch = new_page(browser, site, width=1440)
    page.goto(site + "/red-lines/putin-long-range-strikes-2024/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["skip-link", "solid"]
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('mark')"):
            break
    else:
        pytest.fail("the timeline marks are not reachable by keyboard")
    halo = page.evaluate("getComputedStyle(document.activeElement.querySelector('.halo')).stroke")
    assert halo != "none" and "0, 0, 0, 0" not in halo
    assert "Declaration" in page.locator("#timeline-detail").inner_text()
    watch.check()


def pages_read_and_filter_with_javascript_off(browser, site):
    page, watch = new_page(browser, site, width=1440, javascript=False)
    page.goto(site + "/red-lines/")
    page.get_by_label("Withdrawn").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=withdrawn"))
    assert page.locator("#result-count").inner_text().startswith(str(page.locator(".line-item").count()))
    page.goto(site + "/red-lines/putin-long-range-strikes-2024/")
    assert page.locator("svg.timeline-svg .mark").count() >= 2
    assert page.locator(".events li.event").count() >= 2
    shot(page, "red-line-no-js-1440")
    watch.check()


def test_pages_built_by_libraries_keep_the_content_security_policy(browser, site, curator):
    """The dashboard pages are checked by every test above; these are the API docs, DRF's browsable
    API (anonymously, then with a curator's forms) and admin."""
    page, watch = new_page(browser, site, width=1440)
    page.goto(site + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 10
    shot(page, "api-docs-1440")
    line = "/api/v1/red-lines/putin-long-range-strikes-2024/"
    for path in ("/api/v1/", "/api/v1/red-lines/", line):
        assert page.goto(site + path).status == 200
    page.goto(site + "/api/v1/red-lines/")
    filters = page.get_by_role("button", name="Filters")
    assert filters.evaluate("button => getComputedStyle(button).float") == "right"
    filters.click()
    page.wait_for_selector("#filtersModal", state="visible")
    shot(page, "browsable-api-filters-1440")

    assert page.goto(site + "/admin/login/?next=/api/v1/red-lines/").status == 200
    page.get_by_label("Username").fill(curator.username)
    page.get_by_label("Password").fill("curator-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/api/v1/red-lines/$"))
    assert page.locator("#post-generic-content-form form").count() == 1, "a curator gets a form"
    shot(page, "browsable-api-curator-1440")
    page.goto(site + line)
    assert page.locator("#put-generic-content-form form").count() == 1
    extra = page.get_by_role("button", name="Extra Actions")
    assert extra.evaluate("button => getComputedStyle(button.parentElement).float") == "right"
    page.goto(site + "/api/v1/events/")
    assert page.locator("#post-generic-content-form form").count() == 1
    watch.check()

    # The watch itself notices a breach: an inline style attribute is refused by the policy.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("true")
    assert any(p.startswith("CSP: style-src-attr") for p in watch.problems), watch.problems
