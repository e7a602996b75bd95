"""Write a checked Plan: org nodes through the tree service, the rest in batches.

Call inside one transaction.atomic() together with the check that produced the plan, so that a
failure anywhere writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from liaison.constants import CREATED, PAIRING_SHAPES, UPDATED, PairingShape
from liaison.models import OrgNode, Pairing, Person, Unit, User
from liaison.services.imports.validate import (
    PERSON_FIELDS,
    Plan,
)
from liaison.services.orgs import org_node_create, org_node_update
from liaison.services.pairings import pairing_build

BATCH = 500


def apply_plan(*, plan: Plan, actor: User | None) -> None:
    """Create and update what the plan says, parents before children."""
    orgs = _apply_orgs(plan, actor)
    units = _apply_units(plan, orgs)
    people = _apply_people(plan, orgs, units)
    # Each side by shape and code; a unit is never the liaison side (PAIRING_SHAPES).
    subjects: dict[str, Mapping[str, Person | OrgNode]] = {
        PairingShape.PERSON: people,
        PairingShape.ORG: orgs,
    }
    targets: dict[str, Mapping[str, Person | Unit | OrgNode]] = {
        **subjects,
        PairingShape.UNIT: units,
    }
    new_pairings = []
    for item in plan.pairings:
        if item.action == CREATED:
            subject_shape, target_shape = PAIRING_SHAPES[item.kind]
            new_pairings.append(
                pairing_build(
                    kind=item.kind,
                    subject=subjects[subject_shape][item.subject_code],
                    target=targets[target_shape][item.target_code],
                    start_on=item.start_on,
                    end_on=item.end_on,
                    note=item.note,
                )
            )
    Pairing.objects.bulk_create(new_pairings, batch_size=BATCH)
    changed = {item.existing_pk: item for item in plan.pairings if item.action == UPDATED}
    pairings = list(Pairing.objects.filter(pk__in=list(changed)))
    for pairing in pairings:
        pairing.end_on, pairing.note = changed[pairing.pk].end_on, changed[pairing.pk].note
    Pairing.objects.bulk_update(pairings, ["end_on", "note"], batch_size=BATCH)


def _apply_orgs(plan: Plan, actor: User | None) -> dict[str, OrgNode]:
    orgs = dict(plan.known.orgs)
    for item in plan.orgs:  # already parents first
        if item.action == CREATED:
            orgs[item.code] = org_node_create(
                actor=actor,
                parent=orgs[item.parent_code] if item.parent_code else None,
                code=item.code,
                name=item.name,
                kind=item.kind,
                branch_type=item.branch_type,
            )
        elif item.action == UPDATED:
            node = item.existing
            if node is None:
                raise ValueError(f"Organisation {item.code} is to be updated but does not exist.")
            org_node_update(actor=actor, node=node, name=item.name, is_active=node.is_active)
    return orgs


def _apply_units(plan: Plan, orgs: dict[str, OrgNode]) -> dict[str, Unit]:
    units = dict(plan.known.units)
    new = []
    for item in plan.units:
        if item.action == CREATED:
            unit = Unit(code=item.code, name=item.name, kind=item.kind)
            unit.branch = orgs[item.branch_code]
            units[item.code] = unit
            new.append(unit)
    # PostgreSQL and SQLite (3.35+) hand back the new keys, which the parent links below need.
    Unit.objects.bulk_create(new, batch_size=BATCH)
    with_parent, changed = [], []
    for item in plan.units:
        unit = units[item.code]
        if item.action == CREATED and item.parent_code:
            unit.parent = units[item.parent_code]
            with_parent.append(unit)
        elif item.action == UPDATED:
            unit.name, unit.kind, unit.branch = item.name, item.kind, orgs[item.branch_code]
            unit.parent = units[item.parent_code] if item.parent_code else None
            changed.append(unit)
    Unit.objects.bulk_update(with_parent, ["parent"], batch_size=BATCH)
    Unit.objects.bulk_update(changed, ["name", "kind", "branch", "parent"], batch_size=BATCH)
    return units


def _apply_people(
    plan: Plan, orgs: dict[str, OrgNode], units: dict[str, Unit]
) -> dict[str, Person]:
    people = dict(plan.known.people)
    new, changed = [], []
    now = timezone.now()
    for item in plan.people:
        if item.action == CREATED:
            person = Person(code=item.code, **item.values)
            new.append(person)
        elif item.action == UPDATED:
            if item.existing is None:
                raise ValueError(f"Person {item.code} is to be updated but does not exist.")
            person = item.existing
            for key in PERSON_FIELDS:
                setattr(person, key, item.values[key])
            person.updated_at = now  # bulk_update skips auto_now
            changed.append(person)
        else:
            continue
        person.org = orgs[item.org_code]
        person.unit = units[item.unit_code] if item.unit_code else None
        people[item.code] = person
    Person.objects.bulk_create(new, batch_size=BATCH)
    Person.objects.bulk_update(
        changed, [*PERSON_FIELDS, "org", "unit", "updated_at"], batch_size=BATCH
    )
    return people
