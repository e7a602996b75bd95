"""The hand-built ledger of tests.fixtures.rollups ends as its story tells."""

from __future__ import annotations

import datetime as dt

from liaison.constants import EntryStatus
from tests.fixtures.rollups import Clock, build_ledger


def test_the_story_ends_as_told(world, monkeypatch):
    ledger = build_ledger(world, Clock(monkeypatch))
    status = {name: ledger.get(name).status for name in ledger.entries}
    assert status == {
        "E1": EntryStatus.CLOSED,
        "E2": EntryStatus.CLOSED,
        "E3": EntryStatus.CLOSED,
        "E4": EntryStatus.CLOSED,
        "E5": EntryStatus.RECORDED,
        "E6": EntryStatus.RECORDED,
        "E7": EntryStatus.VOID,
        "E8": EntryStatus.CLOSED,
        "E9": EntryStatus.CLOSED,
        "E10": EntryStatus.IN_PROGRESS,
        "E11": EntryStatus.REPLIED,
        "E12": EntryStatus.CLOSED,
        "E13": EntryStatus.CLOSED,
        "E14": EntryStatus.RECORDED,
    }
    due = {name: ledger.get(name).due_on for name in ("E3", "E5", "E6", "E10", "E11", "E13")}
    assert due == {
        "E3": dt.date(2026, 2, 13),
        "E5": dt.date(2026, 4, 9),
        "E6": dt.date(2026, 3, 30),
        "E10": dt.date(2026, 4, 8),
        "E11": dt.date(2026, 4, 1),
        "E13": dt.date(2026, 3, 20),
    }
    overdue = {name for name in ledger.entries if ledger.get(name).is_overdue}
    assert overdue == {"E5", "E6", "E10", "E14"}
    assert ledger.get("E5").duplicate_of_id == ledger.entries["E2"].pk
    assert [ledger.get(n).reopen_count for n in ("E3", "E10", "E13")] == [1, 2, 1]
