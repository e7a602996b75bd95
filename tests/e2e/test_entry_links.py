"""Related entries and duplicates in the browser (相关事项, 一事一记): the party-building
department opens the demo's original, sees its duplicates and related entries, asks for the
entries that read alike, and replies to the original and its two open duplicates at once.
Screenshots kept (related-*.png)."""

import pytest

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from liaison.constants import EntryStatus
from liaison.models import Entry
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_reply_to_an_original_and_its_duplicates_together(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    demo_seed_entries(count=600)
    linked = Entry.objects.filter(links_as_a__isnull=False) | Entry.objects.filter(
        links_as_b__isnull=False
    )
    original = linked.filter(status=EntryStatus.RESOLVED, duplicates__isnull=False).distinct().get()
    duplicates = list(original.duplicates.order_by("pk"))
    base = live_server.url

    log_in(page, base, "dangjian")
    page.goto(f"{base}{original.get_absolute_url()}")
    related = page.get_by_test_id("related")
    assert related.get_by_test_id("related-duplicates").locator("li").count() == 2
    assert related.get_by_test_id("related-links").locator("li").count() == 2
    related.get_by_test_id("related-similar").locator("summary").click()
    page.wait_for_selector("[data-similar] ul, [data-similar] p:not(.text-muted)", timeout=5000)
    related.screenshot(path=screenshot_dir / "related-1-section.png")

    reply = page.locator('details[data-action="reply"]')
    reply.locator("summary").click()
    assert reply.locator('input[name="duplicates"]:checked').count() == 2
    reply.locator("textarea").fill("已统一更换该批设备，请试用并评价。")
    reply.screenshot(path=screenshot_dir / "related-2-reply-form.png")
    reply.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    page.screenshot(path=screenshot_dir / "related-3-replied.png", full_page=True)
    for entry in (original, *duplicates):
        assert Entry.objects.get(pk=entry.pk).status == EntryStatus.REPLIED
