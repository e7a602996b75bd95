from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from liaison.constants import (
    PAIRING_RULES,
    PAIRING_SHAPES,
    BranchType,
    OrgKind,
    PairingShape,
    PersonKind,
    UnitKind,
)
from liaison.models import (
    PAIRING_DUPLICATE_MESSAGE,
    PAIRING_SIDE_COLUMNS,
    AuditEvent,
    OrgNode,
    Pairing,
    Person,
    Unit,
    User,
)
from liaison.services.audit import audit_record

_SHAPE_TYPES: dict[str, type[Person | Unit | OrgNode]] = {
    PairingShape.PERSON: Person,
    PairingShape.UNIT: Unit,
    PairingShape.ORG: OrgNode,
}
_SUBJECT_FIELDS = {PairingShape.PERSON: "person", PairingShape.ORG: "org"}
_TARGET_FIELDS = {
    PairingShape.PERSON: "target_person",
    PairingShape.UNIT: "target_unit",
    PairingShape.ORG: "target_org",
}


class PairingSide(Protocol):
    """What the rules read of a side of a pairing besides its Person flags and branch type: a
    Person, Unit or OrgNode, or a row of an import workbook."""

    @property
    def kind(self) -> str: ...

    @property
    def code(self) -> str: ...


def pairing_build(
    *,
    kind: str,
    subject: Person | OrgNode,
    target: Person | Unit | OrgNode,
    start_on: dt.date,
    end_on: dt.date | None = None,
    note: str = "",
) -> Pairing:
    """Return an unsaved, validated pairing with each side in the column its kind names.

    The sides' own attributes are all it reads, so checking costs no query: load them whole.
    """
    if kind not in PAIRING_SHAPES:
        raise ValidationError({"kind": _("Unknown pairing kind.")})
    subject_shape, target_shape = PAIRING_SHAPES[kind]
    if not isinstance(subject, _SHAPE_TYPES[subject_shape]):
        raise ValidationError({"person": _("This kind of pairing needs a different liaison side.")})
    if not isinstance(target, _SHAPE_TYPES[target_shape]):
        raise ValidationError({"target": _("This kind of pairing needs a different paired side.")})
    broken = pairing_side_errors(kind=kind, subject=subject, target=target)
    if broken:
        columns = {"subject": _SUBJECT_FIELDS[subject_shape], "target": "target"}
        raise ValidationError({columns[side]: message for side, message in broken.items()})
    if end_on is not None and end_on < start_on:
        raise ValidationError({"end_on": _("A pairing cannot end before it starts.")})
    pairing = Pairing(kind=kind, start_on=start_on, end_on=end_on, note=note)
    setattr(pairing, _SUBJECT_FIELDS[subject_shape], subject)
    setattr(pairing, _TARGET_FIELDS[target_shape], target)
    # The sides are model instances already checked above, and the shape and date constraints
    # are checked here too: skipping Django's per-field foreign-key and constraint queries keeps
    # a bulk import of thousands of pairings to a fixed number of queries.
    pairing.full_clean(exclude=PAIRING_SIDE_COLUMNS, validate_constraints=False)
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
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a refusal
            pairing.save()
    except IntegrityError as error:
        # pairing_build has checked every other constraint: this is a duplicate, perhaps one
        # saved by someone else a moment ago.
        raise ValidationError(PAIRING_DUPLICATE_MESSAGE, code="duplicate") from error
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=pairing,
        summary=str(pairing),
        data={"kind": kind, "start_on": start_on.isoformat()},
    )
    return pairing


def pairing_check_rules(*, pairing: Pairing) -> None:
    """Check the rules of its kind on a pairing whose columns are filled in (the admin form).

    Raise ValidationError keyed by column. Sides in the wrong columns are left to the model's
    check constraint.
    """
    if pairing.kind not in PAIRING_SHAPES:
        return
    subject_shape, target_shape = PAIRING_SHAPES[pairing.kind]
    columns = {"subject": _SUBJECT_FIELDS[subject_shape], "target": _TARGET_FIELDS[target_shape]}
    sides = {side: getattr(pairing, column) for side, column in columns.items()}
    broken = pairing_side_errors(kind=pairing.kind, **sides)
    if broken:
        raise ValidationError({columns[side]: message for side, message in broken.items()})


def pairing_side_errors(
    *, kind: str, subject: PairingSide | None, target: PairingSide | None
) -> dict[str, str]:
    """Return what the sides break of the rules of `kind` (PAIRING_RULES): one message a side,
    keyed "subject" or "target".

    The sides must already have the shape the kind names. Only their attributes are read (`kind`,
    `code`, `branch_type` and the Person flags), so this makes no query and also takes the rows of
    an import workbook. A side that is None, or whose kind is not known, is not checked.
    """
    rule = PAIRING_RULES[kind]
    subject_shape, target_shape = PAIRING_SHAPES[kind]
    errors = {}
    if subject is not None and subject.kind:
        if subject_shape == PairingShape.PERSON:
            if subject.kind != PersonKind.EMPLOYEE:
                errors["subject"] = _("The liaison person must be an employee.")
            elif rule.subject_flag and not getattr(subject, rule.subject_flag):
                errors["subject"] = _("The liaison person must be a %(what)s.") % {
                    "what": _flag_name(rule.subject_flag)
                }
        elif rule.subject_branch_type and not _is_branch(subject, rule.subject_branch_type):
            errors["subject"] = _("The liaison side must be a party branch of type “%(type)s”.") % {
                "type": BranchType(rule.subject_branch_type).label
            }
    if target is not None and target.kind:
        if target_shape == PairingShape.PERSON:
            if rule.target_flag and not (
                target.kind == PersonKind.EMPLOYEE and getattr(target, rule.target_flag)
            ):
                errors["target"] = _("The paired person must be a %(what)s.") % {
                    "what": _flag_name(rule.target_flag)
                }
        elif target_shape == PairingShape.UNIT:
            if rule.target_unit_kinds and target.kind not in rule.target_unit_kinds:
                kinds = [str(k.label) for k in UnitKind if k in rule.target_unit_kinds]
                errors["target"] = _("The paired unit must be one of: %(kinds)s.") % {
                    "kinds": get_text_list(kinds, _("or"))
                }
        elif rule.target_branch_type and not _is_branch(target, rule.target_branch_type):
            errors["target"] = _("The paired side must be a party branch of type “%(type)s”.") % {
                "type": BranchType(rule.target_branch_type).label
            }
    if (
        subject is not None
        and target is not None
        and subject_shape == target_shape
        and (subject is target or (subject.code and subject.code == target.code))
    ):
        errors.setdefault("target", _("A pairing needs two different sides."))
    return errors


def _flag_name(flag: str) -> str:
    field = Person._meta.get_field(flag)
    if not isinstance(field, Field):
        raise TypeError(f"Person.{flag} is a relation, not a flag.")
    return str(field.verbose_name)


def _is_branch(side, branch_type: str) -> bool:
    return side.kind == OrgKind.BRANCH and side.branch_type == branch_type
