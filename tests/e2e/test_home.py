"""Home is my work, in the browser: each role opens the home page, sees what was seeded for it
and follows an item to its entry. The secretary sees the branch's overdue, due-soon and
reopened entries; office and grassroots cadres their own; the handler follows a referral; the
committee's staff goes from overdue by unit to an overdue entry; the leadership cadre sees his
contact points' entries and the satisfaction of his scope, then reads the dashboard and the
supervision board without a way to change anything. Screenshots at 1280 px (Chinese), 1366 px
(English) and 390 px (home-work-*.png, home-role-*.png, home-leader-*.png)."""

import datetime as dt

import pytest
from django.utils import timezone

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from feedback.constants import RatingChannel, Satisfaction
from feedback.selectors.home_panels import satisfaction_glance
from feedback.services.ratings import rating_record
from feedback.services.rollups import rollups_rebuild
from feedback.templatetags.dashboard import percent
from liaison.constants import EntryStatus, PairingKind
from liaison.models import Entry, OrgNode, Pairing, Person, Unit, User
from liaison.services.workflow import entry_act
from liaison.workdays import WorkCalendar
from tests.e2e.helpers import log_in, log_out, switch_language
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e


def _calendar() -> WorkCalendar:
    today = timezone.localdate()
    return WorkCalendar.load(today.year - 1, today.year + 1)


def _record(owner: User, title: str, informant: Person | None = None) -> Entry:
    informant = informant or Person.objects.filter(org=owner.scope_org).first()
    return make_entry(owner, title=title, informant=informant, recorded_on=timezone.localdate())


def _due(entry: Entry, due_on) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(due_on=due_on)
    return Entry.objects.get(pk=entry.pk)


def _reopened(entry: Entry) -> Entry:
    """Resolved on the spot, replied, then reopened by the informant's unsatisfied answer."""
    for action, data in [
        ("resolve_on_spot", {"result": "已现场处理"}),
        ("reply", {"text": "已处理完毕", "method": "phone"}),
        ("reopen", {}),
    ]:
        entry = entry_act(
            action=action,
            entry=entry,
            actor=None if action == "reopen" else entry.owner,
            expected_version=entry.version,
            **data,
        )
    return entry


def _own_work(owner: User, titles: tuple[str, str, str]) -> dict[str, Entry]:
    """An owner's entries: one overdue, one due today, one reopened."""
    today = timezone.localdate()
    overdue, due_soon, reopened = titles
    return {
        "overdue": _due(_record(owner, overdue), _calendar().working_days_back(today, 3)),
        "due_soon": _due(_record(owner, due_soon), today),
        "reopened": _reopened(_record(owner, reopened)),
    }


def _seed_work() -> dict[str, Entry]:
    """The secretary's branch: one entry overdue, one due today, one reopened; one referred to
    the handler's department."""
    secretary = User.objects.get(username="shuji")
    made = _own_work(secretary, ("配电房屋顶漏雨", "值班室空调不制冷", "食堂饭菜偏咸"))
    handler = User.objects.get(username="bumen")
    referred = entry_act(
        action="refer",
        entry=_record(secretary, "线路树障清理"),
        actor=secretary,
        expected_version=1,
        department=Unit.objects.get(pk=handler.department_id),
        note="请安排清理",
    )
    assert referred.status == EntryStatus.REFERRED
    return {**made, "referred": referred}


def test_each_role_finds_its_work_on_the_home_page(live_server, page, phone_page, screenshot_dir):
    demo_seed(scale="small")
    made = _seed_work()
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, "shuji")
    for key, testid in [("overdue", "overdue"), ("due_soon", "due_soon"), ("reopened", "reopened")]:
        queue = page.get_by_test_id(f"work-{testid}")
        assert made[key].title in queue.inner_text(), key
    # The menu's badges arrive after the page: what waits, and the ledger's overdue entries.
    badge = page.get_by_test_id("nav-badge-home")
    badge.wait_for()
    assert int(badge.inner_text().split()[0]) >= 3
    assert int(page.get_by_test_id("nav-badge-ledger_branch").inner_text().split()[0]) >= 1
    page.screenshot(path=screenshot_dir / "home-work-1-secretary-1280.png", full_page=True)
    page.get_by_test_id("work-overdue").get_by_text(made["overdue"].title).click()
    page.wait_for_url(f"{base}{made['overdue'].get_absolute_url()}")
    assert page.get_by_test_id("deadline").is_visible()
    log_out(page, base)

    log_in(page, base, "bumen")
    assert made["referred"].title in page.get_by_test_id("work-to_sign").inner_text()
    log_out(page, base)

    log_in(page, base, "dangjian")
    assert page.get_by_test_id("work-board").is_visible()
    assert int(page.get_by_test_id("work-board-overdue").inner_text()) >= 1
    log_out(page, base)

    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "shuji")
    switch_language(page, "en")
    assert "What to do now" in page.get_by_test_id("work").inner_text()
    page.screenshot(path=screenshot_dir / "home-work-2-secretary-1366-en.png", full_page=True)

    log_in(phone_page, base, "shuji")
    assert made["overdue"].title in phone_page.get_by_test_id("work-overdue").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=screenshot_dir / "home-work-3-secretary-390.png", full_page=True)


def _open_from_queue(page, base: str, queue: str, entry: Entry) -> None:
    """Follow an entry's link in a work queue of the home page to its entry page."""
    page.get_by_test_id(f"work-{queue}").get_by_role("link", name=entry.title).click()
    page.wait_for_url(f"{base}{entry.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).filter(has_text=entry.title).is_visible()


@pytest.mark.parametrize(
    ("username", "titles"),
    [
        ("jiguan", ("办公楼电梯故障", "机关食堂排队久", "会议室投影不清")),
        ("jiceng", ("班组工具柜短缺", "巡检车辆老旧", "倒班宿舍热水不足")),
    ],
)
def test_a_cadre_finds_his_overdue_due_soon_and_reopened_entries(
    live_server, page, screenshot_dir, username, titles
):
    demo_seed(scale="small")
    made = _own_work(User.objects.get(username=username), titles)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, username)
    for queue, entry in made.items():
        assert entry.title in page.get_by_test_id(f"work-{queue}").inner_text(), queue
    assert page.get_by_test_id("home-satisfaction").count() == 0  # no dashboard for a cadre
    page.screenshot(path=screenshot_dir / f"home-role-{username}-1280.png", full_page=True)
    _open_from_queue(page, base, "reopened", made["reopened"])
    assert page.get_by_test_id("deadline").is_visible()
    page.go_back()
    _open_from_queue(page, base, "overdue", made["overdue"])
    assert page.get_by_test_id("deadline").is_visible()


def test_the_handler_follows_a_referral_to_record_its_plan(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    referred = _seed_work()["referred"]
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, "bumen")
    assert referred.title in page.get_by_test_id("work-to_sign").inner_text()  # R17: sign first
    assert page.get_by_test_id("home-satisfaction").count() == 0
    page.screenshot(path=screenshot_dir / "home-role-bumen-1280.png", full_page=True)
    _open_from_queue(page, base, "to_sign", referred)
    assert page.locator("[data-testid=actions] [data-action=sign_for]").is_visible()
    assert page.locator("[data-testid=actions] [data-action=record_plan]").is_visible()


def test_committee_staff_goes_from_overdue_by_unit_to_an_overdue_entry(
    live_server, page, screenshot_dir
):
    demo_seed(scale="small")
    overdue = _seed_work()["overdue"]
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, "dangwei")
    board = page.get_by_test_id("work-board")
    assert int(page.get_by_test_id("work-board-overdue").inner_text()) >= 1
    assert page.get_by_test_id("home-satisfaction").is_visible()  # the committee's figures
    page.screenshot(path=screenshot_dir / "home-role-dangwei-1280.png", full_page=True)
    # The unit one level down that holds the overdue entry, then the entry in its list.
    committee = User.objects.get(username="dangwei").scope_org
    unit = OrgNode.objects.get(path=overdue.org.path[: len(committee.path) + OrgNode.steplen])
    board.get_by_role("link", name=unit.name, exact=True).click()
    page.wait_for_url(f"**/supervision/?org={unit.pk}")
    page.get_by_role("link", name=overdue.title).click()
    page.wait_for_url(f"{base}{overdue.get_absolute_url()}")
    assert page.get_by_test_id("deadline").is_visible()


def _seed_leader() -> dict[str, Entry]:
    """A year of demo ledger; at the leadership cadre's contact point an entry overdue longer
    than any of it (so first in his lists) and one rated this month; the roll-ups rebuilt."""
    demo_seed_entries(count=600)
    today = timezone.localdate()
    leader = User.objects.get(username="lingdao")
    contact = (
        Pairing.objects.active_on(today)
        .filter(kind=PairingKind.LEADER_CONTACT, person_id=leader.person_id)
        .exclude(target_unit=None)
        .first()
    )
    informant = Person.objects.filter(unit_id=contact.target_unit_id).first()
    secretary = User.objects.get(username="shuji")
    assert informant.org == secretary.scope_org
    overdue = _due(_record(secretary, "联系点变压器噪音扰民", informant), today - dt.timedelta(400))
    rated = _record(secretary, "联系点路灯不亮", informant)
    for action, data in [
        ("resolve_on_spot", {"result": "已更换灯具"}),
        ("reply", {"text": "路灯已修复", "method": "phone"}),
    ]:
        rated = entry_act(
            action=action, entry=rated, actor=secretary, expected_version=rated.version, **data
        )
    rating_record(
        entry=rated,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=secretary,
        expected_version=rated.version,
    )
    rollups_rebuild()
    return {"overdue": overdue, "rated": rated}


def test_the_leader_sees_his_contact_points_and_the_satisfaction_of_his_scope(
    live_server, page, phone_page, screenshot_dir
):
    demo_seed(scale="small")
    made = _seed_leader()
    glance = satisfaction_glance(user=User.objects.get(username="lingdao"))
    assert glance.current.counts.rated >= 1  # the rating above, at least
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, base, "lingdao")
    assert made["overdue"].title in page.get_by_test_id("work-contact_overdue").inner_text()
    assert made["overdue"].title in page.get_by_test_id("work-contact_open").inner_text()
    panel = page.get_by_test_id("home-satisfaction")
    assert glance.node.name in panel.inner_text()
    rate = page.get_by_test_id("home-satisfaction-rate").inner_text()
    assert rate == percent(glance.current.counts.satisfaction_rate)
    rated = page.get_by_test_id("home-satisfaction-rated").inner_text()
    assert rated == f"{glance.current.counts.rated} 件评价"
    previous = page.get_by_test_id("home-satisfaction-previous").inner_text()
    assert f"{glance.previous.month:%Y-%m}" in previous
    assert percent(glance.previous.counts.satisfaction_rate) in previous
    page.screenshot(path=screenshot_dir / "home-leader-1-home-1280.png", full_page=True)
    _open_from_queue(page, base, "contact_overdue", made["overdue"])
    assert page.get_by_test_id("deadline").is_visible()

    log_in(phone_page, base, "lingdao")
    assert phone_page.get_by_test_id("home-satisfaction").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.screenshot(path=screenshot_dir / "home-leader-2-home-390.png", full_page=True)


def test_the_leader_reads_the_dashboard_and_the_supervision_board_of_his_scope(
    live_server, page, screenshot_dir
):
    demo_seed(scale="small")
    made = _seed_leader()
    leader = User.objects.get(username="lingdao")
    glance = satisfaction_glance(user=leader)
    base = live_server.url

    log_in(page, base, "lingdao")
    overdue_on_home = page.get_by_test_id("work-board-overdue").inner_text()
    page.get_by_test_id("home-satisfaction-link").click()
    page.wait_for_url(f"**/feedback/dashboard/?period={glance.period}")
    assert glance.node.name in page.get_by_role("heading", level=1).inner_text()
    rate = page.get_by_test_id("satisfaction-rate").inner_text()
    assert rate == percent(glance.current.counts.satisfaction_rate)
    assert page.get_by_test_id("unit-row").count() >= 1  # the committees of his company
    _assert_read_only(page)
    page.screenshot(path=screenshot_dir / "home-leader-3-dashboard.png", full_page=True)

    page.click("nav >> text=督办看板")
    page.wait_for_url(f"{base}/supervision/")
    total = page.get_by_test_id("board-total").locator("[data-column=overdue]")
    assert total.inner_text() == overdue_on_home
    assert page.get_by_role("link", name=made["overdue"].title).is_visible()
    _assert_read_only(page)
    page.screenshot(path=screenshot_dir / "home-leader-4-board.png", full_page=True)


def _assert_read_only(page) -> None:
    """Nothing on the page writes: every form in it is a GET (filters, periods), no htmx post."""
    methods = page.eval_on_selector_all("main form", "forms => forms.map((f) => f.method)")
    assert set(methods) <= {"get"}, methods
    assert page.locator("main [hx-post], main [hx-put], main [hx-delete]").count() == 0
