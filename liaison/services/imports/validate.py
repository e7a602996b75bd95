"""Check the rows of an import workbook against each other and the database.

The result is a Plan: what each row would create, update or leave alone, in an order that can be
written (a parent before its children), and every bad row as {sheet, row, column, message}.
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liaison.constants import (
    BRANCH_TYPE_IMPORT_LABELS,
    CREATED,
    EXTERNAL_PERSON_KINDS,
    ORG_KIND_IMPORT_LABELS,
    PAIRING_KIND_IMPORT_LABELS,
    PAIRING_SHAPES,
    PERSON_KIND_IMPORT_LABELS,
    UNCHANGED,
    UNIT_KIND_IMPORT_LABELS,
    UPDATED,
    OrgKind,
    PairingShape,
)
from liaison.models import OrgNode, Pairing, Person, Unit
from liaison.services.imports.cells import (
    Problems,
    RowError,
    choice_of,
    date_of,
    first_use,
    flag_of,
    lookup,
    text_of,
)
from liaison.services.imports.known import Known, load_known
from liaison.services.imports.workbook import (
    SHEET_ORGS,
    SHEET_PAIRINGS,
    SHEET_PEOPLE,
    SHEET_UNITS,
    SHEETS,
    Row,
)
from liaison.services.pairings import PairingSide, pairing_side_errors

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
class Plan:
    known: Known  # what the database held of the workbook's codes when the rows were checked
    orgs: list[OrgItem] = field(default_factory=list)
    units: list[UnitItem] = field(default_factory=list)
    people: list[PersonItem] = field(default_factory=list)
    pairings: list[PairingItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> list[dict]:
        """Return one line per sheet: rows to create, to update, and left unchanged."""
        lines = []
        for sheet, items in (
            (SHEET_ORGS, self.orgs),
            (SHEET_UNITS, self.units),
            (SHEET_PEOPLE, self.people),
            (SHEET_PAIRINGS, self.pairings),
        ):
            counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
            for item in items:
                counts[item.action] += 1
            lines.append({"sheet": sheet, **counts})
        return lines


def validate_rows(sheets: dict[str, list[Row]], tick: Callable[[], None] = lambda: None) -> Plan:
    """Check every row; call `tick` once per row so that a caller can show progress."""
    problems = Problems()
    known = load_known(sheets)
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


# -- 组织 ---------------------------------------------------------------------------------------

ORG_KINDS = lookup(ORG_KIND_IMPORT_LABELS)
BRANCH_TYPES = lookup(BRANCH_TYPE_IMPORT_LABELS)
UNIT_KINDS = lookup(UNIT_KIND_IMPORT_LABELS)
PERSON_KINDS = lookup(PERSON_KIND_IMPORT_LABELS)
PAIRING_KINDS = lookup(PAIRING_KIND_IMPORT_LABELS)


def _org_kind_label(kind: str) -> str:
    return ORG_KIND_IMPORT_LABELS.get(kind, kind)


def _check_orgs(rows: list[Row], known: Known, problems: Problems, tick) -> list[OrgItem]:
    items: dict[str, OrgItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = text_of(row, "code", problems, required=True)
        item = OrgItem(
            row=row,
            code=code,
            name=text_of(row, "name", problems, required=True),
            kind=choice_of(row, "kind", ORG_KINDS, problems, required=True),
            branch_type=choice_of(row, "branch_type", BRANCH_TYPES, problems),
            parent_code=text_of(row, "parent", problems),
            existing=known.orgs.get(code),
        )
        if code and first_use(row, code, seen, problems):
            items[code] = item
    has_company = any(n.depth == 1 for n in known.orgs.values())
    ordered = _parents_first(items, problems)
    for item in ordered:
        errors_before = len(problems.errors)
        _check_org_place(item, items, known, problems, has_company)
        misplaced = len(problems.errors) > errors_before
        if item.kind == OrgKind.COMPANY and not item.existing:
            has_company = True
        _check_branch_type(item, items, known, problems)
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


def _check_branch_type(item: OrgItem, items: dict, known: Known, problems: Problems) -> None:
    """Keep a branch's type as it is, and a group's as its branch's; empty means "the same"."""
    if item.existing:
        now = item.existing.branch_type
        if item.branch_type and item.branch_type != now:
            problems.add(
                item.row,
                "branch_type",
                _("The import cannot change the branch type of an organisation (now %(type)s).")
                % {"type": BRANCH_TYPE_IMPORT_LABELS.get(now, "—")},
            )
        item.branch_type = now  # what the rows below it are checked against
    elif item.kind == OrgKind.GROUP:
        parent = items.get(item.parent_code) or known.orgs.get(item.parent_code)
        branch_type = parent.branch_type if parent else ""
        if not item.branch_type:
            item.branch_type = branch_type
        elif branch_type and item.branch_type != branch_type:
            problems.add(
                item.row,
                "branch_type",
                _("A party group has the type of its branch (%(type)s): leave this empty.")
                % {"type": BRANCH_TYPE_IMPORT_LABELS[branch_type]},
            )


def _parents_first(items: dict[str, OrgItem], problems: Problems) -> list[OrgItem]:
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
    item: OrgItem, items: dict, known: Known, problems: Problems, has_company: bool
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


def _check_units(rows, known: Known, orgs: dict, problems: Problems, tick) -> list[UnitItem]:
    items: dict[str, UnitItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = text_of(row, "code", problems, required=True)
        item = UnitItem(
            row=row,
            code=code,
            name=text_of(row, "name", problems, required=True),
            kind=choice_of(row, "kind", UNIT_KINDS, problems, required=True),
            branch_code=text_of(row, "branch", problems, required=True),
            parent_code=text_of(row, "parent", problems),
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
        if code and first_use(row, code, seen, problems):
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
    rows, known: Known, orgs: dict, units: dict, problems: Problems, tick
) -> list[PersonItem]:
    items: dict[str, PersonItem] = {}
    seen: dict[str, int] = {}
    for row in rows:
        tick()
        code = text_of(row, "code", problems, required=True)
        values: dict[str, object] = {
            key: text_of(row, key, problems, required=key == "name")
            for key in PERSON_FIELDS
            if key not in EMPLOYEE_FLAGS and key != "kind"
        }
        values["kind"] = choice_of(row, "kind", PERSON_KINDS, problems, required=True)
        values.update({flag: flag_of(row, flag, problems) for flag in EMPLOYEE_FLAGS})
        item = PersonItem(
            row=row,
            code=code,
            values=values,
            org_code=text_of(row, "org", problems, required=True),
            unit_code=text_of(row, "unit", problems),
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
                "" if person.unit_id is None else known.unit_codes.get(person.unit_id, ""),
            )
            after = (*(values[key] for key in PERSON_FIELDS), item.org_code, item.unit_code)
            item.action = UNCHANGED if before == after else UPDATED
        if code and first_use(row, code, seen, problems):
            items[code] = item
    return list(items.values())


# -- 结对 ---------------------------------------------------------------------------------------


def _check_pairings(
    rows, known: Known, orgs: dict, units: dict, people: dict, problems: Problems, tick
) -> list[PairingItem]:
    items: list[PairingItem] = []
    seen: dict[tuple, int] = {}
    # A person row of this workbook is the truth about that person, also for an existing one.
    people_sides = {
        code: SimpleNamespace(code=code, **item.values) for code, item in people.items()
    }
    for row in rows:
        tick()
        kind = choice_of(row, "kind", PAIRING_KINDS, problems, required=True)
        subject = text_of(row, "subject", problems, required=True)
        target = text_of(row, "target", problems, required=True)
        start_on = date_of(row, "start_on", problems, required=True)
        end_on = date_of(row, "end_on", problems)
        note = text_of(row, "note", problems)
        if start_on and end_on and end_on < start_on:
            problems.add(row, "end_on", _("The end date is before the start date."))
        sides: dict[str, PairingSide | None] = {"subject": None, "target": None}
        if kind:
            for side, code, shape in zip(
                sides, (subject, target), PAIRING_SHAPES[kind], strict=True
            ):
                if code:
                    sides[side] = _side_of(
                        row, side, code, shape, orgs, units, people_sides, known, problems
                    )
        pairing = Pairing(kind=kind, end_on=end_on, note=note)
        if start_on is not None:  # else date_of has reported the cell
            pairing.start_on = start_on
        try:
            pairing.clean_fields(
                exclude=["person", "org", "target_person", "target_unit", "target_org"]
            )
        except ValidationError as error:
            problems.add_model_errors(row, error, "kind")
        key = (kind, subject, target, start_on)
        existing = known.pairings.get(key) if all(key) else None
        if kind and existing is None:
            # The rules hold when a pairing is made; an existing one keeps its sides whatever
            # has happened to them since (a special need resolved, a member transferred).
            for side, message in pairing_side_errors(kind=kind, **sides).items():
                problems.add(row, side, message)
        if not (kind and subject and target and start_on):
            continue
        if key in seen:
            problems.add(
                row,
                "subject",
                _("The same pairing already appears in row %(row)d.") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        item = PairingItem(row, kind, subject, target, start_on, end_on, note, None)
        if existing:
            item.existing_pk = existing[0]
            item.action = UNCHANGED if existing[1:] == (end_on, note) else UPDATED
        items.append(item)
    return items


def _side_of(
    row: Row,
    key: str,
    code: str,
    shape: str,
    orgs: dict,
    units: dict,
    people: dict,
    known: Known,
    problems: Problems,
) -> PairingSide | None:
    """Return what `code` names on that side of a pairing (a row of this workbook first, else
    a record of the database), of the shape the pairing's kind needs; None, reported, if none."""
    if shape == PairingShape.PERSON:
        side = people.get(code) or known.people.get(code)
        if side is None:
            problems.add(row, key, _("No person has the code %(code)s.") % {"code": code})
        return side
    if shape == PairingShape.UNIT:
        side = units.get(code) or known.units.get(code)
        if side is None:
            problems.add(row, key, _("No unit has the code %(code)s.") % {"code": code})
        return side
    side = _org_of(code, orgs, known)
    if side is None:
        problems.add(row, key, _("No organisation has the code %(code)s.") % {"code": code})
    return side
