from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.constants import PAIRING_SHAPES, PairingShape
from liaison.models import AuditEvent, OrgNode, Pairing, Person, Unit, User
from liaison.services.audit import audit_record

_SHAPE_TYPES = {PairingShape.PERSON: Person, PairingShape.UNIT: Unit, PairingShape.ORG: OrgNode}
_SUBJECT_FIELDS = {PairingShape.PERSON: "person", PairingShape.ORG: "org"}
_TARGET_FIELDS = {
    PairingShape.PERSON: "target_person",
    PairingShape.UNIT: "target_unit",
    PairingShape.ORG: "target_org",
}

_SIDE_FIELDS = ["person", "org", "target_person", "target_unit", "target_org"]


def pairing_build(
    *,
    kind: str,
    subject: Person | OrgNode,
    target: Person | Unit | OrgNode,
    start_on: dt.date,
    end_on: dt.date | None = None,
    note: str = "",
) -> Pairing:
    """Return an unsaved, validated pairing with each side in the column its kind names."""
    if kind not in PAIRING_SHAPES:
        raise ValidationError({"kind": _("Unknown pairing kind.")})
    subject_shape, target_shape = PAIRING_SHAPES[kind]
    if not isinstance(subject, _SHAPE_TYPES[subject_shape]):
        raise ValidationError({"person": _("This kind of pairing needs a different liaison side.")})
    if not isinstance(target, _SHAPE_TYPES[target_shape]):
        raise ValidationError({"target": _("This kind of pairing needs a different paired side.")})
    if end_on is not None and end_on < start_on:
        raise ValidationError({"end_on": _("A pairing cannot end before it starts.")})
    pairing = Pairing(kind=kind, start_on=start_on, end_on=end_on, note=note)
    setattr(pairing, _SUBJECT_FIELDS[subject_shape], subject)
    setattr(pairing, _TARGET_FIELDS[target_shape], target)
    # The sides are model instances already checked above, and the shape and date constraints
    # are checked here too: skipping Django's per-field foreign-key and constraint queries keeps
    # a bulk import of thousands of pairings to a fixed number of queries.
    pairing.full_clean(exclude=_SIDE_FIELDS, validate_constraints=False)
    return pairing


@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    kind: str,
    subject: Person | OrgNode,
    target: Person | Unit | OrgNode,
    start_on: dt.date,
    end_on: dt.date | None = None,
    note: str = "",
) -> Pairing:
    pairing = pairing_build(
        kind=kind, subject=subject, target=target, start_on=start_on, end_on=end_on, note=note
    )
    pairing.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=pairing,
        summary=str(pairing),
        data={"kind": kind, "start_on": start_on.isoformat()},
    )
    return pairing

