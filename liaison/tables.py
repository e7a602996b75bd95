"""django-tables2 tables: only the listed columns can be sorted."""

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cached_property

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import F, Field, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tables2.rows import BoundRows
from django_tables2.utils import AttributeDict

from common.expressions import InValues
from common.html import html, html_join
from liaison.deadlines import awaiting_reply, is_due_soon, is_overdue
from liaison.models import AuditEvent, Entry, Pairing, Person, ReplyTemplate
from liaison.models.ledger import COLOUR_RANK
from liaison.permissions import Visibility
from liaison.templatetags.liaison_tags import side_html
from liaison.workdays import WorkCalendar

# Columns a phone screen leaves out, so that what is left stays readable.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NO_WRAP = {"td": {"class": "text-nowrap"}}
WIDE_NO_WRAP = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-nowrap"},
}


class PersonTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), attrs=WIDE_ONLY)
    name = tables.Column(verbose_name=_("Name"), linkify=True, attrs=NO_WRAP)
    kind = tables.Column(verbose_name=_("Kind"), attrs=WIDE_ONLY)
    org = tables.Column(verbose_name=_("Organisation"), order_by=("org__path",))
    unit = tables.Column(verbose_name=_("Unit"), order_by=("unit__name",), attrs=WIDE_ONLY)
    flags = tables.TemplateColumn(
        template_name="liaison/_person_flags.html", verbose_name=_("Tags"), orderable=False
    )
    phone = tables.Column(verbose_name=_("Phone"), orderable=False, attrs=WIDE_ONLY)

    class Meta:
        model = Person
        fields = ("code", "name", "kind", "org", "unit", "flags", "phone")
        order_by = ("code",)
        empty_text = _("No one matches these filters.")


class PairingTable(tables.Table):
    kind = tables.Column(verbose_name=_("Kind"))
    subject = tables.Column(
        verbose_name=_("Liaison side"), accessor="pk", order_by=("person__name", "org__name")
    )
    target = tables.Column(
        verbose_name=_("Paired with"),
        accessor="pk",
        orderable=False,
    )
    start_on = tables.DateColumn(verbose_name=_("Start"), format="Y-m-d", attrs=WIDE_ONLY)
    end_on = tables.DateColumn(verbose_name=_("End"), format="Y-m-d", default="—", attrs=WIDE_ONLY)

    class Meta:
        model = Pairing
        fields = ("kind", "subject", "target", "start_on", "end_on")
        order_by = ("kind", "start_on")
        empty_text = _("No pairing matches these filters.")

    def __init__(self, *args, visibility: Visibility, **kwargs):
        super().__init__(*args, **kwargs)
        self.visibility = visibility

    def render_subject(self, record):
        return side_html(record.subject, self.visibility)

    def render_target(self, record):
        return side_html(record.target, self.visibility)


# An entry list counts at most this many rows: a count of a million entries alone would take
# longer than the whole page may (DESIGN.md §5). Past it the list says "more than", and shows the
# first pages of it; the filters narrow it and the export holds every row.
LIST_COUNT_CAP = 5000


class CappedPaginator(Paginator):
    """A paginator whose count stops at LIST_COUNT_CAP (capped tells whether there are more)."""

    cap = LIST_COUNT_CAP

    @cached_property
    def counted(self) -> int:
        """The rows, counted up to one past the cap, unordered: one cheap query, or one for each
        part of a list in parts (EntryTable.parts). The parts do not overlap, so their counts
        add up to the list's; each stops past the cap, so the sum tells whether the list passes
        it and is exact where it does not."""
        parts = self.object_list.table.parts or [self.object_list.data.data]
        return sum(part.order_by()[: self.cap + 1].count() for part in parts)

    @property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        return self.counted > self.cap


# An entry as a card on a phone: number, colour and status; the whole title, which links to the
# entry (the link covers the card); then the notes (the deadline, the supervision notice).
ENTRY_CARD = (
    '<li class="card mb-2 position-relative ledger-entry-card" data-testid="entry-card">'
    '<div class="card-body p-2">'
    '<div class="d-flex flex-wrap align-items-center gap-2 small">'
    '<span class="text-body-secondary">{}</span>{}<span class="ms-auto">{}</span></div>'
    '<a class="stretched-link d-block my-1 fw-semibold text-break" href="{}">{}</a>'
    '<div class="d-flex flex-wrap gap-2 small">{}</div></div></li>'
)


class EntryTable(tables.Table):
    """One row per entry. The deadline column counts working days in Python with one calendar
    loaded per page, so a page of 100 rows costs the queries of a page of 10."""

    # The columns a page's rows are read with: what the cell renderers below read, and the
    # names of the relations the list joins. An entry has about sixty columns and its owner's
    # account twenty; reading and loading all of them took a third of a list page's Python.
    # A renderer that reads a field left out here costs a query per row (the list pages'
    # pinned query counts fail).
    ROW_FIELDS: tuple[str, ...] = (
        "number",
        "colour",
        "title",
        "kind",
        "level",
        "status",
        "recorded_on",
        "due_on",
        "suspended_on",
        "extensions",
        "org__name",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
        "department__name",
    )

    number = tables.Column(verbose_name=_("No."), linkify=True, attrs=WIDE_NO_WRAP)
    colour = tables.Column(verbose_name=_("Colour"), empty_values=())
    # On a phone the title is the link (the number column is left out).
    title = tables.Column(verbose_name=_("Title"), linkify=True, orderable=False)
    kind = tables.Column(verbose_name=_("Kind"), orderable=False, attrs=WIDE_ONLY)
    level = tables.Column(verbose_name=_("Level"), orderable=False, attrs=WIDE_ONLY)
    status = tables.Column(verbose_name=_("Status"), attrs=NO_WRAP)
    org = tables.Column(verbose_name=_("Organisation"), orderable=False, attrs=WIDE_ONLY)
    owner = tables.Column(verbose_name=_("Owner"), orderable=False, attrs=WIDE_ONLY)
    recorded_on = tables.DateColumn(
        verbose_name=_("Recorded on"),
        format="Y-m-d",
        order_by=("recorded_on", "pk"),
        attrs=WIDE_ONLY,
    )
    due_on = tables.DateColumn(verbose_name=_("Due on"), format="Y-m-d", default="—")
    deadline = tables.Column(
        verbose_name=_("Deadline"), accessor="pk", orderable=False, attrs=NO_WRAP
    )
    department = tables.Column(
        verbose_name=_("Handling department"), orderable=False, default="—", attrs=WIDE_ONLY
    )

    class Meta:
        model = Entry
        fields = (
            "number",
            "colour",
            "title",
            "kind",
            "level",
            "status",
            "org",
            "owner",
            "recorded_on",
            "due_on",
            "deadline",
            "department",
        )
        order_by = ("-recorded_on",)
        empty_text = _("No entry matches these filters.")
        template_name = "liaison/_entry_table.html"

    def __init__(
        self,
        *args,
        today: dt.date | None = None,
        parts: Callable[[], Sequence[QuerySet[Entry]]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self._parts = parts

    @cached_property
    def parts(self) -> Sequence[QuerySet[Entry]]:
        """The parts the list is the union of, filtered as the table's data is
        (entry_scope_parts; EntryFilter.part_querysets), or none: read once the filters are
        checked. With parts, the count adds up their counts and a page is read through them
        (_by_parts)."""
        return self._parts() if self._parts else ()

    @cached_property
    def body_rows(self) -> list[str]:
        """The page's rows as HTML, rendered in one pass here.

        django-tables2 renders a cell in about 0.1 ms (accessors, signatures, attributes): 300
        cells would take most of a list page's 50 ms (DESIGN.md §5). The header, sorting and
        pagination stay django-tables2's; the cells are the render_* methods below, or plain
        values, with each column's td attributes."""
        cells = self.cell_renderers()
        columns = [
            (column.name, AttributeDict(column.attrs.get("td", {})).as_html())
            for column in self.columns
        ]
        return [
            html_join(
                "",
                "<td {}>{}</td>",
                (
                    (td, cells[name](row.record) if name in cells else row.get_cell(name))
                    for name, td in columns
                ),
            )
            for row in self.page_rows
        ]

    @cached_property
    def card_rows(self) -> list[str]:
        """The page's entries as cards for a phone, from the same rows as the table (no query
        more): number, colour, status, the whole title linking to the entry, the deadline."""
        return [
            html(
                ENTRY_CARD,
                row.record.number,
                self.render_colour(row.record) if row.record.colour else "",
                self.label(row.record, "status"),
                self.entry_url(row.record.pk),
                row.record.title,
                html_join("", "<span>{}</span>", ((cell,) for cell in self.card_notes(row.record))),
            )
            for row in self.page_rows
        ]

    def card_notes(self, record) -> list[str]:
        """What a card shows under the title: the deadline, where there is one."""
        deadline = self.render_deadline(record)
        return [] if deadline == "—" else [deadline]

    @cached_property
    def entry_url(self):
        """An entry's address from its id: reversed once a page, not three times a row."""
        head, _zero, tail = reverse("liaison:entry_detail", args=[0]).rpartition("0")
        return lambda pk: f"{head}{pk}{tail}"

    @cached_property
    def page_rows(self) -> list:
        """The page's rows, read once for both the table and the cards, with ROW_FIELDS only
        (the list's own queryset, which the export reads, keeps every column)."""
        rows = self.paginated_rows
        if hasattr(self, "page") and isinstance(rows.data, QuerySet):
            data = rows.data.only(*self.ROW_FIELDS)
            if self.parts:
                data = self._by_parts(data)
            elif self.READ_IDS_FIRST:
                data = self._by_ids(data)
            rows = BoundRows(data=data, table=self, pinned_data=rows.pinned_data)
            # The pagination's own reads (the page's length) take these rows, not a query more.
            self.page.object_list = rows
        return list(rows)

    # Whether a page's rows are read as their ids first, then the rows by id (see _by_ids).
    READ_IDS_FIRST = False

    def _by_ids(self, page: QuerySet[Entry]) -> list[Entry]:
        """The page's rows in two reads: their ids, in the list's order, then the rows by id.
        The first can walk an index that covers the list's conditions without reading the
        table (an index-only scan), where reading whole rows in that order reads the table for
        every entry the walk passes over."""
        ids = list(page.values_list("pk", flat=True))
        found = self.data.data.only(*self.ROW_FIELDS).in_bulk(ids)
        return [found[pk] for pk in ids]

    def _by_parts(self, page: QuerySet[Entry]) -> list[Entry]:
        """The page's rows of a list in parts: each part's first ids in the list's order, as
        many as the page reaches (each part walks its own index), then the page among them.
        The list's rows up to the page's end are among each part's up to it, provided the order
        puts every row in one place: the id breaks its ties (a sort by status alone has
        thousands), in each part's read and in the last."""
        low, high = page.query.low_mark, page.query.high_mark
        order = (*page.query.order_by, "pk")
        ids = [
            pk
            for part in self.parts
            for pk in part.order_by(*order).values_list("pk", flat=True)[:high]
        ]
        if not ids:
            return []
        among = self.data.data.only(*self.ROW_FIELDS).filter(InValues("pk", ids))
        return list(among.order_by(*order)[low:high])

    def cell_renderers(self) -> dict:
        """How each column's cell is rendered, by column name."""
        return {
            "number": lambda r: html('<a href="{}">{}</a>', self.entry_url(r.pk), r.number),
            "colour": self.render_colour,
            "title": lambda r: html('<a href="{}">{}</a>', self.entry_url(r.pk), r.title),
            "kind": lambda r: self.label(r, "kind"),
            "level": lambda r: self.label(r, "level"),
            "status": lambda r: self.label(r, "status"),
            "org": lambda r: r.org.name,
            "owner": lambda r: self.render_owner(r.owner),
            "recorded_on": lambda r: f"{r.recorded_on:%Y-%m-%d}",
            "due_on": lambda r: f"{r.due_on:%Y-%m-%d}" if r.due_on else "—",
            "deadline": self.render_deadline,
            "department": lambda r: r.department.name if r.department_id else "—",
        }

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """The choice fields' labels, translated once a page rather than once a cell (a lazy
        label costs a gettext each time it is shown: hundreds a page)."""
        fields = [Entry._meta.get_field(name) for name in ("colour", "kind", "level", "status")]
        return {
            field.name: {value: str(label) for value, label in field.flatchoices}
            for field in fields
            if isinstance(field, Field)
        }

    def label(self, record, name: str) -> str:
        """What get_<name>_display() shows, from the page's translated labels."""
        value = getattr(record, name)
        return self.labels[name].get(value, value)

    def paginate(self, paginator_class=CappedPaginator, *args, **kwargs):
        return super().paginate(CappedPaginator, *args, **kwargs)

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar of the last, this and the next year (loaded once a page)."""
        return WorkCalendar.load(self.today.year - 1, self.today.year + 1)

    def order_colour(self, queryset, is_descending):
        """Red first, newest first within a colour; descending, the exact reverse (both read
        in order from the entry_colour_rank index)."""
        if is_descending:
            return queryset.order_by(COLOUR_RANK.desc(), "recorded_on", "pk"), True
        return queryset.order_by(COLOUR_RANK.asc(), "-recorded_on", "-pk"), True

    def order_due_on(self, queryset, is_descending):
        """Entries without a due date (basic information) come last either way."""
        due = (
            F("due_on").desc(nulls_last=True) if is_descending else F("due_on").asc(nulls_last=True)
        )
        pk = "-pk" if is_descending else "pk"
        return queryset.order_by(due, pk), True

    def render_colour(self, record):
        if not record.colour:
            return "—"
        return html(
            '<span class="badge ledger-colour-{}">{}</span>',
            record.colour,
            self.label(record, "colour"),
        )

    def render_owner(self, value):
        return value.get_full_name() or value.username

    def render_deadline(self, record):
        """Working days left, or an overdue badge, for an entry still awaiting its reply (R6);
        worked out once a row for both the table and the cards."""
        drawn = self._deadlines.get(record.pk)
        if drawn is None:
            drawn = self._deadlines[record.pk] = self._deadline(record)
        return drawn

    @cached_property
    def _deadlines(self) -> dict[int, str]:
        return {}

    def _deadline(self, record) -> str:
        if not awaiting_reply(record.status) or record.due_on is None:
            return "—"
        if record.suspended_on is not None:  # R20: the clock stands still
            return html('<span class="badge text-bg-secondary">{}</span>', _("Suspended"))
        days = self.calendar.working_days_between(self.today, record.due_on)
        if is_overdue(status=record.status, due_on=record.due_on, today=self.today):
            # if only by a weekend: 0 working days
            return html(
                '<span class="badge text-bg-danger">{}</span>',
                ngettext("Overdue %(n)s working day", "Overdue %(n)s working days", -days)
                % {"n": -days},
            )
        warn = is_due_soon(colour=record.colour, working_days_left=days)
        left = html(
            '<span class="{}">{}</span>',
            "badge text-bg-warning" if warn else "text-muted small",
            ngettext("%(n)s working day left", "%(n)s working days left", days) % {"n": days},
        )
        if record.extensions:  # R19: marked as extended for as long as the round lasts
            return html('{} <span class="badge text-bg-info">{}</span>', left, _("Extended"))
        return left


class SupervisionTable(EntryTable):
    """The supervision board's list: the oldest overdue first, with each entry's notice state."""

    supervision = tables.Column(
        verbose_name=_("Supervision"), accessor="pk", orderable=False, attrs=NO_WRAP
    )

    class Meta(EntryTable.Meta):
        fields = (
            "number",
            "colour",
            "title",
            "status",
            "org",
            "owner",
            "due_on",
            "deadline",
            "supervision",
            "department",
        )
        exclude = ("kind", "level", "recorded_on")
        order_by = ("due_on",)
        empty_text = _("Nothing overdue or under supervision here.")

    # The board's list is the open work past its due date or under a notice: its ids come
    # from the open work's index (entry_awaiting_due) alone. Latest due first, reading whole
    # rows in that order read the table for the 40,000 open entries not yet due at 1M (0.2-0.35
    # s); the ids alone, 11-18 ms.
    READ_IDS_FIRST = True

    def order_due_on(self, queryset, is_descending):
        """Every entry of the board has a due date: the open work's index gives either order
        (NULLS LAST would take the ledger's entry_due_desc and walk past every future one)."""
        if is_descending:
            return queryset.order_by(F("due_on").desc(), "-pk"), True
        return queryset.order_by("due_on", "pk"), True

    def cell_renderers(self) -> dict:
        return {**super().cell_renderers(), "supervision": self.render_supervision}

    def card_notes(self, record) -> list[str]:
        supervision = self.render_supervision(record)
        return super().card_notes(record) + ([] if supervision == "—" else [supervision])

    def render_supervision(self, record):
        """The open notice's answer date (red once past), else how many were answered."""
        respond_by = record.open_respond_by
        if respond_by is not None:
            late = respond_by < self.today
            return html(
                '<span class="badge {}">{}</span>',
                "text-bg-danger" if late else "text-bg-warning",
                (_("Answer overdue since %(date)s") if late else _("Answer by %(date)s"))
                % {"date": f"{respond_by:%Y-%m-%d}"},
            )
        if record.supervision_rounds:
            return html(
                '<span class="small text-muted">{}</span>',
                ngettext(
                    "%(n)s notice answered", "%(n)s notices answered", record.supervision_rounds
                )
                % {"n": record.supervision_rounds},
            )
        return "—"


NUMBER = {"th": {"class": "text-end text-nowrap"}, "td": {"class": "text-end"}}


class ReplyTemplateTable(tables.Table):
    """The knowledge base: one row per reply template, with how often it was used."""

    title = tables.Column(verbose_name=_("Title"), linkify=True)
    item = tables.Column(
        verbose_name=_("Service item"),
        empty_values=(),
        order_by=("item__category__position", "item__position", "item__name", "position"),
    )
    use = tables.Column(verbose_name=_("Used for"), attrs=WIDE_NO_WRAP)
    policy_refs = tables.Column(
        verbose_name=_("Policy references"), orderable=False, attrs=WIDE_ONLY
    )
    usage_count = tables.Column(verbose_name=_("Times used"), attrs=NUMBER)
    last_used_at = tables.DateTimeColumn(
        verbose_name=_("Last used"), format="Y-m-d", default="—", attrs=WIDE_NO_WRAP
    )

    class Meta:
        model = ReplyTemplate
        fields = ("title", "item", "use", "policy_refs", "usage_count", "last_used_at")
        empty_text = _("No reply template matches these filters.")

    def render_title(self, record, value):
        if record.is_active:
            return value
        return html('{} <span class="badge text-bg-secondary">{}</span>', value, _("Retired"))

    def render_item(self, record):
        if record.item_id is None:
            return _("Every service item")
        return f"{record.item.category.name} · {record.item.name}"

    def render_policy_refs(self, value):
        return Truncator(value).chars(48)


class AuditEventTable(tables.Table):
    """The audit log (三员分立: the audit administrator's page)."""

    at = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s", attrs=NO_WRAP)
    actor = tables.Column(
        verbose_name=_("Account"), accessor="actor__username", order_by=("actor__username",)
    )
    action = tables.Column(
        verbose_name=_("Action"), attrs={"th": {"class": "text-nowrap"}, **NO_WRAP}
    )
    object_type = tables.Column(verbose_name=_("Object type"), attrs=WIDE_ONLY)
    object_id = tables.Column(
        verbose_name=_("Object id"),
        orderable=False,
        attrs={
            "th": {"class": "d-none d-md-table-cell text-nowrap"},
            "td": {"class": "d-none d-md-table-cell"},
        },
    )
    summary = tables.Column(verbose_name=_("Summary"), orderable=False)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor", "action", "object_type", "object_id", "summary")
        order_by = ("-at",)
        empty_text = _("No audit event matches these filters.")
