"""Check the rows of an import workbook against each other and the database.

The result is a Plan: what each row would create, update or leave alone, in an order that can be
written (a parent before its children), and every bad row as {sheet, row, column, message}.
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from liaison.constants import (
    BRANCH_TYPE_IMPORT_LABELS,
    EXTERNAL_PERSON_KINDS,
    ORG_KIND_IMPORT_LABELS,
    PAIRING_KIND_IMPORT_LABELS,
    PAIRING_SHAPES,
    PERSON_KIND_IMPORT_LABELS,
    UNIT_KIND_IMPORT_LABELS,
    BranchType,
    OrgKind,
    PairingKind,
    PairingShape,
)
from liaison.models import OrgNode, Pairing, Person, Unit
from liaison.services.imports.workbook import (
    NO,
    SHEET_ORGS,
    SHEET_PAIRINGS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    SHEETS,
    YES,
    Row,
    cell_text,
    header_of,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
CHUNK = 500  # codes per IN (...) query: well below every database's limit on parameters

PERSON_FIELDS = (
    "name",
    "kind",
    "position",
    "is_party_member",
    "is_frontline",
    "is_special_needs",
    "special_needs_note",
    "contact_person",
    "phone",
    "address",
    "note",
)
EMPLOYEE_FLAGS = ("is_party_member", "is_frontline", "is_special_needs")
_TRUE = {YES, "y", "yes", "true", "1", "√", "✓", "是的"}
_FALSE = {NO, "n", "no", "false", "0", "×", "x", ""}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class OrgItem:
    row: Row
    code: str
    name: str
    kind: str
    branch_type: str
    parent_code: str
    existing: OrgNode | None
    action: str = CREATED


@dataclass
class UnitItem:
    row: Row
    code: str
    name: str
    kind: str
    branch_code: str
    parent_code: str
    existing: Unit | None
    action: str = CREATED


@dataclass
class PersonItem:
    row: Row
    code: str
    values: dict[str, object]  # PERSON_FIELDS
    org_code: str
    unit_code: str
    existing: Person | None
    action: str = CREATED


@dataclass
class PairingItem:
    row: Row
    kind: str
    subject_code: str
    target_code: str
    start_on: dt.date
    end_on: dt.date | None
    note: str
    existing_pk: int | None
    action: str = CREATED


@dataclass
class Known:
    """What the database already holds of the codes the workbook names (a few queries)."""

    orgs: dict[str, OrgNode]
    org_parent: dict[str, str]  # code -> parent code ("" for the company)
    org_codes: dict[int, str]  # pk -> code
    units: dict[str, Unit]
    unit_parent: dict[str, str]
    unit_codes: dict[int, str]
    people: dict[str, Person]
    pairings: dict[tuple, tuple[int, dt.date | None, str]]


@dataclass
class Plan:
    orgs: list[OrgItem] = field(default_factory=list)
    units: list[UnitItem] = field(default_factory=list)
    people: list[PersonItem] = field(default_factory=list)
    pairings: list[PairingItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    known: Known | None = None

    def counts(self) -> list[dict]:
        """Return one line per sheet: rows to create, to update, and left unchanged."""
        lines = []
        for sheet, items in (
            (SHEET_ORGS, self.orgs),
            (SHEET_UNITS, self.units),
            (SHEET_PEOPLE, self.people),
            (SHEET_PAIRINGS, self.pairings),
        ):
            line = {"sheet": sheet, CREATED: 0, UPDATED: 0, UNCHANGED: 0}
            for item in items:
                line[item.action] += 1
            lines.append(line)
        return lines


class _Problems:
    """Collect row errors, one per cell: the first thing wrong with a cell is the one to fix."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self._cells: set[tuple[str, int, str]] = set()

    def add(self, row: Row, key: str, message: str) -> None:
        column = header_of(row.sheet, key)
        if (row.sheet, row.number, column) in self._cells:
            return
        self._cells.add((row.sheet, row.number, column))
        self.errors.append(RowError(row.sheet, row.number, column, str(message)))

    def add_model_errors(self, row: Row, error: ValidationError, default_key: str) -> None:
        """Report a model's full_clean() errors under the column of each field."""
        keys = {c.key for c in SHEETS[row.sheet]}
        for name, messages in error.message_dict.items():
            key = name if name in keys and name != NON_FIELD_ERRORS else default_key
            for message in messages:
                self.add(row, key, message)


def _lookup(labels: dict[str, str]) -> dict[str, str]:
    """Map each accepted spelling (the workbook's Chinese label, or the value) to the value."""
    table = {str(value).casefold(): str(value) for value in labels}
    table.update({label: str(value) for value, label in labels.items()})
    return table


def validate_rows(sheets: dict[str, list[Row]], tick: Callable[[], None] = lambda: None) -> Plan:
    """Check every row; call `tick` once per row so that a caller can show progress."""
    problems = _Problems()
    known = _load_known(sheets)
    plan = Plan(known=known)
    plan.orgs = _check_orgs(sheets.get(SHEET_ORGS, []), known, problems, tick)
    orgs = {item.code: item for item in plan.orgs}
    plan.units = _check_units(sheets.get(SHEET_UNITS, []), known, orgs, problems, tick)
    units = {item.code: item for item in plan.units}
    plan.people = _check_people(sheets.get(SHEET_PEOPLE, []), known, orgs, units, problems, tick)
    people = {item.code: item for item in plan.people}
    plan.pairings = _check_pairings(
        sheets.get(SHEET_PAIRINGS, []), known, orgs, units, people, problems, tick
    )
    plan.errors = sorted(problems.errors, key=_error_order)
    return plan


def _error_order(error: RowError) -> tuple[int, int, int]:
    """Sheet by sheet, row by row, left to right."""
    headers = [c.header for c in SHEETS[error.sheet]]
    return list(SHEETS).index(error.sheet), error.row, headers.index(error.column)


# -- reading cells ------------------------------------------------------------------------------


def _text(row: Row, key: str, problems: _Problems, *, required: bool = False) -> str:
    value = cell_text(row.values.get(key))
    if required and not value:
        problems.add(row, key, _("This column is required."))
    return value


def _choice(
    row: Row, key: str, table: dict[str, str], problems: _Problems, *, required: bool = False
) -> str:
    text = _text(row, key, problems, required=required)
    if not text:
        return ""
    value = table.get(text) or table.get(text.casefold())
    if value is None:
        labels = "、".join(next(c for c in SHEETS[row.sheet] if c.key == key).labels.values())
        problems.add(
            row,
            key,
            _("Unknown value \u201c%(value)s\u201d; write one of: %(labels)s.")
            % {"value": text, "labels": labels},
        )
        return ""
    return value


def _flag(row: Row, key: str, problems: _Problems) -> bool:
    value = row.values.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.add(row, key, _("Write %(yes)s or %(no)s.") % {"yes": YES, "no": NO})
    return False


def _date(row: Row, key: str, problems: _Problems, *, required: bool = False) -> dt.date | None:
    value = row.values.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 200000:
        return from_excel(value).date()  # a date cell stored as a plain serial number
    text = cell_text(value)
    if not text:
        if required:
            problems.add(row, key, _("This column is required."))
        return None
    text = text.split()[0]  # "2026-01-01 00:00:00" typed as text
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    problems.add(
        row, key, _("\u201c%(value)s\u201d is not a date such as 2026-01-01.") % {"value": text}
    )
    return None


def _first_use(row: Row, code: str, seen: dict[str, int], problems: _Problems) -> bool:
    """Return whether `code` appears for the first time in its sheet; report a repeat."""
    if code in seen:
        problems.add(
            row,
            "code",
            _("Code %(code)s already appears in row %(row)d.") % {"code": code, "row": seen[code]},
        )
        return False
    seen[code] = row.number
    return True


# -- what the database holds --------------------------------------------------------------------


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _load_known(sheets: dict[str, list[Row]]) -> Known:
    """Load the tree and the units whole (thousands at most) and the people the workbook names."""
    orgs = {node.code: node for node in OrgNode.objects.order_by("path")}
    by_path = {node.path: node.code for node in orgs.values()}
    org_parent = {
        code: by_path.get(node.path[: -OrgNode.steplen], "") for code, node in orgs.items()
    }
    units = {unit.code: unit for unit in Unit.objects.all()}
    unit_codes = {unit.pk: unit.code for unit in units.values()}
    unit_parent = {unit.code: unit_codes.get(unit.parent_id, "") for unit in units.values()}
    person_codes = {cell_text(r.values.get("code")) for r in sheets.get(SHEET_PEOPLE, [])}
    for row in sheets.get(SHEET_PAIRINGS, []):
        person_codes |= {cell_text(row.values.get("subject")), cell_text(row.values.get("target"))}
    person_codes.discard("")
    people = {}
    for chunk in _chunks(person_codes):
        people.update({p.code: p for p in Person.objects.filter(code__in=chunk)})
    return Known(
        orgs=orgs,
        org_parent=org_parent,
        org_codes={node.pk: code for code, node in orgs.items()},
        units=units,
        unit_parent=unit_parent,
        unit_codes=unit_codes,
        people=people,
        pairings=_load_pairings(people),
    )


def _load_pairings(people: dict[str, Person]) -> dict[tuple, tuple]:
    """Return the pairings already kept by a person or branch the workbook names, by key."""
    pairings: dict[tuple, tuple] = {}
    columns = (
        "pk",
        "kind",
        "person__code",
        "org__code",
        "target_person__code",
        "target_unit__code",
        "target_org__code",
        "start_on",
        "end_on",
        "note",
    )
    person_pks = [p.pk for p in people.values()]
    for start in range(0, len(person_pks), CHUNK):
        chunk = person_pks[start : start + CHUNK]
        for values in Pairing.objects.filter(person_id__in=chunk).values_list(*columns):
            _keep_pairing(pairings, values)
    # Joint-building pairings are few (one per pair of branches): load them all.
    for values in Pairing.objects.filter(org__isnull=False).values_list(*columns):
        _keep_pairing(pairings, values)
    return pairings


def _keep_pairing(pairings: dict, values: tuple) -> None:
    pk, kind, person, org, t_person, t_unit, t_org, start_on, end_on, note = values
    key = (kind, person or org, t_person or t_unit or t_org, start_on)
    pairings.setdefault(key, (pk, end_on, note))


# -- 组织 ---------------------------------------------------------------------------------------

ORG_KINDS = _lookup(ORG_KIND_IMPORT_LABELS)
BRANCH_TYPES = _lookup(BRANCH_TYPE_IMPORT_LABELS)
UNIT_KINDS = _lookup(UNIT_KIND_IMPORT_LABELS)
PERSON_KINDS = _lookup(PERSON_KIND_IMPORT_LABELS)
PAIRING_KINDS = _lookup(PAIRING_KIND_IMPORT_LABELS)


def _org_kind_label(kind: str) -> str:
    return ORG_KIND_IMPORT_LABELS.get(kind, kind)


def _check_orgs(rows: list[Row], known: Known, problems: _Problems, tick) -> list[OrgItem]:
    items: dict[str, OrgItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = _text(row, "code", problems, required=True)
        item = OrgItem(
            row=row,
            code=code,
            name=_text(row, "name", problems, required=True),
            kind=_choice(row, "kind", ORG_KINDS, problems, required=True),
            branch_type=_choice(row, "branch_type", BRANCH_TYPES, problems),
            parent_code=_text(row, "parent", problems),
            existing=known.orgs.get(code),
        )
        if code and _first_use(row, code, seen, problems):
            items[code] = item
    has_company = any(n.depth == 1 for n in known.orgs.values())
    ordered = _parents_first(items, problems)
    for item in ordered:
        errors_before = len(problems.errors)
        _check_org_place(item, items, known, problems, has_company)
        misplaced = len(problems.errors) > errors_before
        if item.kind == OrgKind.COMPANY and not item.existing:
            has_company = True
        if item.kind == OrgKind.GROUP and not item.branch_type:
            parent = items.get(item.parent_code) or known.orgs.get(item.parent_code)
            item.branch_type = parent.branch_type if parent else ""
        node = OrgNode(code=item.code, name=item.name, kind=item.kind, branch_type=item.branch_type)
        try:
            node.full_clean(
                exclude=["path", "depth", "numchild"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            if misplaced and item.kind == OrgKind.GROUP:
                # A group takes its branch type from its parent; under the wrong parent, a
                # missing type is a consequence, not a second mistake to report.
                error.error_dict.pop("branch_type", None)
            problems.add_model_errors(item.row, error, "kind")
        if item.existing:
            before = (item.existing.name, item.existing.branch_type)
            item.action = UNCHANGED if before == (item.name, item.branch_type) else UPDATED
    return ordered


def _parents_first(items: dict[str, OrgItem], problems: _Problems) -> list[OrgItem]:
    """Return the items so that each comes after its parent in the same sheet; report cycles."""
    ordered: list[OrgItem] = []
    placed: set[str] = set()
    for start in items.values():
        chain: list[OrgItem] = []
        in_chain: set[str] = set()
        code = start.code
        while code in items and code not in placed and code not in in_chain:
            chain.append(items[code])
            in_chain.add(code)
            code = items[code].parent_code
        if code in in_chain:  # walked back into the chain: the parents go round in a circle
            for item in chain:
                problems.add(item.row, "parent", _("The parent codes go round in a circle."))
        for item in reversed(chain):
            placed.add(item.code)
            ordered.append(item)
    return ordered


def _check_org_place(
    item: OrgItem, items: dict, known: Known, problems: _Problems, has_company: bool
) -> None:
    row = item.row
    if item.existing:
        if item.kind and item.kind != item.existing.kind:
            problems.add(
                row,
                "kind",
                _("The import cannot change the type of an organisation (now %(kind)s).")
                % {"kind": _org_kind_label(item.existing.kind)},
            )
        if item.parent_code != known.org_parent.get(item.code, ""):
            problems.add(
                row,
                "parent",
                _("The import cannot move an organisation (its parent now: %(code)s).")
                % {"code": known.org_parent.get(item.code) or "—"},
            )
        return
    if item.kind == OrgKind.COMPANY:
        if item.parent_code:
            problems.add(row, "parent", _("The company sits at the top: leave this empty."))
        elif has_company:
            problems.add(row, "kind", _("The tree already has a company at the top."))
        return
    if not item.parent_code:
        if item.kind:
            problems.add(row, "parent", _("This column is required."))
        return
    parent = items.get(item.parent_code) or known.orgs.get(item.parent_code)
    if parent is None:
        problems.add(
            row,
            "parent",
            _("No organisation has the code %(code)s.") % {"code": item.parent_code},
        )
    elif item.kind and parent.kind and not OrgNode(kind=parent.kind).can_hold(item.kind):
        problems.add(
            row,
            "kind",
            _("A %(child)s cannot sit under a %(parent)s.")
            % {"child": _org_kind_label(item.kind), "parent": _org_kind_label(parent.kind)},
        )


def _org_of(code: str, orgs: dict[str, OrgItem], known: Known) -> OrgItem | OrgNode | None:
    return orgs.get(code) or known.orgs.get(code)


# -- 单位 ---------------------------------------------------------------------------------------


def _check_units(rows, known: Known, orgs: dict, problems: _Problems, tick) -> list[UnitItem]:
    items: dict[str, UnitItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = _text(row, "code", problems, required=True)
        item = UnitItem(
            row=row,
            code=code,
            name=_text(row, "name", problems, required=True),
            kind=_choice(row, "kind", UNIT_KINDS, problems, required=True),
            branch_code=_text(row, "branch", problems, required=True),
            parent_code=_text(row, "parent", problems),
            existing=known.units.get(code),
        )
        if item.branch_code:
            branch = _org_of(item.branch_code, orgs, known)
            if branch is None:
                problems.add(
                    row,
                    "branch",
                    _("No organisation has the code %(code)s.") % {"code": item.branch_code},
                )
            elif branch.kind and branch.kind != OrgKind.BRANCH:
                problems.add(
                    row,
                    "branch",
                    _("%(code)s is a %(kind)s, not a party branch.")
                    % {"code": item.branch_code, "kind": _org_kind_label(branch.kind)},
                )
        unit = Unit(code=code, name=item.name, kind=item.kind)
        try:
            unit.full_clean(
                exclude=["branch", "parent"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            problems.add_model_errors(row, error, "kind")
        if code and _first_use(row, code, seen, problems):
            items[code] = item
    parents = {**known.unit_parent, **{code: i.parent_code for code, i in items.items()}}
    for item in items.values():
        if not item.parent_code:
            pass
        elif item.parent_code == item.code:
            problems.add(item.row, "parent", _("A unit cannot be its own parent."))
        elif item.parent_code not in parents:
            problems.add(
                item.row,
                "parent",
                _("No unit has the code %(code)s.") % {"code": item.parent_code},
            )
        elif _goes_round(item.code, parents):
            problems.add(item.row, "parent", _("The parent codes go round in a circle."))
        if item.existing:
            before = (
                item.existing.name,
                item.existing.kind,
                known.org_codes.get(item.existing.branch_id, ""),
                known.unit_parent.get(item.code, ""),
            )
            after = (item.name, item.kind, item.branch_code, item.parent_code)
            item.action = UNCHANGED if before == after else UPDATED
    return list(items.values())


def _goes_round(code: str, parents: dict[str, str]) -> bool:
    seen, current = {code}, parents.get(code, "")
    while current:
        if current in seen:
            return current == code
        seen.add(current)
        current = parents.get(current, "")
    return False


# -- 人员 ---------------------------------------------------------------------------------------


def _check_people(
    rows, known: Known, orgs: dict, units: dict, problems: _Problems, tick
) -> list[PersonItem]:
    items: dict[str, PersonItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = _text(row, "code", problems, required=True)
        values: dict[str, object] = {
            key: _text(row, key, problems, required=key == "name")
            for key in PERSON_FIELDS
            if key not in EMPLOYEE_FLAGS and key != "kind"
        }
        values["kind"] = _choice(row, "kind", PERSON_KINDS, problems, required=True)
        values.update({flag: _flag(row, flag, problems) for flag in EMPLOYEE_FLAGS})
        item = PersonItem(
            row=row,
            code=code,
            values=values,
            org_code=_text(row, "org", problems, required=True),
            unit_code=_text(row, "unit", problems),
            existing=known.people.get(code),
        )
        if item.org_code and _org_of(item.org_code, orgs, known) is None:
            problems.add(
                row, "org", _("No organisation has the code %(code)s.") % {"code": item.org_code}
            )
        if item.unit_code and item.unit_code not in units and item.unit_code not in known.units:
            problems.add(
                row, "unit", _("No unit has the code %(code)s.") % {"code": item.unit_code}
            )
        if values["kind"] in EXTERNAL_PERSON_KINDS:
            # The rule of Person.clean(), reported on the very column that breaks it.
            for flag in EMPLOYEE_FLAGS:
                if values[flag]:
                    problems.add(
                        row,
                        flag,
                        _("Only an employee can be marked so, not a %(kind)s.")
                        % {"kind": PERSON_KIND_IMPORT_LABELS[values["kind"]]},
                    )
        try:
            Person(code=code, **values).clean_fields(exclude=["org", "unit"])
        except ValidationError as error:
            problems.add_model_errors(row, error, "kind")
        if item.existing:
            person = item.existing
            before = (
                *(getattr(person, key) for key in PERSON_FIELDS),
                known.org_codes.get(person.org_id, ""),
                known.unit_codes.get(person.unit_id, ""),
            )
            after = (*(values[key] for key in PERSON_FIELDS), item.org_code, item.unit_code)
            item.action = UNCHANGED if before == after else UPDATED
        if code and _first_use(row, code, seen, problems):
            items[code] = item
    return list(items.values())


# -- 结对 ---------------------------------------------------------------------------------------


def _check_pairings(
    rows, known: Known, orgs: dict, units: dict, people: dict, problems: _Problems, tick
) -> list[PairingItem]:
    items: list[PairingItem] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        tick()
        kind = _choice(row, "kind", PAIRING_KINDS, problems, required=True)
        subject = _text(row, "subject", problems, required=True)
        target = _text(row, "target", problems, required=True)
        start_on = _date(row, "start_on", problems, required=True)
        end_on = _date(row, "end_on", problems)
        note = _text(row, "note", problems)
        if start_on and end_on and end_on < start_on:
            problems.add(row, "end_on", _("The end date is before the start date."))
        if kind:
            subject_shape, target_shape = PAIRING_SHAPES[kind]
            sides = {"subject": (subject, subject_shape), "target": (target, target_shape)}
            for key, (code, shape) in sides.items():
                if code:
                    _check_side(row, key, code, shape, kind, orgs, units, people, known, problems)
        try:
            Pairing(kind=kind, start_on=start_on, end_on=end_on, note=note).clean_fields(
                exclude=["person", "org", "target_person", "target_unit", "target_org"]
            )
        except ValidationError as error:
            problems.add_model_errors(row, error, "kind")
        if not (kind and subject and target and start_on):
            continue
        key = (kind, subject, target, start_on)
        if key in seen:
            problems.add(
                row,
                "subject",
                _("The same pairing already appears in row %(row)d.") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        existing = known.pairings.get(key)
        item = PairingItem(row, kind, subject, target, start_on, end_on, note, None)
        if existing:
            item.existing_pk = existing[0]
            item.action = UNCHANGED if existing[1:] == (end_on, note) else UPDATED
        items.append(item)
    return items


def _check_side(
    row: Row,
    key: str,
    code: str,
    shape: str,
    kind: str,
    orgs: dict,
    units: dict,
    people: dict,
    known: Known,
    problems: _Problems,
) -> None:
    """Check that `code` names something of the shape this kind of pairing needs on that side."""
    if shape == PairingShape.PERSON:
        if code not in people and code not in known.people:
            problems.add(row, key, _("No person has the code %(code)s.") % {"code": code})
        return
    if shape == PairingShape.UNIT:
        if code not in units and code not in known.units:
            problems.add(row, key, _("No unit has the code %(code)s.") % {"code": code})
        return
    org = _org_of(code, orgs, known)
    if org is None:
        problems.add(row, key, _("No organisation has the code %(code)s.") % {"code": code})
        return
    if kind == PairingKind.BRANCH_JOINT:
        wanted = BranchType.OFFICE if key == "subject" else BranchType.GRASSROOTS
        if org.kind != OrgKind.BRANCH or org.branch_type != wanted:
            message = (
                _("%(code)s is not an office party branch.")
                if wanted == BranchType.OFFICE
                else _("%(code)s is not a grassroots party branch.")
            )
            problems.add(row, key, message % {"code": code})
