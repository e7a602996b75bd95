"""The informant rates a reply on a phone through the signed link: the owner's entry page shows
the link and its QR code; the informant opens the link on a 390 px screen, rates 满意 with a
comment, is thanked, and finds the link used when opening it again. Screenshots are kept in
screenshots/."""

import pytest

from feedback.models import Rating
from liaison.constants import EntryStatus
from liaison.models import Entry
from tests.fixtures.factories import PASSWORD, build_world
from tests.fixtures.walks import entry_in

pytestmark = pytest.mark.e2e


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def assert_fits(page) -> None:
    """Nothing sticks out sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_informant_rates_by_link_on_a_phone(live_server, page, phone_page, screenshot_dir):
    world = build_world()
    entry = entry_in(world, EntryStatus.REPLIED)
    base = live_server.url

    # The owner finds the link, its QR code and the SMS text on the entry page.
    log_in(page, base, entry.owner.username)
    page.goto(f"{base}{entry.get_absolute_url()}")
    card = page.locator("[data-testid=rating-link]")
    card.locator("svg.rating-qr").wait_for()
    card.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "rating-link-0-owner.png", full_page=True)
    url = card.locator("[data-testid=rating-link-url]").input_value()
    assert url.startswith(f"{base}/r/")
    assert url in card.locator("[data-testid=rating-link-sms]").input_value()
    page.goto(f"{base}/feedback/entries/{entry.pk}/reply-slip/")
    page.locator("[data-testid=sheet-qr] svg").wait_for()
    page.screenshot(path=screenshot_dir / "rating-link-0-reply-slip.png", full_page=True)
    page.goto(f"{base}/entries/{entry.pk}/referral/")
    assert page.locator("[data-testid=sheet-qr-url]").inner_text() == url  # one link per round
    page.screenshot(path=screenshot_dir / "rating-link-0-referral-stub.png", full_page=True)

    # The informant opens it on a phone, without an account.
    phone = phone_page
    response = phone.goto(url)
    assert response.status == 200
    assert phone.locator("[data-testid=entry-title]").inner_text() == entry.title
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "rating-link-1-phone.png", full_page=True)
    with phone.expect_navigation() as sent:  # sent without a choice: asked again
        phone.click("[data-testid=send-rating]")
    assert sent.value.status == 400
    phone.locator("[data-testid=value-error]").wait_for()
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "rating-link-1b-no-choice.png", full_page=True)
    assert not Rating.objects.exists()
    phone.click("label[data-value=satisfied]")
    assert phone.is_checked("input[name=value][value=satisfied]")
    phone.fill("textarea[name=comment]", "处理很及时，谢谢！")
    phone.click("[data-testid=send-rating]")
    phone.wait_for_url("**/thanks/")
    assert phone.locator("[data-testid=rating-value]").inner_text() == "满意"
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "rating-link-2-done.png", full_page=True)

    rating = Rating.objects.get()
    assert (rating.channel, rating.value, rating.comment) == (
        "link",
        "satisfied",
        "处理很及时，谢谢！",
    )
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.CLOSED

    # Opened again, the link says it has been used.
    response = phone.goto(url)
    assert response.status == 410
    assert phone.locator("[data-testid=link-refused]").get_attribute("data-state") == "used"
    assert_fits(phone)
    phone.screenshot(path=screenshot_dir / "rating-link-3-used.png", full_page=True)
    assert Rating.objects.count() == 1
