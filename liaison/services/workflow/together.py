"""Replying to duplicates together with their original (一事一记, R11).

The owner replies to the original and, in the same transaction, to the duplicates they choose:
each through the same services as a reply of its own (entry_reply; a duplicate not worked on
yet is first resolved with the original's result, by the rule of resolving on the spot), so
each moves as a reply moves it, gets its own deadline judgement (R5) and, through the
transition hooks, its informant's rating link. A duplicate those rules refuse (someone else's,
referred to a department, already replied or closed) is skipped and reported; a duplicate
changed meanwhile is read again under lock and judged as it now stands. Anything else that
fails rolls the whole reply back.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.constants import EventKind
from liaison.models import Entry, User
from liaison.selectors.links import RESOLVED_WITH_ORIGINAL, reply_together_refusal
from liaison.services.entries import entry_event
from liaison.services.workflow.actions import entry_reply, entry_resolve_on_spot


@dataclass
class RepliedTogether:
    """What a reply with duplicates did: the original, the duplicates replied, and those
    skipped with why."""

    entry: Entry
    replied: list[Entry] = field(default_factory=list)
    skipped: list[tuple[Entry, str]] = field(default_factory=list)


@transaction.atomic
def entry_reply_together(
    *,
    entry: Entry,
    actor: User,
    expected_version: int,
    text: str,
    method: str,
    duplicates: Collection[int] = (),
    **reply,
) -> RepliedTogether:
    """Reply to `entry` (entry_reply, with `reply`'s further arguments) and to each of its
    duplicates named in `duplicates` (ids) with the same text and method; an event on each
    duplicate's timeline and one on the original's name the others."""
    entry = entry_reply(
        entry=entry, actor=actor, expected_version=expected_version, text=text, method=method,
        **reply,
    )  # fmt: skip
    done = RepliedTogether(entry=entry)
    found = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("org", "owner", "item")
        .filter(duplicate_of=entry, pk__in=list(duplicates))
        .order_by("pk")
    )
    for duplicate in found:
        why = reply_together_refusal(duplicate=duplicate, actor=actor)
        if why is not None:
            done.skipped.append((duplicate, why))
            continue
        if duplicate.status in RESOLVED_WITH_ORIGINAL:
            result = entry.result or entry.reply_text
            duplicate = entry_resolve_on_spot(
                entry=duplicate,
                actor=actor,
                expected_version=duplicate.version,
                result=_("Resolved together with %(number)s (one matter, one record): %(result)s")
                % {"number": entry.number, "result": result},
            )
        duplicate = entry_reply(
            entry=duplicate,
            actor=actor,
            expected_version=duplicate.version,
            text=entry.reply_text,
            method=method,
        )
        entry_event(
            entry=duplicate,
            kind=EventKind.REPLIED_TOGETHER,
            actor=actor,
            note=_("Replied together with %(number)s, the same matter.") % {"number": entry.number},
            after={"original": f"{entry.number} {entry.title}"},
        )
        done.replied.append(duplicate)
    if done.replied:
        entry_event(
            entry=entry,
            kind=EventKind.REPLIED_TOGETHER,
            actor=actor,
            note=_("Its duplicates were replied with it: %(numbers)s.")
            % {"numbers": "、".join(d.number for d in done.replied)},
            after={"duplicates": "、".join(d.number for d in done.replied)},
        )
    return done
