"""Signed rating links (R8, DESIGN §5 Security): made per reply round, 256-bit tokens of which
only the hash is stored, expiry, single use, re-issue; the services behind the public page."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from django.test import override_settings
from django.utils import timezone

from feedback.constants import RATING_LINK_TOKEN_BYTES, RatingChannel, Satisfaction
from feedback.models import Rating, RatingLink
from feedback.permissions import rating_link_may_show
from feedback.selectors.ratings import (
    LinkState,
    rating_link_current,
    rating_link_expires_at,
    rating_link_lookup,
)
from feedback.services.rating_links import (
    RatingLinkUnusable,
    rating_link_issue,
    rating_link_rate,
    rating_link_reissue,
)
from feedback.services.ratings import rating_record
from liaison.constants import ClosedReason, Colour, EntryKind, EntryStatus, NotificationKind, Role
from liaison.models import Entry, Notification
from liaison.services import workflow
from liaison.workdays import earliest_yellow_target
from tests.fixtures.factories import make_entry
from tests.fixtures.walks import act, entry_in, snapshot, today


def link_of(entry: Entry) -> RatingLink:
    return rating_link_issue(entry=entry, actor=entry.owner)


def fresh(entry: Entry) -> Entry:
    return Entry.objects.get(pk=entry.pk)


def rate_by_link(link: RatingLink, value=Satisfaction.SATISFIED, comment="", version=None):
    link = RatingLink.objects.select_related("entry").get(pk=link.pk)
    version = link.entry.version if version is None else version
    return rating_link_rate(link=link, value=value, comment=comment, expected_version=version)


def reply_again(world, entry: Entry) -> Entry:
    """Walk a reopened entry to its next reply, as the party-building department."""
    maintainer = world.users[Role.PARTY_BUILDING]
    entry = act(world, fresh(entry), workflow.Action.RESOLVE_ON_SPOT, maintainer)
    return act(world, entry, workflow.Action.REPLY, maintainer)


# --- making links ------------------------------------------------------------------------------


def test_a_replied_entry_gets_one_link_per_round(world):
    entry = entry_in(world, EntryStatus.REPLIED)  # referred and replied by the department
    first = rating_link_current(entry=entry)  # made with the referral, kept through the reply
    assert link_of(fresh(entry)) == first  # issuing again makes nothing new
    made_by = world.users[Role.PARTY_BUILDING]
    assert (first.round, first.created_by, first.used_at) == (0, made_by, None)
    rating_record(
        entry=entry,
        value=Satisfaction.UNSATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=entry.owner,
        expected_version=entry.version,
    )
    entry = reply_again(world, entry)
    second = rating_link_current(entry=entry)  # the new round's, made with its reply
    assert second != first and second.round == 1
    assert RatingLink.objects.filter(entry=entry).count() == 2
    assert rating_link_lookup(token=first.token()).state == LinkState.RATED  # earlier round
    assert rating_link_lookup(token=second.token()).state == LinkState.USABLE


def test_the_token_carries_256_bits_and_only_its_hash_is_stored(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    token = link.token()
    raw = base64.urlsafe_b64decode(token + "=")
    assert len(raw) * 8 >= 128 and len(raw) == 32 and len(token) == 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(base64.urlsafe_b64decode(link.nonce + "=")) == RATING_LINK_TOKEN_BYTES
    stored = RatingLink.objects.filter(pk=link.pk).values().get()
    assert not any(token in str(value) for value in stored.values())
    other = link_of(entry_in(world, EntryStatus.REPLIED))
    assert other.token() != token and other.nonce != link.nonce


def test_the_token_is_rebuilt_only_with_the_secret_key(world, settings):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    token = link.token()
    old_key = settings.SECRET_KEY
    with override_settings(SECRET_KEY="a-rotated-key", SECRET_KEY_FALLBACKS=[old_key]):
        assert RatingLink.objects.get(pk=link.pk).token() == token  # the fallback rebuilds it
    with override_settings(SECRET_KEY="a-rotated-key", SECRET_KEY_FALLBACKS=[]):
        assert RatingLink.objects.get(pk=link.pk).token() is None
        again = link_of(fresh(entry))  # a page showing it never revokes it (GET writes nothing)
        assert again == link and again.token() is None
    assert RatingLink.objects.get(pk=link.pk).revoked_at is None
    assert rating_link_lookup(token=token).state == LinkState.USABLE  # the informant's copy


@pytest.mark.parametrize("status", [EntryStatus.CLOSED, EntryStatus.VOID])
def test_no_link_for_an_entry_no_longer_open(world, status):
    entry = entry_in(world, status)
    links = RatingLink.objects.count()
    assert link_of(entry) is None
    assert RatingLink.objects.count() == links


def test_no_link_for_basic_information(world):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY], kind=EntryKind.BASIC, colour="")
    assert link_of(entry) is None


def test_a_link_is_made_before_the_reply_for_the_referral_sheet(world):
    entry = entry_in(world, EntryStatus.REFERRED)
    link = link_of(entry)
    assert rating_link_lookup(token=link.token()).state == LinkState.NOT_REPLIED
    assert rating_link_expires_at(link=link) is None  # the clock starts at the reply


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.BRANCH_SECRETARY, True),  # the owner
        (Role.PARTY_BUILDING, True),
        (Role.ADMINISTRATOR, True),
        (Role.DEPARTMENT_HANDLER, False),  # handles it: the link rates its own work
        (Role.COMMITTEE_STAFF, False),
        (Role.GRASSROOTS_CADRE, False),
    ],
)
def test_only_the_owner_side_gets_the_link(world, role, may):
    entry = entry_in(world, EntryStatus.REPLIED)
    user = world.users[role]
    assert rating_link_may_show(entry=entry, user=user) is may
    if not may:
        links = list(RatingLink.objects.values_list("pk", "revoked_at"))
        with pytest.raises(workflow.WorkflowRefused):
            rating_link_reissue(entry=entry, actor=user)
        assert list(RatingLink.objects.values_list("pk", "revoked_at")) == links


def test_reissuing_revokes_the_earlier_link(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    old = link_of(entry)
    new = rating_link_reissue(entry=entry, actor=world.users[Role.PARTY_BUILDING])
    assert new.round == old.round and new.token() != old.token()
    old.refresh_from_db()
    assert (old.revoked_by, old.revoked_at is not None) == (world.users[Role.PARTY_BUILDING], True)
    assert rating_link_lookup(token=old.token()).state == LinkState.REVOKED
    assert link_of(fresh(entry)) == new
    with pytest.raises(RatingLinkUnusable):
        rate_by_link(old)
    assert not Rating.objects.exists()


def test_a_second_maker_takes_the_first_ones_link(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    from feedback.services.rating_links import _rating_link_make

    first = _rating_link_make(entry=entry, actor=entry.owner)
    assert _rating_link_make(entry=entry, actor=entry.owner) == first  # unique (entry, round)
    assert RatingLink.objects.count() == 1


# --- expiry ------------------------------------------------------------------------------------


@override_settings(RATING_LINK_VALID_DAYS=7)
def test_a_link_expires_the_configured_days_after_the_reply(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    assert rating_link_expires_at(link=link) == entry.replied_at + dt.timedelta(days=7)
    Entry.objects.filter(pk=entry.pk).update(
        replied_at=timezone.now() - dt.timedelta(days=7, seconds=1)
    )
    assert rating_link_lookup(token=link.token()).state == LinkState.EXPIRED
    Entry.objects.filter(pk=entry.pk).update(replied_at=timezone.now() - dt.timedelta(days=6))
    assert rating_link_lookup(token=link.token()).state == LinkState.USABLE


def test_the_default_validity_is_thirty_days(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    assert rating_link_expires_at(link=link_of(entry)) == entry.replied_at + dt.timedelta(days=30)


# --- rating through the link -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED],
)
def test_a_rating_by_link_closes_the_entry_once(world, value):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    rating = rate_by_link(link, value, comment="谢谢")
    entry = fresh(entry)
    assert (entry.status, entry.closed_reason) == (EntryStatus.CLOSED, ClosedReason.RATED)
    assert (rating.channel, rating.recorded_by, rating.value, rating.comment) == (
        RatingChannel.LINK,
        None,
        value,
        "谢谢",
    )
    link.refresh_from_db()
    assert link.rating == rating and link.used_at is not None
    assert rating_link_lookup(token=link.token()).state == LinkState.USED
    with pytest.raises(RatingLinkUnusable):
        rate_by_link(link)
    assert Rating.objects.count() == 1


def test_unsatisfied_by_link_reopens_the_entry(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    rating = rate_by_link(link_of(entry), Satisfaction.UNSATISFIED)
    entry = fresh(entry)
    assert (entry.status, entry.reopen_count, rating.round) == (EntryStatus.IN_PROGRESS, 1, 0)
    assert entry.events.filter(kind="reopened", actor=None).exists()


def test_a_yellow_entry_reopened_by_link_gets_the_earliest_target(world):
    target = earliest_yellow_target(today()).due_on + dt.timedelta(days=10)
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(
        owner,
        informant=world.special_a,
        colour=Colour.YELLOW,
        target_on=target,
        recorded_on=today(),
    )
    entry = reply_again(world, act(world, entry, workflow.Action.START, owner))
    rate_by_link(link_of(entry), Satisfaction.UNSATISFIED)
    entry = fresh(entry)
    assert entry.status == EntryStatus.IN_PROGRESS
    assert entry.target_on == earliest_yellow_target(today()).due_on


def test_a_stale_version_is_a_conflict_and_writes_nothing(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    before = snapshot(entry)
    with pytest.raises(workflow.EntryConflict):
        rate_by_link(link, version=entry.version - 1)
    assert snapshot(entry) == before
    assert RatingLink.objects.get(pk=link.pk).used_at is None
    assert not Rating.objects.exists()


def test_a_link_used_meanwhile_rolls_the_rating_back(world):
    """Two tabs: the second rating finds the link claimed; its rating is undone with it."""
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    stale = RatingLink.objects.select_related("entry").get(pk=link.pk)
    rate_by_link(link)
    with pytest.raises((RatingLinkUnusable, workflow.EntryConflict)):
        rating_link_rate(
            link=stale, value="unsatisfied", comment="", expected_version=stale.entry.version
        )
    assert Rating.objects.count() == 1
    assert fresh(entry).status == EntryStatus.CLOSED


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (EntryStatus.IN_PROGRESS, LinkState.NOT_REPLIED),
        (EntryStatus.PLANNED, LinkState.NOT_REPLIED),
    ],
)
def test_a_link_before_the_reply_cannot_rate(world, status, state):
    entry = entry_in(world, status)
    link = link_of(entry)
    with pytest.raises(RatingLinkUnusable) as refused:
        rate_by_link(link)
    assert refused.value.state == state
    assert not Rating.objects.exists()


def test_closed_as_not_rated_or_void_the_link_is_done(world):
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    workflow.entry_close(
        entry=entry, actor=None, expected_version=entry.version, reason=ClosedReason.NOT_RATED
    )
    assert rating_link_lookup(token=link.token()).state == LinkState.CLOSED
    entry = entry_in(world, EntryStatus.REPLIED)
    link = link_of(entry)
    act(world, entry, workflow.Action.VOID, entry.owner)
    assert rating_link_lookup(token=link.token()).state == LinkState.CLOSED
    assert not Rating.objects.exists()


def test_a_forged_or_malformed_token_finds_nothing(world):
    link_of(entry_in(world, EntryStatus.REPLIED))
    for token in ["A" * 43, "short", "A" * 42 + "=", "../" * 15, "中" * 43]:
        lookup = rating_link_lookup(token=token)
        assert (lookup.state, lookup.link) == (LinkState.FORGED, None)


def test_an_unsatisfied_rating_by_link_tells_the_owner_the_entry_is_back(world):
    """The informant rates through the link (no actor): the owner hears of the reopening."""
    entry = entry_in(world, EntryStatus.REPLIED)
    rate_by_link(link_of(entry), Satisfaction.UNSATISFIED)
    entry = fresh(entry)
    (note,) = Notification.objects.filter(kind=NotificationKind.REOPENED)
    assert (note.recipient, note.entry, note.occasion) == (entry.owner, entry, 1)
