"""Reads of one ledger entry, scoped to the user: its page, its printed sheets.

Other apps add to the entry page without liaison importing them (feedback depends on liaison,
never the reverse): a panel builder registered with `entry_panel_register`, a part of a printed
sheet with `entry_sheet_register`, and the labels of the keys they write into an event's before
and after with `event_field_register`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Choices, Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from liaison import permissions, transitions
from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    Colour,
    Decision,
    EntryStatus,
    EventKind,
    ReturnReason,
)
from liaison.deadlines import entry_calendar, in_sign_window, is_due_soon, is_overdue, sign_by
from liaison.models import Entry, EntryEvent, Unit, User

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The heading of an entry's printed record sheet (红/橙/黄色记录单), by colour.
SHEET_TITLES: dict[str, StrPromise] = {
    Colour.RED: gettext_lazy("Red record sheet"),
    Colour.ORANGE: gettext_lazy("Orange record sheet"),
    Colour.YELLOW: gettext_lazy("Yellow record sheet"),
}
BASIC_SHEET_TITLE = gettext_lazy("Basic information record sheet")


@dataclass(frozen=True)
class EntryPanel:
    """A part of the entry page that another app renders: its template and context."""

    template: str
    context: dict


PanelBuilder = Callable[..., EntryPanel | None]  # (*, user, entry, forms) -> panel or None
_PANELS: list[PanelBuilder] = []
# The printed sheets other apps may add to, by name.
SHEETS = ("referral",)
SheetBuilder = Callable[..., EntryPanel | None]  # (*, user, entry, sheet) -> panel or None
_SHEET_PANELS: list[SheetBuilder] = []
# Keys other apps write into events: key -> (label, {value: label}).
_EVENT_FIELDS: dict[str, tuple[object, dict]] = {
    "return_reason": (gettext_lazy("Why it was returned"), dict(ReturnReason.choices)),
    "cohandler": (gettext_lazy("Co-handling department"), {}),
    "decision": (pgettext_lazy("request", "Decision"), dict(Decision.choices)),
    "working_days": (gettext_lazy("Working days suspended"), {}),
    "template": (gettext_lazy("Reply template used"), {}),  # its title (the knowledge base)
}
# Keys whose value is a primary key, resolved to a name for display.
_EVENT_REFERENCES: dict[str, type[User] | type[Unit]] = {
    "owner": User,
    "department": Unit,
    "signed_by": User,
    "cohandler": Unit,
}


def entry_panel_register(builder: PanelBuilder) -> PanelBuilder:
    """Add a panel to the entry page (call from an AppConfig.ready)."""
    if builder not in _PANELS:
        _PANELS.append(builder)
    return builder


def entry_sheet_register(builder: SheetBuilder) -> SheetBuilder:
    """Add a part to the printed sheets (call from an AppConfig.ready)."""
    if builder not in _SHEET_PANELS:
        _SHEET_PANELS.append(builder)
    return builder


def entry_sheet_panels(*, user: User, entry: Entry, sheet: str) -> list[EntryPanel]:
    """Return the parts other apps add to one of the entry's printed sheets for `user`."""
    if sheet not in SHEETS:
        raise ValueError(f"unknown sheet {sheet!r}")
    return [
        panel
        for builder in _SHEET_PANELS
        if (panel := builder(user=user, entry=entry, sheet=sheet)) is not None
    ]


def event_field_register(name: str, label, choices: type[Choices] | None = None) -> None:
    """Name a key another app writes into events, and its values' labels."""
    _EVENT_FIELDS[name] = (label, dict(choices.choices) if choices else {})


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    is_new: bool  # nothing before: show only the value


@dataclass
class EventRow:
    event: EntryEvent
    changes: list[Change]


@dataclass
class EntryView:
    """What the entry page shows besides the entry itself."""

    entry: Entry
    events: list[EventRow]
    awaiting_reply: bool
    working_days_left: int | None  # negative: working days overdue
    can_see: permissions.Visibility
    is_overdue: bool = False  # R6, liaison.deadlines
    is_due_soon: bool = False  # R6: the warning before the due date
    actions: list[str] = field(default_factory=list)
    progress_note_due: bool = False
    panels: list[EntryPanel] = field(default_factory=list)
    # A referral not signed for yet (R17): the last day to sign for it, and whether that passed.
    sign_by: dt.date | None = None
    sign_late: bool = False
    cohandlers: list[Unit] = field(default_factory=list)  # R18, beside the lead department

    @property
    def working_days_overdue(self) -> int:
        return max(0, -(self.working_days_left or 0))

    @property
    def sheet_title(self) -> str:
        return str(SHEET_TITLES.get(self.entry.colour, BASIC_SHEET_TITLE))


def _field_meta(name: str) -> tuple[str, dict]:
    if name in _EVENT_FIELDS:
        label, values = _EVENT_FIELDS[name]
        return str(label), values
    try:
        model_field = Entry._meta.get_field(name)
    except Exception:  # a key no model field or app names: show it as it is
        return name, {}
    if not isinstance(model_field, Field):  # a reverse relation: no label of its own either
        return name, {}
    return str(model_field.verbose_name), dict(model_field.flatchoices or [])


def _name(obj) -> str:
    return (obj.get_full_name() or obj.username) if isinstance(obj, User) else str(obj)


def _display(value, values: dict, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if not isinstance(value, str | int):
        return str(value)
    if value in values:
        return str(values[value])
    if value in names:
        return names[value]
    if isinstance(value, str) and "T" in value and (moment := parse_datetime(value)):
        return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return str(value)


def _entry_events(entry: Entry) -> list[EntryEvent]:
    """The entry's events in order, each with its actor: the entry's owner and recorder come
    loaded with it, the others in one more query if there are any."""
    events = list(entry.events.order_by("at", "pk"))
    actors = {entry.owner_id: entry.owner, entry.recorded_by_id: entry.recorded_by}
    missing = {event.actor_id for event in events if event.actor_id not in actors}
    missing.discard(None)
    if missing:
        actors.update(User.objects.in_bulk(missing))
    for event in events:
        event.actor = actors.get(event.actor_id) if event.actor_id is not None else None
    return events


def _event_rows(events: list[EntryEvent], known: list[User | Unit]) -> list[EventRow]:
    """Return each event with its changes in words: labels, choice labels, names for ids (one
    query per model for the keys not among the users and units `known` already)."""
    found: dict[type[User] | type[Unit], dict[int, str]] = {}
    for obj in known:
        found.setdefault(type(obj), {})[obj.pk] = _name(obj)
    wanted: dict[type[User] | type[Unit], set[int]] = {}
    for event in events:
        for key, model in _EVENT_REFERENCES.items():
            pks = {v for v in (event.before.get(key), event.after.get(key)) if v}
            pks -= found.get(model, {}).keys()
            if pks:
                wanted.setdefault(model, set()).update(pks)
    for model, pks in wanted.items():
        read = found.setdefault(model, {})
        read.update((obj.pk, _name(obj)) for obj in model._default_manager.filter(pk__in=pks))
    names = {key: found.get(model, {}) for key, model in _EVENT_REFERENCES.items()}
    rows = []
    for event in events:
        changes = []
        for name in dict.fromkeys([*event.before, *event.after]):
            label, values = _field_meta(name)
            key_names = names.get(name, {})
            before = _display(event.before.get(name), values, key_names)
            after = _display(event.after.get(name), values, key_names)
            changes.append(Change(label, before, after, is_new=name not in event.before))
        rows.append(EventRow(event, changes))
    return rows


def entry_view(
    *,
    user: User,
    entry: Entry,
    forms: dict | None = None,
    today: dt.date | None = None,
    with_panels: bool = True,
) -> EntryView:
    """Return the entry page's data: the timeline with before and after, the days left or
    overdue (R6, checked live), the actions the user may take, and other apps' panels (none
    for a printed sheet: `with_panels=False`). `forms` holds a bound form to show again (by
    action name) after a refused submission."""
    today = today or timezone.localdate()
    due_on = entry.due_on if entry.status in AWAITING_REPLY_STATUSES else None
    days_left = None
    if due_on is not None:  # awaiting its reply
        calendar = entry_calendar(entry, today)
        days_left = calendar.working_days_between(today, due_on)
    suspended = entry.suspended_on is not None  # R20: the clock stands still
    sign_by_day, sign_late = None, False
    referred = entry.status == EntryStatus.REFERRED and entry.department_id
    if referred and entry.signed_at is None and entry.referred_at is not None:
        calendar = entry_calendar(entry, today)
        sign_by_day = sign_by(referred_at=entry.referred_at, calendar=calendar)
        sign_late = not in_sign_window(
            referred_at=entry.referred_at, today=today, calendar=calendar
        )
    events = _entry_events(entry)
    panels = [
        panel
        for builder in (_PANELS if with_panels else ())
        if (panel := builder(user=user, entry=entry, forms=forms or {})) is not None
    ]
    return EntryView(
        entry=entry,
        events=_event_rows(
            events,
            known=[
                *(event.actor for event in events if event.actor is not None),
                *([entry.department] if entry.department is not None else []),
            ],
        ),
        awaiting_reply=due_on is not None,
        working_days_left=days_left,
        is_overdue=is_overdue(
            status=entry.status, due_on=entry.due_on, today=today, suspended=suspended
        ),
        is_due_soon=not suspended
        and is_due_soon(colour=entry.colour, working_days_left=days_left)
        and not is_overdue(status=entry.status, due_on=entry.due_on, today=today),
        can_see=permissions.Visibility.of(user),
        actions=transitions.entry_actions(entry=entry, user=user),
        progress_note_due=transitions.progress_note_due(entry=entry, today=today),
        panels=panels,
        sign_by=sign_by_day,
        sign_late=sign_late,
        # Read only for an entry whose timeline says one was added (the service writes both).
        cohandlers=list(Unit.objects.filter(cohandled__entry=entry).order_by("cohandled__added_at"))
        if any(event.kind == EventKind.COHANDLER_ADDED for event in events)
        else [],
    )
