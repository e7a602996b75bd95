"""django-filter sets for the people, pairing and entry lists (every choice scoped to the user)
and for the knowledge base."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import django_filters
from django import forms
from django.db import connections
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from common.expressions import AnyOf
from common.widgets import style_filter_fields
from liaison import permissions
from liaison.constants import (
    Colour,
    EntryKind,
    EntryStatus,
    Level,
    OrgKind,
    OverdueAge,
    PairingKind,
    PersonKind,
    TemplateUse,
    template_uses_for,
)
from liaison.deadlines import awaiting_q, overdue_q
from liaison.models import (
    Channel,
    Entry,
    OrgNode,
    Pairing,
    Person,
    ReplyTemplate,
    ServiceCategory,
    ServiceItem,
    Supervision,
    User,
)
from liaison.workdays import WorkCalendar

# A whole entry number, as entry_numbers writes it: CODE-YEAR-000123.
ENTRY_NUMBER = re.compile(r"[A-Za-z0-9]+-\d{4}-\d{6,}")
# "Due within N working days" accepts 1 to this many (three months of working days).
DUE_WITHIN_MAX_WORKING_DAYS = 60

YES_NO = [("true", _("Yes")), ("false", _("No"))]
ALL = _("All")


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes/no filter on a boolean field, empty meaning "all"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "true"})


class _NamePairs(forms.models.ModelChoiceIterator):
    """The empty choice, then the queryset's rows as (id, name) pairs."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name").iterator()


class NameChoiceIterator(filter_fields.ModelChoiceIterator, _NamePairs):
    """django-filter's choices (the empty one, its null one) over (id, name) pairs."""


class NameChoiceField(filter_fields.ModelChoiceField):
    iterator = NameChoiceIterator


class NameChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of rows that show as their name (an organisation, a channel, a category): the
    options are read as (id, name) pairs, not as model instances — a province's 140
    organisations took a list page several milliseconds to load as objects. The chosen value
    is still checked against the queryset and given to the filter as the object."""

    field_class = NameChoiceField


class SharesTwoCharacters(Func):
    """Whether an entry's number, title and description hold these two characters side by
    side (PostgreSQL): the expression of the bigram index of migration 0030, which the planner
    matches, over the columns as the query names them (a subquery's alias included)."""

    output_field = BooleanField()

    def __init__(self, value: str) -> None:
        super().__init__(F("number"), F("title"), F("description"), Value(value))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, part_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(part_params)
        *columns, piece = parts
        text = " || ' ' || ".join(f"{column}::text" for column in columns)
        return f"ledger_bigrams(UPPER({text})) @> ARRAY[UPPER({piece})]", params


def text_lookup(value: str) -> str:
    """The lookup an entry search for `value` compares its columns with: `icontains`, except
    for two characters none of which has a case (Chinese, digits), where `contains` finds the
    same rows (folding the case changes nothing in the value, and only cased letters in the
    text) at half the cost of upper-casing every description read. Three characters and more
    keep `icontains`: the trigram indexes are over the upper-cased columns."""
    if len(value) == 2 and value.upper() == value.lower():
        return "contains"
    return "icontains"


def narrow_two_characters(queryset: QuerySet[Entry], value: str) -> QuerySet[Entry]:
    """Narrow an entry search for `value` (matched by icontains as well) through the bigram
    index when `value` has two characters, on PostgreSQL: trigrams cannot serve it, and
    without this the search reads the whole ledger. Any other case: the queryset unchanged.

    The condition (the entry's number, title and description hold the two characters side by
    side) is implied by each icontains, so it never changes the result, only the plan.
    """
    if len(value) != 2 or connections[queryset.db].vendor != "postgresql":
        return queryset
    return queryset.filter(SharesTwoCharacters(value))


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose org choices are the user's visible subtree."""

    def __init__(self, data=None, queryset=None, *, user: User, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        # Party groups are left out of the choice: choosing their branch includes them, and a
        # province has hundreds of groups that would bury the branches in the list.
        self.filters["org"].queryset = (
            permissions.visible_orgs(user).exclude(kind=OrgKind.GROUP).order_by("path")
        )
        style_filter_fields(self.form)

    @staticmethod
    def subtree(queryset: QuerySet, field_prefix: str, node: OrgNode | None) -> QuerySet:
        if node is None:
            return queryset
        return queryset.filter(**{f"{field_prefix}__path__startswith": node.path})


class PersonFilter(ScopedFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PersonKind.choices, empty_label=ALL)
    org = NameChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    is_party_member = YesNoFilter(label=_("Party member"))
    is_frontline = YesNoFilter(label=_("Frontline"))
    is_special_needs = YesNoFilter(label=_("Special needs"))
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(phone__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        return self.subtree(queryset, "org", value)


class PairingFilter(ScopedFilterSet):
    STATUS_CHOICES = [("active", _("Running today")), ("ended", _("Ended"))]

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=PairingKind.choices, empty_label=ALL
    )
    org = NameChoiceFilter(
        label=_("Liaison side in (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="by_status", empty_label=ALL
    )

    class Meta:
        model = Pairing
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(person__name__icontains=value)
            | Q(org__name__icontains=value)
            | Q(target_person__name__icontains=value)
            | Q(target_unit__name__icontains=value)
            | Q(target_org__name__icontains=value)
        )

    def in_subtree(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(
            Q(person__org__path__startswith=value.path) | Q(org__path__startswith=value.path)
        )

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "active":
            return queryset.active_on(today)
        if value == "ended":
            return queryset.filter(end_on__lt=today)
        return queryset


# -- Ledger entries -----------------------------------------------------------------------------


class IntegerFilter(django_filters.Filter):
    """A whole number, its bounds checked by the form (min_value, max_value)."""

    field_class = forms.IntegerField


class EntryFilter(ScopedFilterSet):
    """The filters of every entry list (branch ledger, mine, department inbox, all in scope).

    "Overdue" and "due within" are checked live (R6): awaiting a reply and past, or near, the
    due date today, whatever the nightly sweep has stored so far.
    """

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, title or description")}
        ),
    )
    colour = django_filters.ChoiceFilter(label=_("Colour"), choices=Colour.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EntryStatus.choices, empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EntryKind.choices, empty_label=ALL)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=ALL)
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"), choices=YES_NO, empty_label=ALL, method="by_overdue"
    )
    extended = django_filters.ChoiceFilter(
        label=_("Extended"), choices=YES_NO, empty_label=ALL, method="by_extended"
    )
    suspended = django_filters.ChoiceFilter(
        label=_("Suspended"), choices=YES_NO, empty_label=ALL, method="by_suspended"
    )
    due_within = IntegerFilter(
        label=_("Due within (working days)"),
        min_value=1,
        max_value=DUE_WITHIN_MAX_WORKING_DAYS,
        method="by_due_within",
        widget=forms.NumberInput(attrs={"min": 1, "max": DUE_WITHIN_MAX_WORKING_DAYS}),
    )
    category = NameChoiceFilter(
        label=_("Category"),
        field_name="item__category",
        queryset=ServiceCategory.objects.order_by("position", "name"),
        empty_label=ALL,
    )
    channel = NameChoiceFilter(
        label=_("Channel"),
        queryset=Channel.objects.order_by("scope", "position", "name"),
        empty_label=ALL,
    )
    org = NameChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    recorded_from = django_filters.DateFilter(
        label=_("Recorded from"),
        field_name="recorded_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    recorded_to = django_filters.DateFilter(
        label=_("Recorded to"),
        field_name="recorded_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Entry
        fields: list[str] = []

    def __init__(
        self,
        *args,
        today: dt.date | None = None,
        parts: Sequence[QuerySet[Entry]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.parts = parts
        self._cutoffs: dict[int, dt.date] = {}  # the due-within cut-off by working days

    def part_querysets(self) -> list[QuerySet[Entry]]:
        """The list's parts (entry_scope_parts), each filtered as qs is: their union is qs."""
        if not self.is_bound:
            return [part.all() for part in self.parts]
        self.errors  # noqa: B018 (validates the filters, as qs does)
        return [self.filter_queryset(part.all()) for part in self.parts]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if ENTRY_NUMBER.fullmatch(value):  # a whole number: that entry, through its index
            return queryset.filter(number=value.upper())
        lookup = text_lookup(value)
        return narrow_two_characters(queryset, value).filter(
            Q(**{f"number__{lookup}": value})
            | Q(**{f"title__{lookup}": value})
            | Q(**{f"description__{lookup}": value})
        )

    def in_subtree(self, queryset, name, value):
        return self.subtree(queryset, "org", value)

    def by_overdue(self, queryset, name, value):
        overdue = overdue_q(self.today)
        if value == "true":
            return queryset.filter(overdue)
        if value == "false":
            return queryset.exclude(overdue)
        return queryset

    def by_extended(self, queryset, name, value):
        """Entries whose due date an approved extension moved this round (R19)."""
        if value == "true":
            return queryset.filter(extensions__gt=0)
        if value == "false":
            return queryset.filter(extensions=0)
        return queryset

    def by_suspended(self, queryset, name, value):
        """Entries whose clock stands still (R20)."""
        if value == "true":
            return queryset.filter(suspended_on__isnull=False)
        if value == "false":
            return queryset.filter(suspended_on__isnull=True)
        return queryset

    def by_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(awaiting_q(), due_on__lte=self._due_within_cutoff(value))

    def _due_within_cutoff(self, working_days: int) -> dt.date:
        """One calendar for the one cut-off date, read once for the list and each of its parts;
        the filter itself is a plain date comparison."""
        if working_days not in self._cutoffs:
            calendar = WorkCalendar.load(self.today.year)
            due = calendar.add_working_days(self.today, working_days).due_on
            self._cutoffs[working_days] = due
        return self._cutoffs[working_days]


def under_open_notice_q(*, answer_late_on: dt.date | None = None) -> Q:
    """The entries under an unanswered supervision notice (its answer due before
    `answer_late_on` if given).

    The few open notices' entries as an id list worked out once (AnyOf), rather than a
    correlated EXISTS or the board's annotation: an index condition, which a count can OR with
    the overdue rule, and a plan cheap enough that PostgreSQL's JIT compiler (hundreds of
    milliseconds) does not start on every board view.
    """
    notices = Supervision.objects.filter(responded_at__isnull=True)
    if answer_late_on is not None:
        notices = notices.filter(respond_by__lt=answer_late_on)
    return Q(AnyOf("pk", notices.values("entry_id")))


class SupervisionFilter(ScopedFilterSet):
    """The supervision board's filters (R6): subtree, colour, how long overdue, notice state."""

    STATE_CHOICES = [
        ("overdue", _("Overdue")),
        ("open", _("Notice awaiting the owner's answer")),
        ("late", _("Answer overdue")),
        ("none", _("Overdue, no open notice")),
    ]

    org = NameChoiceFilter(
        label=_("Organisation (with subtree)"),
        queryset=OrgNode.objects.none(),
        method="in_subtree",
        empty_label=ALL,
    )
    colour = django_filters.ChoiceFilter(label=_("Colour"), choices=Colour.choices, empty_label=ALL)
    age = django_filters.ChoiceFilter(
        label=_("Overdue by"), choices=OverdueAge.choices, empty_label=ALL, method="by_age"
    )
    state = django_filters.ChoiceFilter(
        label=_("Supervision"), choices=STATE_CHOICES, empty_label=ALL, method="by_state"
    )

    class Meta:
        model = Entry
        fields: list[str] = []

    def __init__(self, *args, bounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.bounds = bounds

    def in_subtree(self, queryset, name, value):
        return self.subtree(queryset, "org", value)

    def by_age(self, queryset, name, value):
        return queryset.filter(self.bounds.condition(value)) if value else queryset

    def by_state(self, queryset, name, value):
        today = self.bounds.today
        if value == "overdue":
            return queryset.filter(overdue_q(today))
        if value == "open":
            return queryset.filter(under_open_notice_q())
        if value == "late":
            return queryset.filter(under_open_notice_q(answer_late_on=today))
        if value == "none":
            return queryset.filter(overdue_q(today)).exclude(under_open_notice_q())
        return queryset


class ReplyTemplateFilter(django_filters.FilterSet):
    """The knowledge base's filters: words, category, item (with the templates for every item),
    what it is for, and, for its editors, active or retired."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    category = NameChoiceFilter(
        label=_("Category"),
        field_name="item__category",
        queryset=ServiceCategory.objects.filter(is_active=True).order_by("position", "name"),
        empty_label=ALL,
    )
    item = django_filters.ModelChoiceFilter(
        label=_("Service item (with the general ones)"),
        queryset=ServiceItem.objects.filter(is_active=True).order_by(
            "category__position", "position", "name"
        ),
        method="for_item",
        empty_label=ALL,
    )
    use = django_filters.ChoiceFilter(
        label=_("Used for"), choices=TemplateUse.choices, empty_label=ALL, method="by_use"
    )
    active = YesNoFilter(label=_("Active"), field_name="is_active")

    class Meta:
        model = ReplyTemplate
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user: User, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        if not permissions.can_edit_knowledge(user):
            del self.filters["active"]  # the others read the active ones only
        style_filter_fields(self.form)
        # An item's name alone is ambiguous across categories: show both (no query per item).
        self.form.fields["item"].label_from_instance = lambda item: (
            f"{item.category.name} · {item.name}"
        )
        self.form.fields["item"].queryset = self.form.fields["item"].queryset.select_related(
            "category"
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(text__icontains=value) | Q(policy_refs__icontains=value)
        )

    def for_item(self, queryset, name, value):
        return queryset.filter(Q(item=value) | Q(item__isnull=True)) if value else queryset

    def by_use(self, queryset, name, value):
        if value in (TemplateUse.REPLY, TemplateUse.PLAN):
            return queryset.filter(use__in=template_uses_for(value))
        return queryset.filter(use=value) if value else queryset
