"""What the demo company is made of, as plain frozen records keyed by code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    kind: str
    branch_type: str
    parent: str | None


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    branch: str


@dataclass(frozen=True)
class PersonSpec:
    code: str
    name: str
    kind: str
    org: str
    unit: str | None = None
    position: str = ""
    is_party_member: bool = False
    is_frontline: bool = False
    is_special_needs: bool = False
    special_needs_note: str = ""
    contact_person: str = ""
    phone: str = ""
    address: str = ""
    note: str = ""


@dataclass(frozen=True)
class PairingSpec:
    kind: str
    subject: str
    target: str
    start_on: dt.date
    end_on: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class Persona:
    username: str
    role: str
    person: str | None
    scope: str | None
    department: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    orgs: tuple[OrgSpec, ...]
    units: tuple[UnitSpec, ...]
    people: tuple[PersonSpec, ...]
    pairings: tuple[PairingSpec, ...]
    personas: tuple[Persona, ...]
    small: frozenset[str]  # the codes that make up the small scale

    def select(self, scale: str) -> DemoPlan:
        """Return the plan at `scale`: everything for province, the small subset for small."""
        if scale == "province":
            return self
        keep = self.small
        return replace(
            self,
            orgs=tuple(o for o in self.orgs if o.code in keep),
            units=tuple(u for u in self.units if u.code in keep),
            people=tuple(p for p in self.people if p.code in keep),
            pairings=tuple(p for p in self.pairings if p.subject in keep and p.target in keep),
        )
