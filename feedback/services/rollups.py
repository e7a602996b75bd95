"""The roll-up jobs (R7): the frequent refresh and the nightly rebuild.

Both compute cells with the same functions (feedback.services.rollup_cells), so a rebuild
equals what the refreshes made; the rebuild exists for what bypasses the timeline (a bulk load, a
restore) and to repair anything a refresh could have missed.

The refresh reads the entry events and visits written since its watermark (RollupState), finds
every (org, month) an entry touched by them could add to — the months of everything the entry
counts in now, also as if it were not void, and every date the events' before and after name (a
due date moved by the calendar, …) — and recomputes those orgs' own cells for those months
wholesale (EntryMonthlyOwn). Then it recomputes, bottom-up, the subtree rows (EntryMonthly) of
those orgs and every node above them for those months: a node's row is its own cell plus its
children's rows. Recomputing whole cells, not adding deltas, makes a run idempotent: reading an
event twice costs time, never a wrong count.

The watermark is an id per table (ids are indexed; times are not), kept below every row
written in the last OVERLAP (by the rows' own insert times, `at` and `created_at`, looking back
at most MAX_REREAD ids): an id is handed out at insert, and a transaction can commit after one
with a larger id was read. Above the floor, the state keeps the last id a run read and how many
rows lay between the floor and it before it read them; the next run counts them again (an
index-only count of at most MAX_REREAD ids): the same number means no late commit came, and it
reads only the rows above the last id — none, with nothing new, so a quiet refresh reads no
event and no visit —; a larger number means one did, and it reads the window again. The event
log and the visits are append-only, so a count cannot stay the same while a row comes. A
transaction open longer than OVERLAP is caught by the nightly rebuild, as is anything written
without an event (seed_demo's bulk load: rebuild after it).

Both jobs run in one transaction that first locks the state row, so two runs (two beats, a
refresh during the rebuild) take turns, and readers see the old rows until it commits. What
commits while a job runs has events (or visits) after the ids it started from, or within the
overlap, so the next refresh recomputes the cells it touched.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min, Model
from django.utils import timezone

from common.bulk import bulk_insert
from feedback.models import (
    CHANNEL_COUNT_FIELDS,
    COUNT_FIELDS,
    ChannelMonthly,
    ChannelMonthlyOwn,
    EntryMonthly,
    EntryMonthlyLevel,
    EntryMonthlyOwn,
    RollupState,
    VisitMonthly,
)
from feedback.periods import local_month, month_of, months_from
from feedback.services.channel_cells import channel_cells
from feedback.services.frozen import (
    CHANNELS,
    OWN,
    REFERRALS,
    VISITS,
    Frozen,
    closed_through,
    open_months,
    open_rows,
    settle,
    widen,
)
from feedback.services.referral_cells import (
    referral_cells,
    referral_months,
    referral_rows_replace,
)
from feedback.services.rollup_cells import Cells, LevelCells, Scope, entry_cells, visit_cells
from liaison.models import Entry, EntryEvent, OrgNode, Visit

# Each refresh reads again what was written this long before it (see the module docstring) …
OVERLAP = dt.timedelta(minutes=10)
# … but never more than this many ids below the newest: rows bulk-loaded with times of their
# own (seed_demo's) must not hold the floor back.
MAX_REREAD = 5000
# With more new events than this (a restore, a first run on a big ledger), rebuild instead.
REBUILD_BACKLOG = 100_000
BATCH = 2000
IN_BATCH = 500  # ids per IN (…) on SQLite
# The key of each table's rows, after the node.
KEYS: dict[type[Model], tuple[str, ...]] = {
    EntryMonthlyOwn: ("org_id", "month", "level", "colour", "kind"),
    EntryMonthly: ("node_id", "month", "level", "colour", "kind"),
    EntryMonthlyLevel: ("node_id", "month", "level"),
    ChannelMonthlyOwn: ("org_id", "month", "channel_id"),
    ChannelMonthly: ("node_id", "month", "channel_id"),
}
# The count columns of each table.
FIELDS: dict[type[Model], tuple[str, ...]] = {
    EntryMonthlyOwn: COUNT_FIELDS,
    EntryMonthly: COUNT_FIELDS,
    EntryMonthlyLevel: COUNT_FIELDS,
    ChannelMonthlyOwn: CHANNEL_COUNT_FIELDS,
    ChannelMonthly: CHANNEL_COUNT_FIELDS,
}
# Every roll-up table, emptied and analysed by the rebuild.
TABLES: tuple[type[Model], ...] = (*KEYS, VisitMonthly)


def _state() -> RollupState:
    """Return the state row, locked for this transaction."""
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def lock_state() -> None:
    """Take the jobs' lock for the calling transaction (closing a month takes turns with the
    jobs, R24)."""
    _state()


def _floor(model: type[Model], floor: int, last: int, cutoff: dt.datetime, field: str) -> int:
    """The next floor: just below the first row written since `cutoff` among the MAX_REREAD
    ids up to `last` (the largest this run read), else `last`; never below `floor`."""
    recent = model._default_manager.filter(pk__gt=max(floor, last - MAX_REREAD), pk__lte=last)
    first = recent.filter(**{f"{field}__gte": cutoff}).aggregate(first=Min("pk"))["first"]
    return max(floor, last if first is None else first - 1)


@dataclass(frozen=True)
class _Window:
    """What a run of the refresh reads of one table: the rows with ids in (start, last]; and
    the watermark it leaves: the floor, `last`, and how many rows lay in (floor, last]."""

    start: int
    last: int
    floor: int
    seen: int


def _window(
    model: type[Model], field: str, *, floor: int, last_read: int | None, seen: int, cutoff
) -> _Window:
    """The rows to read of `model` (the events or the visits) since the last run, and the next
    watermark (`field`: the rows' insert time).

    With nothing newer than the last row read and the same count below it, nothing is read
    (two queries, no row). Otherwise the next watermark's count is taken first and the last
    run's count checked after it: a row that commits between them is seen by the check, which
    then makes the run read the window again; a row counted in the next watermark was thus
    always read by this run (else the next run would believe it read)."""
    rows = model._default_manager.order_by()
    last = rows.aggregate(last=Max("pk"))["last"] or 0

    def unchanged_below() -> int | None:
        """The last row read, if as many rows lie between the floor and it as then."""
        if last_read is None or not floor <= last_read <= last:
            return None
        same = rows.filter(pk__gt=floor, pk__lte=last_read).count() == seen
        return last_read if same else None

    if last <= floor or (last_read == last and unchanged_below() is not None):
        return _Window(last, last, floor, seen)  # nothing to read: the watermark stays
    next_floor = _floor(model, floor, last, cutoff, field)
    next_seen = rows.filter(pk__gt=next_floor, pk__lte=last).count()
    below = unchanged_below()  # checked after the count above
    return _Window(floor if below is None else below, last, next_floor, next_seen)


def _tree() -> dict[str, int]:
    return dict(OrgNode.objects.values_list("path", "pk"))


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(ids)
    size = IN_BATCH if connection.features.max_query_params else len(ids) or 1
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def rollups_refresh() -> dict:
    """Bring the roll-ups up to date with the events and visits written since the last run;
    return what it looked at. A first run (never rebuilt), or one with a backlog of more than
    REBUILD_BACKLOG events, rebuilds."""
    state = _state()
    now = timezone.now()
    backlog = EntryEvent.objects.filter(pk__gt=state.event_floor)[: REBUILD_BACKLOG + 1]
    if state.rebuilt_at is None or backlog.count() > REBUILD_BACKLOG:
        return {"rebuilt": True, **_rebuild(state)}
    cutoff = now - OVERLAP
    events = _window(
        EntryEvent,
        "at",
        floor=state.event_floor,
        last_read=state.event_last,
        seen=state.event_seen,
        cutoff=cutoff,
    )
    visit_rows = _window(
        Visit,
        "created_at",
        floor=state.visit_floor,
        last_read=state.visit_last,
        seen=state.visit_seen,
        cutoff=cutoff,
    )
    cells, visits = {"events": 0, "cells": 0}, {"visits": 0}
    if events.last > events.start or visit_rows.last > visit_rows.start:
        tree = _tree()
        through, current = closed_through(), local_month(now)
        cells = _refresh_entries(tree, events.start, events.last, through, current)
        visits = _refresh_visits(tree, visit_rows.start, visit_rows.last, through, current)
        months = referral_months(events.start, events.last) if events.last > events.start else set()
        if months:  # the referrals of the months new events name (R17)
            months = widen(months, through, current)
            cells_of = settle(
                REFERRALS,
                referral_cells(months),
                months=months,
                through=through,
                current=current,
                nodes=None,
            )
            referral_rows_replace(cells_of, open_months(months, through), through)
    state.event_floor, state.event_last, state.event_seen = events.floor, events.last, events.seen
    state.visit_floor, state.visit_last, state.visit_seen = (
        visit_rows.floor,
        visit_rows.last,
        visit_rows.seen,
    )
    state.refreshed_at = _version(state, now)
    state.save()
    return {"rebuilt": False, **cells, **visits}


def _version(state: RollupState, now: dt.datetime) -> dt.datetime:
    """The roll-ups' new version (refreshed_at): now, or just after the last one if the clock
    says otherwise (a frozen clock in a test, a worker's clock behind another's) — a version
    is never given twice, so a dashboard kept for one is never taken for another's."""
    last = state.refreshed_at
    return now if last is None or now > last else last + dt.timedelta(microseconds=1)


def _event_months(floor: int, last: int) -> set[dt.date]:
    """Every month an event after `floor` names: its own, and any date in its before/after."""
    months = set()
    for at, before, after in EntryEvent.objects.filter(pk__gt=floor, pk__lte=last).values_list(
        "at", "before", "after"
    ):
        months.add(local_month(at))
        for value in (*before.values(), *after.values()):
            month = _month_in(value)
            if month is not None:
                months.add(month)
    return months


def _month_in(value) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    try:
        if len(value) == 10:
            return month_of(dt.date.fromisoformat(value))
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return local_month(moment) if timezone.is_aware(moment) else month_of(moment.date())


def _refresh_entries(
    tree: dict[str, int], floor: int, last: int, through: dt.date | None, current: dt.date
) -> dict:
    if last <= floor:
        return {"events": 0, "cells": 0}
    touched = Entry.objects.filter(
        pk__in=EntryEvent.objects.filter(pk__gt=floor, pk__lte=last).values("entry_id")
    )
    reach = entry_cells(Scope(entries=touched, include_void=True))
    orgs = {key[0] for key in reach}
    months = {key[1] for key in reach} | _event_months(floor, last)
    if not orgs:
        orgs = set(touched.values_list("org_id", flat=True))
    months = widen(months, through, current)
    scope = Scope(orgs=frozenset(orgs), months=frozenset(months))
    own = settle(
        OWN, entry_cells(scope), months=months, through=through, current=current, nodes=orgs
    )
    by_channel = settle(
        CHANNELS, channel_cells(scope), months=months, through=through, current=current, nodes=orgs
    )
    months = open_months(months, through)  # a closed month's rows stay as they are (R24)
    _sync(EntryMonthlyOwn, orgs, months, own)
    _sync(ChannelMonthlyOwn, orgs, months, by_channel)
    by_id = {pk: path for path, pk in tree.items()}
    targets = {prefix for org in orgs for prefix in _prefixes(by_id[org])}
    nodes = {tree[path] for path in targets}
    own = _stored(EntryMonthlyOwn, nodes, months)  # the targets' own cells, as synced
    totals = _subtree_cells(tree=tree, targets=targets, months=months, own=own)
    _sync(EntryMonthly, nodes, months, totals)
    _sync(EntryMonthlyLevel, nodes, months, by_level(totals))
    by_channel = _stored(ChannelMonthlyOwn, nodes, months)
    channel_totals = _subtree_cells(
        tree=tree, targets=targets, months=months, own=by_channel, stored=ChannelMonthly
    )
    _sync(ChannelMonthly, nodes, months, channel_totals)
    return {"events": last - floor, "cells": len(totals)}


def _refresh_visits(
    tree: dict[str, int], floor: int, last: int, through: dt.date | None, current: dt.date
) -> dict:
    if last <= floor:
        return {"visits": 0}
    new = Visit.objects.filter(pk__gt=floor, pk__lte=last)
    rows = list(new.values_list("org__path", "visited_on"))
    if not rows:
        return {"visits": 0}
    start = month_of(min(day for _path, day in rows))
    targets = {prefix for path, _day in rows for prefix in _prefixes(path)}
    nodes = {tree[p] for p in targets if p in tree}
    computed = visit_cells(tree=tree, nodes=targets, start=start)
    months = set(months_from(start, max([current, *(key[1] for key in computed)])))
    cells = settle(VISITS, computed, months=months, through=through, current=current, nodes=nodes)
    existing = VisitMonthly.objects.filter(open_rows(VisitMonthly, through), month__gte=start)
    for chunk in _chunks(nodes):
        existing.filter(node_id__in=chunk).delete()
    _create_visits(cells)
    return {"visits": len(rows)}


def _prefixes(path: str) -> list[str]:
    return [path[:end] for end in range(OrgNode.steplen, len(path) + 1, OrgNode.steplen)]


def _subtree_cells(
    *,
    tree: dict[str, int],
    targets: set[str],
    months: set[dt.date] | None,
    own: dict[tuple, Counter],
    stored: type[Model] = EntryMonthly,
) -> dict[tuple, Counter]:
    """Return the subtree rows of `targets` (paths) for `months` (None: all): each node's own
    cells plus its children's rows — the children among the targets as computed here, the
    others as stored in `stored` (EntryMonthly, or ChannelMonthly for `own` cells by channel).
    A cell's key is (node, month, …) whatever follows."""
    by_id = {pk: path for path, pk in tree.items()}
    steplen = OrgNode.steplen
    pending: dict[str, dict[tuple, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for (org, *rest), counts in own.items():
        path = by_id[org]
        if path in targets:
            pending[path][(tree[path], *rest)].update(counts)
    if months is not None:
        outside = {
            tree[path]
            for path in tree
            if path[:-steplen] in targets and path not in targets and len(path) > steplen
        }
        for (node, *rest), counts in _stored(stored, outside, months).items():
            parent = by_id[node][:-steplen]
            pending[parent][(tree[parent], *rest)].update(counts)
    totals: dict[tuple, Counter] = {}
    for path in sorted(targets, key=len, reverse=True):
        cells = pending.pop(path, {})
        parent = path[:-steplen]
        for (_node, *rest), counts in cells.items():
            if not any(counts.values()):
                continue
            totals[(tree[path], *rest)] = counts
            if parent in targets:
                pending[parent][(tree[parent], *rest)].update(counts)
    return totals


def by_level(cells: Cells) -> LevelCells:
    """The cells summed over colour and kind: (node, month, level) → counts."""
    levels: LevelCells = defaultdict(Counter)
    for (node, month, level, _colour, _kind), counts in cells.items():
        levels[(node, month, level)].update(counts)
    return dict(levels)


def _filter(model: type[Model], nodes: list[int], months: set[dt.date]) -> dict:
    return {f"{KEYS[model][0]}__in": nodes, "month__in": sorted(months)}


def _stored(model: type[Model], nodes: set[int], months: set[dt.date]) -> dict[tuple, Counter]:
    """Return the stored rows of `nodes` × `months` as cells."""
    cells: dict[tuple, Counter] = {}
    keys, fields = KEYS[model], FIELDS[model]
    for chunk in _chunks(nodes):
        rows = model._default_manager.filter(**_filter(model, chunk, months))
        for row in rows.values(*keys, *fields):
            key = tuple(row[name] for name in keys)
            cells[key] = Counter({name: row[name] for name in fields if row[name]})
    return cells


def _sync(
    model: type[Model], nodes: set[int], months: set[dt.date], cells: dict[tuple, Counter]
) -> None:
    """Make `model`'s rows of `nodes` × `months` equal `cells`: update the rows that changed,
    delete the ones gone, create the new ones."""
    keys, fields = KEYS[model], FIELDS[model]
    existing: dict[tuple, Model] = {}
    for chunk in _chunks(nodes):
        for row in model._default_manager.filter(**_filter(model, chunk, months)):
            existing[tuple(getattr(row, name) for name in keys)] = row
    changed, gone, new = [], [], []
    for key, row in existing.items():
        counts = cells.get(key)
        if counts is None:
            gone.append(row.pk)
        elif any(getattr(row, name) != counts.get(name, 0) for name in fields):
            for name in fields:
                setattr(row, name, counts.get(name, 0))
            changed.append(row)
    for key, counts in cells.items():
        if key not in existing:
            new.append(model(**dict(zip(keys, key, strict=True)), **_values(counts, fields)))
    for chunk in _chunks(gone):
        model._default_manager.filter(pk__in=chunk).delete()
    model._default_manager.bulk_update(changed, fields, batch_size=BATCH)
    model._default_manager.bulk_create(new, batch_size=BATCH)


def _values(counts: Counter, fields: tuple[str, ...] = COUNT_FIELDS) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in fields}


def _insert(model: type[Model], cells: dict[tuple, Counter]) -> None:
    """Insert `cells` as rows of `model` (COPY on PostgreSQL: the ORM's bulk_create spends
    most of a rebuild preparing values)."""
    names = [name.removesuffix("_id") for name in KEYS[model]]
    fields = FIELDS[model]
    rows = [(*key, *(counts.get(name, 0) for name in fields)) for key, counts in cells.items()]
    for start in range(0, len(rows), 50 * BATCH):
        bulk_insert(model, (*names, *fields), rows[start : start + 50 * BATCH])


def _create_visits(cells: dict) -> None:
    VisitMonthly.objects.bulk_create(
        (
            VisitMonthly(
                node_id=node,
                month=month,
                place_type=place_type,
                visits=counts.get("visits", 0),
                newly_covered=counts.get("newly_covered", 0),
            )
            for (node, month, place_type), counts in cells.items()
            if counts.get("visits") or counts.get("newly_covered")
        ),
        batch_size=BATCH,
    )


@transaction.atomic
def rollups_rebuild() -> dict:
    """Recompute every roll-up row from the entries, ratings and visits, in one transaction."""
    return _rebuild(_state())


def _rebuild(state: RollupState) -> dict:
    now = timezone.now()
    # The watermark the rebuild leaves, taken before it reads anything (as a refresh does): a
    # row that commits while it runs is read by the next refresh.
    events = _window(
        EntryEvent, "at", floor=state.event_floor, last_read=None, seen=0, cutoff=now - OVERLAP
    )
    visit_rows = _window(
        Visit, "created_at", floor=state.visit_floor, last_read=None, seen=0, cutoff=now - OVERLAP
    )
    tree = _tree()
    by_id = {pk: path for path, pk in tree.items()}
    # R24: the closed months' rows stay; what differs there is booked into the current month.
    through, current = closed_through(), local_month(now)

    def frozen(spec: Frozen, cells: dict) -> dict:
        return settle(spec, cells, months=None, through=through, current=current, nodes=None)

    own = frozen(OWN, entry_cells(Scope()))
    targets = {prefix for (org, *_rest) in own for prefix in _prefixes(by_id[org])}
    totals = _subtree_cells(tree=tree, targets=targets, months=None, own=own)
    visits = frozen(VISITS, visit_cells(tree=tree, nodes=None, start=None))
    by_channel = frozen(CHANNELS, channel_cells(Scope()))
    channel_targets = {prefix for (org, *_rest) in by_channel for prefix in _prefixes(by_id[org])}
    channel_totals = _subtree_cells(
        tree=tree, targets=channel_targets, months=None, own=by_channel, stored=ChannelMonthly
    )
    for model in TABLES:
        model._default_manager.filter(open_rows(model, through)).delete()
    _insert(EntryMonthlyOwn, own)
    _insert(EntryMonthly, totals)
    _insert(EntryMonthlyLevel, by_level(totals))
    _insert(ChannelMonthlyOwn, by_channel)
    _insert(ChannelMonthly, channel_totals)
    _create_visits(visits)
    referrals = referral_rows_replace(frozen(REFERRALS, referral_cells(None)), None, through)
    state.event_floor, state.event_last, state.event_seen = events.floor, events.last, events.seen
    state.visit_floor, state.visit_last, state.visit_seen = (
        visit_rows.floor,
        visit_rows.last,
        visit_rows.seen,
    )
    state.rebuilt_at = now
    state.refreshed_at = _version(state, now)
    state.save()
    if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses wrong
        with connection.cursor() as cursor:
            for model in TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {
        "own": len(own),
        "rows": len(totals),
        "visit_rows": len(visits),
        "referral_rows": referrals,
    }
