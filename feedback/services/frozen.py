"""Closed months' roll-up rows are frozen; what changes later is booked as a late adjustment
(R24). The roll-up jobs (feedback.services.rollups) call ``settle`` on every set of cells they
compute before writing them.

The rule, per table with adjustments (a ledger's own cells, visits, referrals):

- a closed month's rows are never updated, deleted or inserted;
- for a closed month M, ``frozen(M) − booked_into(M) + out_of(M) = computed(M)`` after every
  job: frozen(M) are M's rows (they include the adjustments booked into M while it was open),
  out_of(M) the adjustments booked out of M into later months. When a job computes M's cells
  and they differ, the difference is booked as an adjustment out of M into the month the job
  runs in (the current local month, always open);
- an open month's rows = its computed cells + the adjustments booked into it.

Subtree rows (EntryMonthly, EntryMonthlyLevel) are summed from the own cells of the open months
only, so they follow. Another roll-up table is covered by one line in FROZEN (and, if it is not
summed from the own cells, an adjustment table of its key and its ``Frozen`` entry).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import IntegerField, Max, Model, Q

from feedback.models import (
    ChannelAdjustment,
    ChannelMonthly,
    ChannelMonthlyOwn,
    EntryAdjustment,
    EntryMonthly,
    EntryMonthlyLevel,
    EntryMonthlyOwn,
    MonthClose,
    ReferralAdjustment,
    ReferralMonthly,
    VisitAdjustment,
    VisitMonthly,
)

IN_BATCH = 500  # ids per IN (…) on SQLite

# A cell's key: the node (org, department) first, the month second, the rest after.
Cells = dict[tuple, Counter]


@dataclass(frozen=True)
class Frozen:
    """A roll-up table whose closed months are frozen: its key (the month second) and, if
    changes to closed months are booked for it, its adjustment table (the same key with
    source_month and booked_month for the month)."""

    rollup: type[Model]
    key: tuple[str, ...]
    adjustment: type[Model] | None = None

    @property
    def counts(self) -> tuple[str, ...]:
        """The count columns (every integer column that is not a key)."""
        return tuple(
            field.name
            for field in self.rollup._meta.concrete_fields
            if isinstance(field, IntegerField) and not field.primary_key and not field.is_relation
        )


OWN = Frozen(EntryMonthlyOwn, ("org_id", "month", "level", "colour", "kind"), EntryAdjustment)
VISITS = Frozen(VisitMonthly, ("node_id", "month", "place_type"), VisitAdjustment)
REFERRALS = Frozen(ReferralMonthly, ("department_id", "month"), ReferralAdjustment)
CHANNELS = Frozen(ChannelMonthlyOwn, ("org_id", "month", "channel_id"), ChannelAdjustment)
# Every roll-up table: the jobs write none of their closed months' rows.
FROZEN: tuple[Frozen, ...] = (
    OWN,
    Frozen(EntryMonthly, ("node_id", "month", "level", "colour", "kind")),
    Frozen(EntryMonthlyLevel, ("node_id", "month", "level")),
    VISITS,
    REFERRALS,
    CHANNELS,
    Frozen(ChannelMonthly, ("node_id", "month", "channel_id")),
)


def closed_through() -> dt.date | None:
    """The last closed month: every month up to it is closed (None: none is)."""
    return MonthClose.objects.filter(reopened_at__isnull=True).aggregate(last=Max("month"))["last"]


def is_closed(month: dt.date, through: dt.date | None) -> bool:
    return through is not None and month <= through


def open_months(months: Iterable[dt.date], through: dt.date | None) -> set[dt.date]:
    return {month for month in months if not is_closed(month, through)}


def widen(months: set[dt.date], through: dt.date | None, current: dt.date) -> set[dt.date]:
    """The months a job computes: `months`, and the current month if a closed one is among
    them (a difference found there is booked into the current month)."""
    if any(is_closed(month, through) for month in months):
        return {*months, current}
    return set(months)


def open_rows(model: type[Model], through: dt.date | None) -> Q:
    """A condition on `model`'s rows: their month is open."""
    return Q() if through is None else Q(month__gt=through)


def _months_q(field: str, months: set[dt.date] | None, through, *, closed: bool) -> Q | None:
    """A condition: `field` is one of `months` (None: any) that is closed / open; None when
    there is none."""
    if months is None:
        if through is None:
            return None if closed else Q()
        return Q(**{f"{field}__lte" if closed else f"{field}__gt": through})
    chosen = sorted(month for month in months if is_closed(month, through) == closed)
    return Q(**{f"{field}__in": chosen}) if chosen else None


def _chunks(nodes: set[int] | None) -> Iterable[list[int] | None]:
    """`nodes` in batches for IN (…) (None: every node, one batch)."""
    if nodes is None:
        yield None
        return
    ids = sorted(nodes)
    size = IN_BATCH if connection.features.max_query_params else len(ids) or 1
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _node_q(spec: Frozen, ids: list[int] | None) -> Q:
    """A condition: the first key field (the node) is one of `ids` (None: any)."""
    return Q() if ids is None else Q(**{f"{spec.key[0]}__in": ids})


def _stored(spec: Frozen, condition: Q, nodes: set[int] | None) -> Cells:
    cells: Cells = {}
    counts = spec.counts
    for chunk in _chunks(nodes):
        rows = spec.rollup._default_manager.filter(condition, _node_q(spec, chunk))
        for row in rows.values(*spec.key, *counts):
            key = tuple(row[name] for name in spec.key)
            cells[key] = Counter({name: row[name] for name in counts if row[name]})
    return cells


def adjustments(spec: Frozen, month_field: str, condition: Q, nodes: set[int] | None) -> Cells:
    """The adjustments matching `condition`, summed by their key with `month_field`'s month."""
    assert spec.adjustment is not None
    names = [month_field if name == "month" else name for name in spec.key]
    cells: Cells = defaultdict(Counter)
    for chunk in _chunks(nodes):
        rows = spec.adjustment._default_manager.filter(condition, _node_q(spec, chunk))
        for row in rows.values(*names, "counts"):
            cells[tuple(row[name] for name in names)].update(row["counts"])
    return dict(cells)


def _add(total: Cells, cells: Cells, sign: int = 1) -> None:
    for key, counts in cells.items():
        cell = total.setdefault(key, Counter())
        for name, value in counts.items():
            cell[name] = cell.get(name, 0) + sign * value


def _nonzero(counts: Counter) -> dict[str, int]:
    return {name: value for name, value in counts.items() if value}


def settle(
    spec: Frozen,
    computed: Cells,
    *,
    months: set[dt.date] | None,
    through: dt.date | None,
    current: dt.date,
    nodes: set[int] | None,
) -> Cells:
    """Book the differences of the closed months among `months` (None: all) for `nodes` (None:
    all) into `current`, and return the open months' cells to store: computed + booked into.

    `computed` holds every cell of `nodes` × `months`; `months` includes `current` if a closed
    month is among them (widen)."""
    assert spec.adjustment is not None and not is_closed(current, through)
    closed = _months_q("month", months, through, closed=True)
    if closed is not None:
        base = _stored(spec, closed, nodes)
        booked_in = _months_q("booked_month", months, through, closed=True)
        source = _months_q("source_month", months, through, closed=True)
        assert booked_in is not None and source is not None
        _add(base, adjustments(spec, "booked_month", booked_in, nodes), -1)
        _add(base, adjustments(spec, "source_month", source, nodes))
        drift: Cells = {
            key: Counter(counts) for key, counts in computed.items() if is_closed(key[1], through)
        }
        _add(drift, base, -1)
        _book(spec, {key: counts for key, counts in drift.items() if _nonzero(counts)}, current)
    cells: Cells = {
        key: Counter(counts) for key, counts in computed.items() if not is_closed(key[1], through)
    }
    booked = _months_q("booked_month", months, through, closed=False)
    if booked is not None:
        _add(cells, adjustments(spec, "booked_month", booked, nodes))
    return {key: Counter(_nonzero(counts)) for key, counts in cells.items() if _nonzero(counts)}


def _book(spec: Frozen, drift: Cells, current: dt.date) -> None:
    """Add `drift` (keyed by source month) to the adjustments booked into `current`."""
    if not drift:
        return
    assert spec.adjustment is not None
    manager = spec.adjustment._default_manager
    names = ["source_month" if name == "month" else name for name in spec.key]
    existing = {
        tuple(getattr(row, name) for name in names): row
        for chunk in _chunks({key[0] for key in drift})
        for row in manager.filter(
            _node_q(spec, chunk),
            booked_month=current,
            source_month__in=sorted({key[1] for key in drift}),
        )
    }
    new: list[Model] = []
    changed: list[Model] = []
    gone: list[Model] = []
    for key, counts in drift.items():
        row = existing.get(key)
        if row is None:
            new.append(
                spec.adjustment(
                    **dict(zip(names, key, strict=True)),
                    booked_month=current,
                    counts=_nonzero(counts),
                )
            )
            continue
        total: Counter = Counter(getattr(row, "counts"))  # noqa: B009 (an abstract field)
        _add({key: total}, {key: counts})
        row.counts = _nonzero(total)  # type: ignore[attr-defined]
        (changed if _nonzero(total) else gone).append(row)
    manager.bulk_create(new)
    manager.bulk_update(changed, ["counts"])
    manager.filter(pk__in=[row.pk for row in gone]).delete()
