"""Replying to duplicates with their original (一事一记, R11) still gives each informant a rating
link, through the reply's transition hook as a reply of its own does, and each link rates its
own entry."""

from __future__ import annotations

from feedback.constants import Satisfaction
from feedback.models import RatingLink
from feedback.selectors.ratings import rating_link_current
from feedback.services.rating_links import rating_link_rate
from liaison.constants import ClosedReason, EntryStatus, ReplyMethod
from liaison.models import Entry
from liaison.services.links import entry_mark_duplicate
from liaison.services.workflow import entry_reply_together
from tests.fixtures.walks import entry_in

S = EntryStatus


def mark(duplicate: Entry, original: Entry) -> Entry:
    entry_mark_duplicate(
        entry=duplicate, original=original, actor=original.owner,
        expected_version=duplicate.version,
    )  # fmt: skip
    return Entry.objects.get(pk=duplicate.pk)


def test_each_duplicate_replied_together_gets_its_informants_rating_link(world):
    original = entry_in(world, S.RESOLVED, title="宿舍空调不制冷")
    recorded = mark(entry_in(world, S.RECORDED, title="宿舍空调不制冷"), original)
    started = mark(entry_in(world, S.IN_PROGRESS, title="宿舍空调坏了"), original)
    closed = mark(entry_in(world, S.CLOSED, title="宿舍空调"), original)
    original = Entry.objects.get(pk=original.pk)
    assert not RatingLink.objects.filter(entry__in=[recorded, started]).exists()
    closed_links = RatingLink.objects.filter(entry=closed).count()

    done = entry_reply_together(
        entry=original, actor=original.owner, expected_version=original.version,
        text="已统一更换宿舍空调", method=ReplyMethod.SMS,
        duplicates=[recorded.pk, started.pk, closed.pk],
    )  # fmt: skip

    assert {d.pk for d in done.replied} == {recorded.pk, started.pk}
    for entry in (original, recorded, started):
        link = RatingLink.objects.get(entry=entry, round=0, revoked_at__isnull=True)
        assert link.token_hash
        if entry != original:  # (the original's was made with its referral)
            assert link.created_by == original.owner
        assert rating_link_current(entry=Entry.objects.get(pk=entry.pk)) == link
    assert RatingLink.objects.filter(entry=closed).count() == closed_links  # skipped: none

    # Each informant rates their own entry through their own link.
    link = RatingLink.objects.select_related("entry").get(entry=recorded)
    rating_link_rate(
        link=link, value=Satisfaction.SATISFIED, comment="", expected_version=link.entry.version
    )
    rated = Entry.objects.get(pk=recorded.pk)
    assert (rated.status, rated.closed_reason) == (S.CLOSED, ClosedReason.RATED)
    assert Entry.objects.get(pk=started.pk).status == S.REPLIED
    assert Entry.objects.get(pk=original.pk).status == S.REPLIED
