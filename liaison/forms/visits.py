"""The "log a visit" form: the visit and its entry rows (a formset), checked for shape only;
`liaison.services.visits.visit_log` decides what is allowed and writes it.

People are typed, not chosen from a province-long list: an input takes "CODE name", a code or an
exact name, with a <datalist> of suggestions that works without JavaScript (the people of the
chosen ledger) and that htmx refills from /people/search/ as the user types.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from liaison import permissions
from liaison.constants import (
    ChannelScope,
    Colour,
    EntryKind,
    EntryStatus,
    OrgKind,
    PersonKind,
    PlaceType,
)
from liaison.forms.people import (
    PersonReferenceField,
    person_input,
)
from liaison.models import Channel, OrgNode, Person, ServiceItem, User
from liaison.selectors.visits import person_lookup, person_shortlist, visitor_choices
from liaison.services.visits import (
    ENTRY_ROW_KEYS,
    LoggedVisit,
    VisitRejected,
    visit_check,
    visit_orgs,
)

ROW_PREFIX = "entries"
DATE_INVALID = _("Write the date as 2026-10-17.")
# One visit holds at most this many entries; more rows are refused, never silently dropped.
MAX_ROWS = 20
_ROW_NAME = re.compile(rf"^{ROW_PREFIX}-\d{{1,2}}$")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgNode) -> str:
        return f"— {obj.name}" if obj.kind == OrgKind.GROUP else obj.name


class UnitChoiceField(forms.ModelChoiceField):
    """The units the user may visit, grouped by kind (teams and stations, then departments)."""

    def __init__(self, *, user: User, **kwargs):
        units = permissions.visible_units(user).filter(is_active=True).order_by("kind", "name")
        super().__init__(queryset=units, **kwargs)

    def grouped_choices(self) -> list:
        groups: dict[str, list] = {}
        for unit in self.queryset:
            groups.setdefault(str(unit.get_kind_display()), []).append((unit.pk, unit.name))
        return [("", "---------"), *groups.items()]


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visit date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the visit."), "invalid": DATE_INVALID},
    )
    org = OrgChoiceField(
        label=_("Ledger of"),
        queryset=OrgNode.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Choose the ledger the visit goes into."),
            "invalid_choice": _("Choose a branch or party group within your scope."),
        },
    )
    place_type = forms.ChoiceField(
        label=_("Place type"),
        choices=[("", _("From the visited party")), *PlaceType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    visitors = forms.ModelMultipleChoiceField(
        label=_("Visitors"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Choose visitors among the employees in your scope.")},
    )
    note = forms.CharField(
        label=_("Note on the visit"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args, user: User, org_hint: str | None = None, unit_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["visited_party"] = PersonReferenceField(
            user=user,
            label=_("Visited person or party"),
            required=False,
            widget=person_input(self.add_prefix("visited_party"), _("Name or code")),
        )
        self.fields["visited_unit"] = UnitChoiceField(
            user=user,
            label=_("Or a unit visited"),
            required=False,
            help_text=_("A team, station, substation or department visited as a whole."),
            widget=forms.Select(attrs={"class": "form-select"}),
            error_messages={"invalid_choice": _("Choose a unit within your scope from the list.")},
        )
        unit_field = self.fields["visited_unit"]
        unit_field.widget.choices = unit_choices or unit_field.grouped_choices()
        self.order_fields(
            [
                "visited_on", "org", "visited_party", "visited_unit", "place_type", "place",
                "visitors", "note",
            ]
        )  # fmt: skip
        self.orgs = list(visit_orgs(user))
        self.fields["org"].queryset = visit_orgs(user)
        self.fields["visitors"].queryset = permissions.visible_people(user).filter(
            kind=PersonKind.EMPLOYEE
        )
        self.fields["visited_on"].initial = timezone.localdate
        default = user.scope_org_id if any(o.pk == user.scope_org_id for o in self.orgs) else None
        if default is None and len(self.orgs) == 1:
            default = self.orgs[0].pk
        self.fields["org"].initial = default
        self.fields["visitors"].initial = [user.person_id] if user.person_id else []
        picked = self.data.get(self.add_prefix("org")) or org_hint
        self.chosen_org = self._chosen_org(picked, default)
        offered = visitor_choices(user=user, org=self.chosen_org)
        self.fields["visitors"].widget.choices = [(p.pk, p.name) for p in offered]
        self.fields["org"].widget.attrs.update(
            {  # another ledger: offer its party members as visitors
                "hx-get": reverse("liaison:visit_create"),
                "hx-target": "#visitors",
                "hx-swap": "outerHTML",
            }
        )

    def _chosen_org(self, value, default) -> OrgNode | None:
        """The ledger the user has picked so far (for the people offered), if it is allowed."""
        wanted = str(value) if value else str(default or "")
        return next((o for o in self.orgs if str(o.pk) == wanted), None)


@dataclass
class EntryChoices:
    """The channels and service items of every row, read once per request."""

    channels: list = field(default_factory=list)
    items: list = field(default_factory=list)
    first_channel: int | None = None
    units: list = field(default_factory=list)

    @classmethod
    def load(cls, user: User) -> EntryChoices:
        channels = list(Channel.objects.filter(is_active=True))
        items = list(
            ServiceItem.objects.filter(is_active=True, category__is_active=True).select_related(
                "category"
            )
        )
        by_scope = [
            (scope.label, [(c.pk, c.name) for c in channels if c.scope == scope])
            for scope in ChannelScope
        ]
        by_category: dict[str, list] = {}
        for item in items:
            by_category.setdefault(item.category.name, []).append((item.pk, item.name))
        groups = [group for group in by_scope if group[1]]
        return cls(
            channels=[("", "---------"), *groups],
            items=[("", "---------"), *by_category.items()],
            first_channel=groups[0][1][0][0] if groups else None,  # 走基层: the visit itself
            units=UnitChoiceField(user=user).grouped_choices(),
        )


class EntryRowForm(forms.Form):
    """One entry heard on the visit (R2–R6)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("Give the entry a title: what was asked, in a few words.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=EntryKind.choices,
        initial=EntryKind.PROBLEM,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={
            "required": _("Choose the kind: basic information, suggestion or problem."),
        },
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=Colour.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    target_on = forms.DateField(
        label=_("Target date (yellow)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )
    item = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceItem.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Choose the service item the entry is about."),
            "invalid_choice": _("Choose a service item from the list."),
        },
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Choose the channel the entry came through."),
            "invalid_choice": _("Choose a channel from the list."),
        },
    )

    def __init__(self, *args, user: User, choices: EntryChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informant"] = PersonReferenceField(
            user=user,
            label=_("Informant"),
            required=False,
            widget=person_input(self.add_prefix("informant"), _("Whom you visited")),
        )
        self.fields["party"] = PersonReferenceField(
            user=user,
            label=_("Party concerned"),
            required=False,
            widget=person_input(self.add_prefix("party"), _("If another than the informant")),
        )
        self.fields["party_unit"] = UnitChoiceField(
            user=user,
            label=_("Or a unit concerned"),
            required=False,
            widget=forms.Select(attrs={"class": "form-select"}),
            error_messages={"invalid_choice": _("Choose a unit within your scope from the list.")},
        )
        self.fields["party_unit"].widget.choices = choices.units
        self.fields["duplicate_of"] = forms.ModelChoiceField(
            label=_("Duplicate of"),
            queryset=permissions.visible_entries(user).exclude(status=EntryStatus.VOID),
            required=False,
            widget=forms.HiddenInput,
            error_messages={
                "invalid_choice": _(
                    "The earlier entry to link to does not exist or is outside your scope."
                )
            },
        )
        self.fields["channel"].choices = choices.channels
        self.fields["channel"].initial = choices.first_channel
        self.fields["item"].choices = choices.items
        similar = {
            "hx-get": reverse("liaison:entry_similar"),
            "hx-trigger": "input changed delay:500ms, change",  # input: IME, paste, phones
            "hx-target": f"#{self.prefix}-similar",
            "hx-include": f"#{self.prefix}-fields, #id_org, #id_visited_party",
            "hx-vals": json.dumps({"row": self.prefix}),
            "hx-sync": "this:replace",
        }
        for name in ("title", "description"):
            self.fields[name].widget.attrs.update(similar)

    def clean(self):
        data = super().clean()
        if data.get("colour") != Colour.YELLOW:
            data["target_on"] = None  # the input belongs to yellow; left over, it means nothing
        return data

    @property
    def number(self) -> int:
        """The row's place on the page, counted from 1."""
        return int(self.prefix.rsplit("-", 1)[1]) + 1

    @property
    def linked_entry(self):
        """The earlier entry this row is marked the same matter as, once checked."""
        return (getattr(self, "cleaned_data", None) or {}).get("duplicate_of")

    def checked_row(self) -> dict:
        """The fields of the row that passed the form's checks, as visit_log takes them (for
        the service to judge the rest while the form refuses something)."""
        data = getattr(self, "cleaned_data", None) or {}
        return {name: data[name] for name in ENTRY_ROW_KEYS if name in data}

    def entry_row(self) -> dict:
        """The row as visit_log takes it."""
        data = self.cleaned_data
        return {name: data.get(name) for name in (
            "kind", "colour", "target_on", "channel", "item", "informant", "party",
            "party_unit", "title", "description", "duplicate_of",
        )}  # fmt: skip


class BaseEntryRowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Leave this entry out")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self) -> list[EntryRowForm]:
        """The rows typed into and not left out (an untouched row is ignored)."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


EntryRowFormSet = forms.formset_factory(
    EntryRowForm,
    formset=BaseEntryRowFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


@dataclass(frozen=True)
class FieldError:
    """One message of the summary above the form: where (the visit, entry 2), which field."""

    place: str
    label: str
    message: str
    anchor: str


def _add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        field = name if name in form.fields else None
        if field is not None and field in form.errors:
            continue  # the form's own message on the field says it first
        for message in messages:
            if message not in form.errors.get(field or NON_FIELD_ERRORS, []):
                form.add_error(field, message)


def _silence(form) -> None:
    """Show what was typed without judging it: adding a row is not a save."""
    form._errors = ErrorDict()
    form.cleaned_data = {}


class VisitLogForm:
    """The visit and its entry rows, bound and checked together, for the view."""

    def __init__(self, data=None, *, user: User, org_hint: str | None = None):
        self.user = user
        self.data = data
        self.choices = EntryChoices.load(user)
        self.visit = VisitForm(data, user=user, org_hint=org_hint, unit_choices=self.choices.units)
        self.rows = EntryRowFormSet(
            data, prefix=ROW_PREFIX, form_kwargs={"user": user, "choices": self.choices}
        )
        self._people = None

    @property
    def is_bound(self) -> bool:
        return self.data is not None

    @property
    def people(self):
        """The suggestions of the person inputs before any search (read once, when shown)."""
        if self._people is None:
            self._people = person_shortlist(user=self.user, org=self.visit.chosen_org)
        return self._people

    def is_valid(self) -> bool:
        """Check the visit and every row; when the form refuses something, have the service
        judge all the rest as well, so that one submission reports every objection at once."""
        visit_ok = self.visit.is_valid()
        rows_ok = self.rows.is_valid()
        if visit_ok and rows_ok:
            return True
        self._filled = self.rows.filled_forms()
        data = self.visit.cleaned_data  # the fields that passed
        try:
            visit_check(
                actor=self.user,
                org=data.get("org"),
                visited_on=data.get("visited_on"),
                place_type=data.get("place_type"),
                place=data.get("place"),
                visited_party=data.get("visited_party"),
                visited_unit=data.get("visited_unit"),
                visitors=data.get("visitors") or (),
                entries=[form.checked_row() for form in self._filled],
                refused=set(self.visit.errors),
                rows_refused=[set(form.errors) for form in self._filled],
            )
        except VisitRejected as error:
            self.reject(error)
        return False

    def error_list(self) -> list[FieldError]:
        """Every message on the page, in its order: the visit's, then each row's; each with
        where it is and the id of its input, for the summary above the form."""
        found: list[FieldError] = []
        places = [(str(_("The visit")), self.visit, "visit-heading")]
        places += [
            (str(_("Entry %(n)s") % {"n": row.number}), row, row.prefix) for row in self.rows
        ]
        for place, form, anchor in places:
            errors = form.errors
            found += [FieldError(place, "", m, anchor) for m in form.non_field_errors()]
            for name in form.fields:
                messages = errors.get(name)
                if not messages:
                    continue
                bound = form[name]
                target = bound.id_for_label or f"{bound.auto_id}_0"  # radios: the first
                target = anchor if bound.is_hidden else target
                label = str(bound.label)
                found += [FieldError(place, label, message, target) for message in messages]
        rows = str(_("Entries"))
        found += [FieldError(rows, "", m, "entry-rows") for m in self.rows.non_form_errors()]
        return found

    def service_kwargs(self) -> dict:
        """The arguments of visit_log (without the actor)."""
        data = self.visit.cleaned_data
        self._filled = self.rows.filled_forms()
        return {
            "org": data["org"],
            "visited_on": data["visited_on"],
            "place_type": data["place_type"],
            "place": data["place"],
            "visited_party": data["visited_party"],
            "visited_unit": data["visited_unit"],
            "visitors": list(data["visitors"]),
            "note": data["note"],
            "entries": [form.entry_row() for form in self._filled],
        }

    def reject(self, error: VisitRejected) -> None:
        """Show the service's objections on the visit and on the rows they concern (a field the
        form already marked keeps the form's message)."""
        _add_errors(self.visit, error.visit_errors)
        for index, errors in error.row_errors.items():
            _add_errors(self._filled[index], errors)

    def with_extra_row(self) -> VisitLogForm:
        """The same form with one more (empty) entry row, nothing judged (no JavaScript)."""
        data = self.data.copy()
        key = f"{ROW_PREFIX}-TOTAL_FORMS"
        try:
            total = int(data.get(key, 1))
        except ValueError:
            total = 1
        data[key] = str(max(1, min(total + 1, MAX_ROWS)))
        form = VisitLogForm(data, user=self.user)
        for each in [form.visit, *form.rows.forms]:
            _silence(each)
        form.rows._non_form_errors = form.rows.error_class()
        form.rows._errors = [ErrorDict() for _ in form.rows.forms]
        return form


def new_row(data, *, user: User) -> EntryRowForm:
    """An empty entry row at the index the page's TOTAL_FORMS gives (htmx's "add an entry")."""
    try:
        index = int(data.get(f"{ROW_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < MAX_ROWS:
        raise forms.ValidationError(
            _("A visit holds at most %(max)d entries.") % {"max": MAX_ROWS}, code="too_many"
        )
    rows = EntryRowFormSet(
        prefix=ROW_PREFIX, form_kwargs={"user": user, "choices": EntryChoices.load(user)}
    )
    row = rows.form(
        auto_id=rows.auto_id,
        prefix=rows.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        renderer=rows.renderer,
        **rows.get_form_kwargs(index),
    )
    rows.add_fields(row, index)  # the "leave this entry out" box, as on the other rows
    row.fields["title"].widget.attrs["autofocus"] = True  # htmx focuses it: type on at once
    return row


def similar_query(data, *, user: User) -> dict | None:
    """Read the draft of one row from the similar-entries request (hx-include of the row, the
    ledger and the visited party); None when the request names no row."""
    row = data.get("row", "")
    if not _ROW_NAME.match(row):
        return None

    def person(name: str):
        found = person_lookup(user=user, text=data.get(name, "")[:150])
        return found[0].pk if len(found) == 1 else None

    org_id = data.get("org", "")
    org = visit_orgs(user).filter(pk=org_id).first() if org_id.isdigit() else None
    return {
        "title": data.get(f"{row}-title", "")[:120],
        "description": data.get(f"{row}-description", "")[:2000],
        "people": [
            person(f"{row}-party"),
            person(f"{row}-informant") or person("visited_party"),
        ],
        "org": org,
    }


def logged_message(logged: LoggedVisit) -> str:
    numbers = ", ".join(entry.number for entry in logged.entries)
    if not numbers:
        return str(_("Visit saved, without entries."))
    return ngettext(
        "Visit saved with entry %(numbers)s.",
        "Visit saved with entries %(numbers)s.",
        len(logged.entries),
    ) % {"numbers": numbers}
