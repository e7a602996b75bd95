"""The accessibility check itself: a page with faults makes it report each, with page and target."""

import pytest

from tests.e2e.axe import AxeChecker, CheckedPage

pytestmark = pytest.mark.e2e

FAULTY_PAGE = """<!doctype html><html lang="en"><head><title>Faults</title></head><body><main>
<p id="faint" style="color: #bbb; background: #fff">Grey on white, 1.9:1</p>
<button id="nameless" type="button"></button>
</main></body></html>"""


def test_the_check_reports_serious_and_critical_violations(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    url = f"{live_server.url}/not-the-app/"  # answered by the browser, the app never sees it
    page.route(url, lambda route: route.fulfill(content_type="text/html", body=FAULTY_PAGE))
    checker = AxeChecker(page)
    CheckedPage(page, checker).goto(url)
    checker.finish()
    context.close()
    found = {(v["id"], v["impact"], v["url"]): v["targets"] for v in checker.violations}
    assert set(found) == {("color-contrast", "serious", url), ("button-name", "critical", url)}
    assert found["color-contrast", "serious", url][0].startswith("#faint (1.9")
    assert found["button-name", "critical", url] == ["#nameless"]
    assert "button-name (critical) on " + url in checker.report()
