"""A team visited as a whole, in the browser: the secretary logs a visit to one of the branch's
teams with a need raised there, follows the team's link from the visit to its file (一单位一档)
and finds the visit and the entry there; the file fits a phone (unit-file-*.png)."""

import pytest
from django.utils import timezone

from demo.seed import demo_seed
from liaison.constants import FRONTLINE_UNIT_KINDS, PersonKind
from liaison.models import Entry, Person, Unit, User, Visit
from tests.e2e.helpers import log_in
from tests.e2e.test_ledger_loop import fill_row

pytestmark = pytest.mark.e2e


def test_a_team_visit_lands_in_the_teams_file(live_server, page, phone_page, screenshot_dir):
    demo_seed(scale="small")
    base = live_server.url
    secretary = User.objects.get(username="shuji")
    team = (
        Unit.objects.filter(
            branch__path__startswith=secretary.scope_org.path,
            kind__in=sorted(FRONTLINE_UNIT_KINDS),
            people__kind=PersonKind.EMPLOYEE,
        )
        .order_by("code")
        .first()
    )
    worker = Person.objects.filter(unit=team, kind=PersonKind.EMPLOYEE).order_by("code").first()

    log_in(page, base, "shuji")
    page.goto(f"{base}/visits/new/")
    page.select_option("#id_visited_unit", str(team.pk))
    fill_row(page, 0, "班组休息室热水器损坏", "red")
    page.fill("#id_entries-0-informant", f"{worker.code} {worker.name}")
    page.screenshot(path=screenshot_dir / "unit-file-1-visit-form.png", full_page=True)
    page.get_by_role("button", name="保存走访").click()
    page.wait_for_url(f"{base}/visits/*/")
    visit = Visit.objects.get(visited_unit=team, visited_on=timezone.localdate())
    entry = Entry.objects.get(visit=visit)
    assert entry.party_unit == team and entry.informant == worker

    page.get_by_test_id("visit-visited").get_by_role("link", name=team.name).click()
    page.wait_for_url(f"{base}{team.get_absolute_url()}")
    assert f"/visits/{visit.pk}/" in page.get_by_test_id("file-visits").inner_html()
    assert entry.title in page.get_by_test_id("file-entries").inner_text()
    assert worker.name in page.get_by_test_id("unit-staff").inner_text()
    page.screenshot(path=screenshot_dir / "unit-file-2-1366.png", full_page=True)

    log_in(phone_page, base, "shuji")
    phone_page.goto(f"{base}{team.get_absolute_url()}")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=screenshot_dir / "unit-file-3-390.png", full_page=True)
