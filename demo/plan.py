"""The demo company as plain data: which org nodes, units, people, pairings and logins it has.

Pure and deterministic (no database): every random choice comes from a `random.Random` seeded
with a fixed string, so two runs on any machine describe the same company with the same codes.
`seed.py` writes the description to the database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cache
from itertools import zip_longest

from demo import words
from demo.specs import (
    DemoPlan,
    OrgSpec,
    PairingSpec,
    Persona,
    PersonSpec,
    UnitSpec,
)
from liaison.constants import BranchType, OrgKind, PairingKind, PersonKind, Role, UnitKind

ROOT_CODE = "DEMO"
CODE_PREFIX = "DEMO-"

# The small scale: these branches (relative codes) and the first employees of each.
SMALL_BRANCHES = frozenset(
    {"K01-B01", "K01-B02", "K02-B01", "K02-B02", "K07-B01", "K07-B02", "Z01-B01"}
)
SMALL_PEOPLE_PER_BRANCH = 12

# The Jilin article: 216 grassroots cadres ↔ 307 teams, 217 office cadres ↔ 218 frontline
# employees, 197 secretaries ↔ 197 special-needs employees. The generator hits these exactly,
# except that its 216 cadres link 310 teams (each grassroots branch covers three or four units).
DEPUTY_SECRETARIES = 75  # 122 secretaries + 75 deputies = 197
OFFICE_CADRES_LARGE, OFFICE_CADRES = 10, 9  # 10 office branches with 10, 13 with 9 = 217

RUNNING_FROM = dt.date(2025, 3, 1)
EARLIER_FROM, EARLIER_TO = dt.date(2024, 3, 1), dt.date(2025, 2, 28)

GROUP_NAMES = ("第一党小组", "第二党小组", "第三党小组")
GRASSROOTS_EXTERNALS = (
    PersonKind.TOWN,
    PersonKind.VILLAGE,
    PersonKind.ENTERPRISE,
    PersonKind.ENTERPRISE,
    PersonKind.HOSPITAL,
    PersonKind.INDIVIDUAL,
)
OFFICE_EXTERNALS = (PersonKind.ENTERPRISE, PersonKind.OTHER_ORG)
# Grassroots branch profiles: (kind of the eponymous unit, kind of the others, their name).
TEAM_PROFILES = {
    "maint": (UnitKind.TEAM, UnitKind.SUBSTATION, "{place}变电站"),
    "market": (UnitKind.TEAM, UnitKind.STATION, "{place}营业厅"),
    "dispatch": (UnitKind.TEAM, UnitKind.STATION, "{place}集控站"),
    "ict": (UnitKind.TEAM, UnitKind.STATION, "{place}通信站"),
    "build": (UnitKind.TEAM, UnitKind.TEAM, "{place}项目部"),
    "ops": (UnitKind.STATION, UnitKind.SUBSTATION, "{place}变电站"),
    "service": (UnitKind.TEAM, UnitKind.STATION, "{place}物业服务站"),
    "county_sub": (UnitKind.TEAM, UnitKind.SUBSTATION, "{place}变电站"),
    "county_dist": (UnitKind.TEAM, UnitKind.STATION, "{place}配电运维站"),
}
# Roles of a branch's staff that are party members (special-needs employees and the rest of the
# employees are not).
MEMBER_ROLES = frozenset(
    {
        "secretary",
        "deputy",
        "party_staff",
        "leader",
        "office_cadre",
        "grassroots_cadre",
        "server",
        "member",
    }
)


@dataclass
class _Parent:
    """A committee or a general branch, with its office and grassroots branches."""

    code: str
    area: str  # 桦甸市, 吉林市昌邑区: names hospitals and offices
    short: str  # 桦甸, 吉林: names enterprises
    address: str
    towns: tuple[str, ...] = ()
    office: list[_Branch] = field(default_factory=list)
    grassroots: list[_Branch] = field(default_factory=list)


@dataclass
class _Branch:
    code: str
    branch_type: str
    parent: _Parent
    place: str  # the town or street it serves
    in_city: bool
    units: list[UnitSpec] = field(default_factory=list)
    cadres: int = 0
    leaders: tuple[str, ...] = ()
    party_staff: str = ""
    party_staff_unit: int = 0
    staff: list[tuple[str, PersonSpec]] = field(default_factory=list)
    externals: list[PersonSpec] = field(default_factory=list)
    index: int = 0  # among all branches
    kind_index: int = 0  # among the office or the grassroots branches

    def by_role(self, role: str) -> list[str]:
        return [p.code for r, p in self.staff if r == role]


def _stem(town: str) -> str:
    return town[:-1] if town[-1] in "镇乡" else town


def _name(rng: random.Random) -> str:
    given = rng.choice(words.GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(words.GIVEN_CHARS)
    return rng.choice(words.SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return f"100{rng.randrange(10**8):08d}"  # no Chinese mobile number starts with 100


class _Builder:
    def __init__(self, root: str) -> None:
        self.root = root
        self.orgs: list[OrgSpec] = []
        self.units: list[UnitSpec] = []
        self.people: list[PersonSpec] = []
        self.pairings: list[PairingSpec] = []
        self.parents: list[_Parent] = []
        self.branches: list[_Branch] = []
        self.counters: dict[str, int] = {}

    def next(self, key: str) -> int:
        n = self.counters.get(key, 0)
        self.counters[key] = n + 1
        return n

    # Structure: committees, branches, units ----------------------------------------------

    def structure(self) -> None:
        self.orgs.append(OrgSpec(self.root, words.COMPANY_NAME, OrgKind.COMPANY, "", None))
        city = words.CITY_ADDRESS
        hq = self.parent("K01", "机关党委", OrgKind.COMMITTEE, "吉林市", "吉林", city)
        for n, (name, departments) in enumerate(words.HQ_BRANCHES):
            branch = self.office_branch(hq, name, departments)
            if n == 0:
                branch.leaders = words.COMPANY_LEADERS
                branch.party_staff = words.PARTY_BUILDING_DEPARTMENT + "主任"
                branch.party_staff_unit = departments.index(words.PARTY_BUILDING_DEPARTMENT)
        number = 2
        for name, entity, profile, teams in words.PROFESSIONAL_COMMITTEES:
            parent = self.parent(f"K{number:02d}", name, OrgKind.COMMITTEE, "吉林市", "吉林", city)
            self.committee_office(parent, entity, ("综合室", "安全质量室"), "主任、党委副书记")
            for team in teams:
                self.team_branch(parent, team, profile)
            number += 1
        for name, entity, short, address, towns in words.COUNTY_COMMITTEES:
            area = address.removeprefix("吉林省")
            parent = self.parent(
                f"K{number:02d}", name, OrgKind.COMMITTEE, area, short, address, towns
            )
            self.committee_office(parent, entity, ("办公室", "运维检修部"), "经理、党委副书记")
            for town in towns:
                self.supply_branch(parent, town)
            self.team_branch(parent, f"{short}变电运维班", "county_sub")
            self.team_branch(parent, f"{short}配电运检班", "county_dist")
            number += 1
        for n, (name, entity, profile, teams, departments) in enumerate(words.GENERAL_BRANCHES):
            parent = self.parent(
                f"Z{n + 1:02d}", name, OrgKind.GENERAL_BRANCH, "吉林市", "吉林", city
            )
            if departments:
                branch = self.office_branch(parent, f"{entity}机关党支部", departments)
                branch.leaders = ("主任",)
            for team in teams:
                self.team_branch(parent, team, profile)

    def parent(self, suffix, name, kind, area, short, address, towns=()) -> _Parent:
        code = f"{CODE_PREFIX}{suffix}"
        self.orgs.append(OrgSpec(code, name, kind, "", self.root))
        parent = _Parent(code, area, short, address, tuple(towns))
        self.parents.append(parent)
        return parent

    def branch(self, parent: _Parent, name: str, branch_type: str, place: str, in_city: bool):
        siblings = parent.office if branch_type == BranchType.OFFICE else parent.grassroots
        number = len(parent.office) + len(parent.grassroots) + 1
        branch = _Branch(f"{parent.code}-B{number:02d}", branch_type, parent, place, in_city)
        branch.index = len(self.branches)
        branch.kind_index = sum(1 for b in self.branches if b.branch_type == branch_type)
        siblings.append(branch)
        self.branches.append(branch)
        self.orgs.append(OrgSpec(branch.code, name, OrgKind.BRANCH, branch_type, parent.code))
        return branch

    def unit(self, branch: _Branch, name: str, kind: str) -> None:
        code = f"{branch.code}-U{len(branch.units) + 1}"
        spec = UnitSpec(code, name, kind, branch.code)
        branch.units.append(spec)
        self.units.append(spec)

    def office_branch(self, parent: _Parent, name: str, departments) -> _Branch:
        street = words.CITY_STREETS[self.next("street") % len(words.CITY_STREETS)]
        place, in_city = (parent.towns[0], False) if parent.towns else (street, True)
        branch = self.branch(parent, name, BranchType.OFFICE, place, in_city)
        for department in departments:
            self.unit(branch, department, UnitKind.DEPARTMENT)
        branch.cadres = OFFICE_CADRES_LARGE if branch.kind_index < 10 else OFFICE_CADRES
        return branch

    def committee_office(self, parent: _Parent, entity: str, departments, manager: str):
        branch = self.office_branch(
            parent, f"{entity}机关党支部", tuple(entity + d for d in departments)
        )
        branch.leaders = ("党委书记", manager)
        branch.party_staff = "党建专责"

    def grassroots_branch(self, parent: _Parent, name: str, place: str, in_city: bool):
        branch = self.branch(parent, f"{name}党支部", BranchType.GRASSROOTS, place, in_city)
        branch.cadres = 3 if branch.kind_index % 11 in (0, 5) else 2  # 216 in all
        return branch, (4 if branch.kind_index % 8 == 0 else 3)  # units: 310 in all

    def station_name(self, template: str) -> str:
        n = self.next(template)
        places = words.STATION_PLACES
        place = places[n % len(places)] + words.STATION_ROUNDS[n // len(places)]
        return template.format(place=place)

    def team_branch(self, parent: _Parent, team: str, profile: str) -> None:
        if parent.towns:
            place, in_city = parent.towns[len(parent.grassroots) % len(parent.towns)], False
        else:
            place = words.CITY_STREETS[self.next("street") % len(words.CITY_STREETS)]
            in_city = True
        branch, size = self.grassroots_branch(parent, team, place, in_city)
        own_kind, other_kind, template = TEAM_PROFILES[profile]
        self.unit(branch, team, own_kind)
        for _ in range(size - 1):
            self.unit(branch, self.station_name(template), other_kind)

    def supply_branch(self, parent: _Parent, town: str) -> None:
        stem = _stem(town)
        branch, size = self.grassroots_branch(parent, f"{stem}供电所", town, False)
        units = (
            (f"{stem}供电所", UnitKind.SUPPLY_OFFICE),
            (self.station_name("{place}变电站"), UnitKind.SUBSTATION),
            (f"{stem}供电所营配班", UnitKind.TEAM),
            (f"{stem}供电服务站", UnitKind.STATION),
        )
        for name, kind in units[:size]:
            self.unit(branch, name, kind)

    # People: staff, groups and the external parties each branch serves -------------------

    def staff(self) -> None:
        chosen = random.Random("seed_demo:deputies").sample(
            range(len(self.branches)), DEPUTY_SECRETARIES
        )
        deputies = set(chosen)
        for branch in self.branches:
            self.branch_staff(branch, branch.index in deputies)
            self.branch_externals(branch)

    def branch_staff(self, branch: _Branch, has_deputy: bool) -> None:
        rng = random.Random(f"seed_demo:{branch.code}")
        office = branch.branch_type == BranchType.OFFICE
        # The order matters: the small scale keeps the first few of each branch.
        head = ["secretary"] + ["deputy"] * has_deputy
        head += ["party_staff"] * bool(branch.party_staff) + ["leader"] * len(branch.leaders)
        head += [("office_cadre" if office else "grassroots_cadre")] * branch.cadres
        servers = ["server"] * len(OFFICE_EXTERNALS if office else GRASSROOTS_EXTERNALS)
        members = max(rng.randint(15, 19), len(head) + len(servers) + 2)
        roles = head + ["special"] * (1 + has_deputy) + servers
        roles += ["member"] * (members - len(head) - len(servers))
        roles += ["employee"] * rng.randint(5, 9)
        groups = [f"{branch.code}-G{n + 1}" for n in range(3 if members >= 18 else 2)]
        for code, name in zip(groups, GROUP_NAMES, strict=False):
            self.orgs.append(OrgSpec(code, name, OrgKind.GROUP, branch.branch_type, branch.code))
        jobs = words.OFFICE_JOBS if office else words.GRASSROOTS_JOBS
        counts: dict[str, int] = {}
        grouped = 0
        for n, role in enumerate(roles):
            k = counts[role] = counts.get(role, -1) + 1
            unit = branch.units[n % len(branch.units)]
            position = rng.choice(jobs)
            org = branch.code
            if role in MEMBER_ROLES and role not in ("secretary", "deputy", "leader"):
                org = groups[grouped % len(groups)]
                grouped += 1
            if role == "secretary":
                position = "党支部书记"
            elif role == "deputy":
                position = "党支部副书记"
            elif role == "party_staff":
                unit, position = branch.units[branch.party_staff_unit], branch.party_staff
            elif role == "leader":
                unit, position = None, branch.leaders[k]
            elif role == "office_cadre":
                unit = branch.units[k % len(branch.units)]
                position = rng.choice(words.OFFICE_CADRE_TITLES)
            elif role == "grassroots_cadre":
                unit = branch.units[k % len(branch.units)]
                position = words.UNIT_HEAD_TITLES[unit.kind][0]
            person = PersonSpec(
                code=f"{branch.code}-P{n + 1:03d}",
                name=_name(rng),
                kind=PersonKind.EMPLOYEE,
                org=org,
                unit=unit.code if unit else None,
                position=position,
                is_party_member=role in MEMBER_ROLES,
                is_frontline=not office and role not in ("secretary", "deputy"),
                is_special_needs=role == "special",
                special_needs_note=rng.choice(words.SPECIAL_NEEDS_NOTES)
                if role == "special"
                else "",
                phone=_phone(rng),
            )
            branch.staff.append((role, person))
            self.people.append(person)

    def branch_externals(self, branch: _Branch) -> None:
        rng = random.Random(f"seed_demo:{branch.code}:externals")
        parent = branch.parent
        kinds = (
            OFFICE_EXTERNALS if branch.branch_type == BranchType.OFFICE else GRASSROOTS_EXTERNALS
        )
        place = branch.place
        for n, kind in enumerate(kinds):
            contact = _name(rng)
            address = f"{parent.address}{place}{rng.choice(words.ROADS)}{rng.randint(1, 300)}号"
            note = ""
            if kind == PersonKind.TOWN:
                name = f"{place}办事处" if branch.in_city else f"{place}人民政府"
                title = words.CONTACT_TITLES["street" if branch.in_city else "town"]
            elif kind == PersonKind.VILLAGE:
                if branch.in_city:
                    name = f"{place}{rng.choice(words.COMMUNITIES)}社区"
                    title = words.CONTACT_TITLES["community"]
                else:
                    name = f"{place}{rng.choice(words.VILLAGES)}村"
                    title = words.CONTACT_TITLES["village"]
                address = f"{parent.address}{name}"
            elif kind == PersonKind.ENTERPRISE:
                name = (
                    parent.short
                    + rng.choice(words.ENTERPRISE_BRANDS)
                    + rng.choice(words.ENTERPRISE_TRADES)
                    + rng.choice(words.ENTERPRISE_SUFFIXES)
                )
                title = words.CONTACT_TITLES["enterprise"]
            elif kind == PersonKind.HOSPITAL:
                h = self.next(f"hospital:{parent.area}")
                if h < len(words.HOSPITALS):
                    name = parent.area + words.HOSPITALS[h]
                elif branch.in_city:
                    name = f"{place.removesuffix('街道')}社区卫生服务中心"
                else:
                    name = f"{place}卫生院"
                title = words.CONTACT_TITLES["hospital"]
            elif kind == PersonKind.OTHER_ORG:
                h = self.next(f"other:{parent.area}")
                name = parent.area + words.OTHER_ORGS[h % len(words.OTHER_ORGS)]
                title = words.CONTACT_TITLES["other_org"]
            else:
                name, title, note = contact, (), "低压居民客户"
            person = PersonSpec(
                code=f"{branch.code}-X{n + 1}",
                name=name,
                kind=kind,
                org=branch.code,
                contact_person=f"{contact}（{rng.choice(title)}）" if title else "",
                phone=_phone(rng),
                address=address,
                note=note,
            )
            branch.externals.append(person)
            self.people.append(person)

    # Pairings: the six kinds, in the article's proportions -------------------------------

    def pair(self, kind: str, subject: str, target: str, *, ended: bool = False, note: str = ""):
        start, end = (EARLIER_FROM, EARLIER_TO) if ended else (RUNNING_FROM, None)
        self.pairings.append(PairingSpec(kind, subject, target, start, end, note))

    def all_pairings(self) -> None:
        hq, others = self.parents[0], self.parents[1:]
        self.leader_contacts(hq, others)
        for branch in self.branches:
            if branch.branch_type == BranchType.GRASSROOTS:
                self.cadre_teams(branch)
        self.office_cadres(hq, others)
        for branch in self.branches:
            self.secretaries(branch)
            self.members_served(branch)
        self.joint_branches(hq, others)

    def leader_contacts(self, hq: _Parent, others: list[_Parent]) -> None:
        kind = PairingKind.LEADER_CONTACT
        for i, leader in enumerate(hq.office[0].by_role("leader")):
            for parent in (others[i % len(others)], others[(i + 8) % len(others)]):
                self.pair(kind, leader, parent.grassroots[0].units[0].code)
        for parent in others:
            leaders = [code for b in parent.office for code in b.by_role("leader")]
            for k, leader in enumerate(leaders):
                branch = parent.grassroots[k % len(parent.grassroots)]
                self.pair(kind, leader, branch.units[1].code)

    def cadre_teams(self, branch: _Branch) -> None:
        kind = PairingKind.CADRE_TEAM
        cadres = branch.by_role("grassroots_cadre")
        for u, unit in enumerate(branch.units):
            self.pair(kind, cadres[u % len(cadres)], unit.code)
        if branch.kind_index % 10 == 0:  # the first cadre used to link the second team
            self.pair(kind, cadres[0], branch.units[1].code, ended=True, note="联系班站调整")

    def office_cadres(self, hq: _Parent, others: list[_Parent]) -> None:
        kind = PairingKind.OFFICE_CADRE_FRONTLINE
        pools = {}
        for parent in others:  # frontline employees, taking each branch in turn
            ranks = [
                [p for r, p in b.staff if r in ("server", "member", "employee")]
                for b in parent.grassroots
            ]
            pools[parent.code] = iter(
                [p.code for rank in zip_longest(*ranks) for p in rank if p is not None]
            )
        offices = [b for b in self.branches if b.branch_type == BranchType.OFFICE]
        for o, branch in enumerate(offices):
            pool = pools[(others[o] if branch.parent is hq else branch.parent).code]
            for k, cadre in enumerate(branch.by_role("office_cadre")):
                self.pair(kind, cadre, next(pool))
                if o == 0 and k == 0:  # 218 frontline employees for 217 cadres
                    self.pair(kind, cadre, next(pool))
                if o % 5 == 0 and k == 1:
                    self.pair(kind, cadre, next(pool), ended=True, note="包保对象调整")

    def secretaries(self, branch: _Branch) -> None:
        kind = PairingKind.SECRETARY_SPECIAL_NEEDS
        secretaries = branch.by_role("secretary") + branch.by_role("deputy")
        for secretary, special in zip(secretaries, branch.by_role("special"), strict=True):
            self.pair(kind, secretary, special)
        if branch.index % 15 == 0:
            # The secretary kept the same employee the year before. (A pairing with someone whose
            # need has since been met cannot be made now: the target must be special-needs.)
            special = branch.by_role("special")[0]
            self.pair(kind, secretaries[0], special, ended=True, note="上一年度结对")

    def members_served(self, branch: _Branch) -> None:
        kind = PairingKind.MEMBER_SERVED
        servers = branch.by_role("server")
        for server, party in zip(servers, branch.externals, strict=True):
            moved = party.kind == PersonKind.INDIVIDUAL and branch.kind_index % 8 == 0
            self.pair(kind, server, party.code, ended=moved, note="客户已迁出" if moved else "")
        for server, employee in zip(servers[:2], branch.by_role("employee"), strict=False):
            self.pair(kind, server, employee)

    def joint_branches(self, hq: _Parent, others: list[_Parent]) -> None:
        kind = PairingKind.BRANCH_JOINT
        for parent in others:
            for office in parent.office:
                for grassroots in parent.grassroots[:2]:
                    self.pair(kind, office.code, grassroots.code)
        for j, office in enumerate(hq.office):
            for parent in (others[j], others[j + 8]):
                self.pair(kind, office.code, parent.grassroots[2 % len(parent.grassroots)].code)
        last = hq.office[-1]
        self.pair(kind, last.code, others[0].grassroots[-1].code, ended=True, note="联建调整")

    # Logins and the small subset --------------------------------------------------------

    def personas(self) -> tuple[Persona, ...]:
        hq_first, hq_second = self.parents[0].office[:2]
        committee = self.parents[1]
        team = committee.grassroots[0]
        handler = hq_second.by_role("office_cadre")[0]
        department = next(p.unit for r, p in hq_second.staff if p.code == handler)
        root = self.root
        return (
            Persona("dangjian", Role.PARTY_BUILDING, hq_first.by_role("party_staff")[0], root),
            Persona(
                "dangwei",
                Role.COMMITTEE_STAFF,
                committee.office[0].by_role("party_staff")[0],
                committee.code,
            ),
            Persona("shuji", Role.BRANCH_SECRETARY, team.by_role("secretary")[0], team.code),
            Persona("lingdao", Role.LEADERSHIP_CADRE, hq_first.by_role("leader")[0], root),
            Persona(
                "jiguan", Role.OFFICE_CADRE, hq_first.by_role("office_cadre")[0], hq_first.code
            ),
            Persona(
                "jiceng", Role.GRASSROOTS_CADRE, team.by_role("grassroots_cadre")[0], team.code
            ),
            Persona("dangyuan", Role.PARTY_MEMBER, team.by_role("server")[0], team.code),
            Persona("bumen", Role.DEPARTMENT_HANDLER, handler, None, department),
            Persona("admin", Role.ADMINISTRATOR, None, root),
            Persona("anquan", Role.SECURITY_ADMIN, None, None),
            Persona("shenji", Role.AUDIT_ADMIN, None, None),
        )

    def small(self) -> frozenset[str]:
        branches = [b for b in self.branches if b.code.removeprefix(CODE_PREFIX) in SMALL_BRANCHES]
        codes = {self.root} | {b.parent.code for b in branches}
        for branch in branches:
            codes.add(branch.code)
            codes.update(o.code for o in self.orgs if o.parent == branch.code)
            codes.update(u.code for u in branch.units)
            codes.update(p.code for _, p in branch.staff[:SMALL_PEOPLE_PER_BRANCH])
            codes.update(p.code for p in branch.externals)
        return frozenset(codes)


@cache
def demo_plan() -> DemoPlan:
    """Return the whole demo company (province scale) and the codes of its small subset."""
    builder = _Builder(ROOT_CODE)
    builder.structure()
    builder.staff()
    builder.all_pairings()
    return DemoPlan(
        orgs=tuple(builder.orgs),
        units=tuple(builder.units),
        people=tuple(builder.people),
        pairings=tuple(builder.pairings),
        personas=builder.personas(),
        small=builder.small(),
    )
