"""What the database already holds of the codes an import workbook names (a few queries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from liaison.models import OrgNode, Pairing, Person, Unit
from liaison.services.imports.workbook import SHEET_PAIRINGS, SHEET_PEOPLE, Row, cell_text

CHUNK = 500  # codes per IN (...) query: well below every database's limit on parameters


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


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def load_known(sheets: dict[str, list[Row]]) -> Known:
    """Load the tree and the units whole (thousands at most) and the people the workbook names."""
    orgs = {node.code: node for node in OrgNode.objects.order_by("path")}
    by_path = {node.path: node.code for node in orgs.values()}
    org_parent = {
        code: by_path.get(node.path[: -OrgNode.steplen], "") for code, node in orgs.items()
    }
    units = {unit.code: unit for unit in Unit.objects.all()}
    unit_codes = {unit.pk: unit.code for unit in units.values()}
    unit_parent = {
        unit.code: "" if unit.parent_id is None else unit_codes.get(unit.parent_id, "")
        for unit in units.values()
    }
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
