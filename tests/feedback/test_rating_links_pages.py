"""The pages of the signed rating link: the informant's public page (no login) and the owner's
link, QR code, reply slip and referral-sheet stub. Text checks use test ids and markup: the
Chinese translation comes later."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from feedback.constants import RATING_LINK_COMMENT_MAX_LENGTH, RatingChannel, Satisfaction
from feedback.models import Rating, RatingLink
from feedback.services.rating_links import rating_link_issue
from feedback.services.ratings import rating_record
from liaison.constants import ClosedReason, EntryStatus, Role
from liaison.models import Entry
from liaison.services import workflow
from tests.fixtures.factories import make_user
from tests.fixtures.walks import act, entry_in, snapshot

URL_IN_PAGE = re.compile(r'<input[^>]* value="([^"]+)"[^>]* data-testid="rating-link-url"')


def token_of(entry: Entry) -> str:
    return rating_link_issue(entry=entry, actor=entry.owner).token()


def link_url(token: str) -> str:
    return reverse("rate:link", args=[token])


def state_of(response) -> str | None:
    page = response.content.decode()
    found = re.search(r'data-testid="link-refused" data-state="([a-z_]+)"', page)
    return found.group(1) if found else None


def post(client, token: str, entry: Entry, **data):
    if "version" not in data:
        data["version"] = Entry.objects.get(pk=entry.pk).version
    fields = {"value": "satisfied", **data}
    return client.post(link_url(token), {k: v for k, v in fields.items() if v is not None})


@pytest.fixture
def replied(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    return entry, token_of(entry)


# --- the public page ---------------------------------------------------------------------------


def test_the_page_shows_the_reply_and_the_scale_and_changes_nothing(
    client, replied, django_assert_max_num_queries
):
    entry, token = replied
    before = snapshot(entry)
    with django_assert_max_num_queries(1):  # the link with its entry, owner, org and rating
        response = client.get(link_url(token))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'data-testid="rating-form"' in page and entry.title in page
    assert entry.reply_text in page
    assert [f'value="{value}"' in page for value in Satisfaction.values] == [True] * 4
    assert 'name="viewport"' in page and "navbar" not in page
    assert snapshot(entry) == before
    assert RatingLink.objects.get().used_at is None and not Rating.objects.exists()
    assert client.head(link_url(token)).status_code == HTTPStatus.OK


def test_the_page_shows_nothing_personal_beyond_the_matter(client, world, replied):
    entry, token = replied
    Entry.objects.filter(pk=entry.pk).update(description="家属患病，住址某某小区")
    page = client.get(link_url(token)).content.decode()
    assert "家属患病" not in page and world.special_a.special_needs_note not in page
    assert world.department.name not in page  # which department handled it is internal


@pytest.mark.parametrize(
    "value", [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]
)
def test_a_rating_by_link_closes_the_entry_and_thanks(client, replied, value):
    entry, token = replied
    response = post(client, token, entry, value=value, comment="很快就解决了")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("rate:thanks", args=[token])
    entry = Entry.objects.get(pk=entry.pk)
    assert (entry.status, entry.closed_reason) == (EntryStatus.CLOSED, ClosedReason.RATED)
    rating = Rating.objects.get()
    assert (rating.channel, rating.value, rating.recorded_by, rating.comment) == (
        RatingChannel.LINK,
        value,
        None,
        "很快就解决了",
    )
    thanks = client.get(response["Location"])
    assert thanks.status_code == HTTPStatus.OK
    assert 'data-testid="thanks"' in thanks.content.decode()
    assert f">{Satisfaction(value).label}<" in thanks.content.decode()


def test_unsatisfied_by_link_reopens_the_entry(client, replied):
    entry, token = replied
    response = post(client, token, entry, value="unsatisfied")
    assert response.status_code == HTTPStatus.FOUND
    entry = Entry.objects.get(pk=entry.pk)
    assert (entry.status, entry.reopen_count) == (EntryStatus.IN_PROGRESS, 1)
    assert Rating.objects.get().channel == RatingChannel.LINK
    assert client.get(response["Location"]).status_code == HTTPStatus.OK


def test_a_forged_link_answers_404_with_a_friendly_page(client, replied):
    entry, _token = replied
    before = snapshot(entry)
    for forged in ["A" * 43, "not-a-token", "x" * 200]:
        response = client.get(link_url(forged))
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert state_of(response) == "forged"
        assert post(client, forged, entry).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("rate:thanks", args=["A" * 43])).status_code == HTTPStatus.NOT_FOUND
    assert snapshot(entry) == before and not Rating.objects.exists()


def test_an_expired_link_answers_410(client, replied):
    entry, token = replied
    Entry.objects.filter(pk=entry.pk).update(replied_at=timezone.now() - dt.timedelta(days=31))
    before = snapshot(entry)
    response = client.get(link_url(token))
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "expired")
    response = post(client, token, entry)
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "expired")
    assert snapshot(entry) == before and not Rating.objects.exists()


def test_a_used_link_answers_410_and_a_second_post_writes_nothing(client, replied):
    entry, token = replied
    version = entry.version
    assert post(client, token, entry).status_code == HTTPStatus.FOUND
    response = client.get(link_url(token))
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "used")
    # the second tab, with the version its page showed
    response = post(client, token, entry, version=version, value="unsatisfied")
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "used")
    assert Rating.objects.count() == 1
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.CLOSED


def test_a_link_before_the_reply_says_not_replied_yet_then_works(client, world):
    entry = entry_in(world, EntryStatus.PLANNED)
    token = token_of(entry)  # as printed on the referral sheet
    response = client.get(link_url(token))
    assert (response.status_code, state_of(response)) == (HTTPStatus.CONFLICT, "not_replied")
    assert post(client, token, entry).status_code == HTTPStatus.CONFLICT
    assert not Rating.objects.exists()
    maintainer = world.users[Role.PARTY_BUILDING]
    entry = act(world, entry, workflow.Action.RECORD_RESULT, maintainer)
    entry = act(world, entry, workflow.Action.REPLY, maintainer)
    assert client.get(link_url(token)).status_code == HTTPStatus.OK
    assert post(client, token, entry).status_code == HTTPStatus.FOUND


def test_rated_meanwhile_on_a_return_visit_the_link_says_so(client, replied):
    entry, token = replied
    page = client.get(link_url(token)).content.decode()
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    rating_record(
        entry=entry,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=entry.owner,
        expected_version=entry.version,
    )
    response = post(client, token, entry, version=version, value="unsatisfied")
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "rated")
    assert Rating.objects.get().channel == RatingChannel.OWNER  # the owner heard it (R21)
    response = client.get(link_url(token))
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "rated")


def test_a_void_entry_or_a_replaced_link_answers_410(client, world, replied):
    entry, token = replied
    act(world, entry, workflow.Action.VOID, entry.owner)
    response = client.get(link_url(token))
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "closed")
    other = entry_in(world, EntryStatus.REPLIED)
    old = token_of(other)
    from feedback.services.rating_links import rating_link_reissue

    rating_link_reissue(entry=other, actor=other.owner)
    response = client.get(link_url(old))
    assert (response.status_code, state_of(response)) == (HTTPStatus.GONE, "revoked")
    # Whoever holds a replaced link (it went to the wrong person) learns nothing of the matter.
    body = response.content.decode()
    assert other.title not in body and other.number not in body and other.org.name not in body


def test_a_change_of_the_entry_meanwhile_asks_again(client, world, replied):
    entry, token = replied
    version = entry.version
    act(world, entry, workflow.Action.PROGRESS_NOTE, entry.owner)
    before = snapshot(entry)
    response = post(client, token, entry, version=version)
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert 'data-testid="changed"' in page
    assert f'name="version" value="{version + 1}"' in page  # the form again, up to date
    assert snapshot(entry) == before and not Rating.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"value": None},  # no answer
        {"value": ""},
        {"value": "great"},  # off the scale
        {"comment": "长" * (RATING_LINK_COMMENT_MAX_LENGTH + 1)},
        {"version": None},
        {"version": "x"},
    ],
)
def test_bad_input_answers_400_with_the_form_and_writes_nothing(client, replied, data):
    entry, token = replied
    before = snapshot(entry)
    response = post(client, token, entry, **data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert 'data-testid="rating-form"' in page and 'data-testid="form-errors"' in page
    assert snapshot(entry) == before
    assert not Rating.objects.exists() and RatingLink.objects.get().used_at is None


def test_every_public_answer_is_uncached_and_keeps_its_referrer(client, replied):
    entry, token = replied
    for response in [
        client.get(link_url(token)),
        client.get(link_url("A" * 43)),
        post(client, token, entry, value="great"),
        client.get(reverse("rate:thanks", args=[token])),  # not used yet: back to the page
        post(client, token, entry),
        client.get(reverse("rate:thanks", args=[token])),
        client.get(link_url(token)),
    ]:
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "noindex" in response["X-Robots-Tag"]


def test_the_page_needs_no_login_and_takes_only_get_head_and_post(client, replied):
    _entry, token = replied
    assert client.put(link_url(token)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post(reverse("rate:thanks", args=[token])).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )


def test_the_posting_query_count_is_bounded(client, replied, django_assert_max_num_queries):
    entry, token = replied
    version = entry.version
    # the link; then the rating, two events, the entry, the claim (and savepoints)
    with django_assert_max_num_queries(15):
        assert post(client, token, entry, version=version).status_code == HTTPStatus.FOUND
    with django_assert_max_num_queries(1):
        assert client.get(reverse("rate:thanks", args=[token])).status_code == HTTPStatus.OK


# --- the owner's side --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.BRANCH_SECRETARY, Role.PARTY_BUILDING])
def test_the_owner_side_sees_link_qr_expiry_and_sms_text(world, client_for, role):
    entry = entry_in(world, EntryStatus.REPLIED)
    page = client_for(world.users[role]).get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="rating-link"' in page
    url = URL_IN_PAGE.search(page).group(1)
    token = RatingLink.objects.get(entry=entry).token()
    assert url == f"http://testserver{link_url(token)}"
    qr = page.split('data-testid="rating-link-qr"', 1)[1].split("</div>", 1)[0]
    assert "<svg" in qr and 'class="rating-qr"' in qr
    expiry = timezone.localdate(entry.replied_at + dt.timedelta(days=30)).isoformat()
    assert expiry in page
    sms = page.split('data-testid="rating-link-sms"', 1)[1].split("</textarea>", 1)[0]
    assert url in sms and entry.title in sms
    assert reverse("feedback:reply_slip", args=[entry.pk]) in page


@pytest.mark.parametrize("role", [Role.DEPARTMENT_HANDLER, Role.COMMITTEE_STAFF])
def test_others_who_see_the_entry_do_not_see_the_link(world, client_for, role):
    entry = entry_in(world, EntryStatus.REPLIED)
    response = client_for(world.users[role]).get(entry.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'data-testid="rating-link"' not in page and "/r/" not in page
    assert 'data-testid="rating-link-missing"' not in page


def test_the_reply_makes_the_link_in_its_transaction(world, client_for):
    """The owner's reply makes the round's link; showing the page then reads it."""
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = entry_in(world, EntryStatus.IN_PROGRESS)
    entry = act(world, entry, workflow.Action.RESOLVE_ON_SPOT, owner)
    assert not RatingLink.objects.filter(entry=entry).exists()
    act(world, entry, workflow.Action.REPLY, owner)
    link = RatingLink.objects.get(entry=entry)
    assert (link.round, link.created_by, link.revoked_at) == (0, owner, None)
    page = client_for(owner).get(entry.get_absolute_url()).content.decode()
    assert URL_IN_PAGE.search(page).group(1).endswith(link_url(link.token()))
    assert RatingLink.objects.filter(entry=entry).count() == 1


def test_a_reply_without_a_link_offers_to_issue_one(world, client_for):
    """An entry replied before links came with the reply (or seeded in bulk): its owner gets a
    button that issues the link (a POST); the page itself makes nothing."""
    entry = entry_in(world, EntryStatus.REPLIED)
    RatingLink.objects.filter(entry=entry).delete()
    client = client_for(entry.owner)
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="rating-link-missing"' in page
    assert not RatingLink.objects.filter(entry=entry).exists()
    response = client.post(reverse("feedback:rating_link_reissue", args=[entry.pk]), follow=True)
    assert response.redirect_chain[-1][1] == HTTPStatus.FOUND
    assert RatingLink.objects.filter(entry=entry, revoked_at__isnull=True).count() == 1
    page = response.content.decode()
    assert 'data-testid="rating-link"' in page
    assert "评价链接已生成" in page and "原链接失效" not in page  # nothing was replaced


def test_the_link_shows_only_after_the_reply(world, client_for):
    entry = entry_in(world, EntryStatus.RESOLVED)
    page = client_for(entry.owner).get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="rating-link"' not in page


@override_settings(RATING_LINK_BASE_URL="https://pingjia.example.cn/")
def test_the_link_is_on_the_public_address_when_one_is_set(world, client_for):
    entry = entry_in(world, EntryStatus.REPLIED)
    page = client_for(entry.owner).get(entry.get_absolute_url()).content.decode()
    assert URL_IN_PAGE.search(page).group(1).startswith("https://pingjia.example.cn/r/")


def test_the_entry_page_query_count_with_the_link(world, client_for, django_assert_max_num_queries):
    entry = entry_in(world, EntryStatus.REPLIED)
    client = client_for(entry.owner)
    client.get(entry.get_absolute_url())  # the link is made on the first view
    # One more than without the link: reading it; and one for the co-handling departments of a
    # referred entry (R18); one for the photos and files of the entry and its visit (R23); two
    # for the related section (its links, its duplicates: R11); four prefetched with the entry
    # (its category, informant and org, visit: liaison.permissions.get_entry_for).
    with django_assert_max_num_queries(20):
        assert client.get(entry.get_absolute_url()).status_code == HTTPStatus.OK


def slip_url(entry: Entry) -> str:
    return reverse("feedback:reply_slip", args=[entry.pk])


def test_the_reply_slip_by_role(world, client, client_for):
    entry = entry_in(world, EntryStatus.REPLIED)
    response = client.get(slip_url(entry))
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]
    response = client_for(entry.owner).get(slip_url(entry))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    token = RatingLink.objects.get(entry=entry).token()
    assert 'data-testid="sheet-qr"' in page and link_url(token) in page and "<svg" in page
    assert entry.reply_text in page
    assert client_for(world.users[Role.PARTY_BUILDING]).get(slip_url(entry)).status_code == 200
    other_secretary = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    assert client_for(other_secretary).get(slip_url(entry)).status_code == HTTPStatus.NOT_FOUND
    handler = client_for(world.users[Role.DEPARTMENT_HANDLER])  # sees the entry, not the link
    assert handler.get(slip_url(entry)).status_code == HTTPStatus.FORBIDDEN
    missing = reverse("feedback:reply_slip", args=[999_999])
    assert client_for(entry.owner).get(missing).status_code == HTTPStatus.NOT_FOUND


def test_the_reply_slip_needs_a_reply_and_drops_the_qr_once_rated(world, client_for):
    entry = entry_in(world, EntryStatus.RESOLVED)
    assert client_for(entry.owner).get(slip_url(entry)).status_code == HTTPStatus.NOT_FOUND
    entry = entry_in(world, EntryStatus.CLOSED)
    response = client_for(entry.owner).get(slip_url(entry))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'data-testid="no-qr"' in page and "<svg" not in page


def test_the_referral_sheet_carries_the_informants_stub_for_the_owner_only(world, client_for):
    entry = entry_in(world, EntryStatus.REFERRED)
    url = reverse("liaison:entry_referral", args=[entry.pk])
    page = client_for(entry.owner).get(url).content.decode()
    assert 'data-testid="referral-stub"' in page and "<svg" in page
    token = RatingLink.objects.get(entry=entry).token()
    assert link_url(token) in page
    page = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(url).content.decode()
    assert 'data-testid="referral-stub"' not in page and "/r/" not in page


def test_reissuing_from_the_entry_page(world, client, client_for):
    entry = entry_in(world, EntryStatus.REPLIED)
    old = token_of(entry)
    url = reverse("feedback:rating_link_reissue", args=[entry.pk])
    handler = client_for(world.users[Role.DEPARTMENT_HANDLER])
    assert handler.post(url).status_code == HTTPStatus.FORBIDDEN
    outsider = client_for(make_user(Role.BRANCH_SECRETARY, scope=world.branch_b))
    assert outsider.post(url).status_code == HTTPStatus.NOT_FOUND
    owner = client_for(entry.owner)
    assert owner.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert owner.post(url).status_code == HTTPStatus.FOUND
    owner.logout()
    assert state_of(client.get(link_url(old))) == "revoked"
    new = RatingLink.objects.get(entry=entry, revoked_at__isnull=True).token()
    assert new != old and client.get(link_url(new)).status_code == HTTPStatus.OK
