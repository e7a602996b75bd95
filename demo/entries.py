"""`seed_demo --entries N`: a year of ledger entries for the demo company, inserted in bulk.

What it makes. Entries recorded over the last 12 months (fewer at weekends) by the demo's
recording people — branch secretaries, leadership, office and grassroots cadres and party members,
each with a login of their own (the demo logins where a persona is that person, otherwise an
account with an unusable password) — about the employees, villages, enterprises and others of
their branch. Every kind, colour, level and state: recorded, in progress, referred, planned,
resolved, replied; closed after a rating (on time and late, satisfied and unsatisfied), reopened
after an unsatisfied rating, closed not rated, void, and basic information closed on recording.
Most entries come from a visit (with its place type); referrals go to the professional
departments; replies, ratings (feedback.Rating) and one EntryEvent per transition make the
timeline; the overdue sweep is taken to have run last night, so that an entry due yesterday is
overdue only by the live check (R6).

How. Plain Python generates each batch of 5,000 entries with its visits, events and ratings as
tuples (no model instances, no service call and no query per row); numbers are reserved a block a
year per batch (entry_numbers); due dates come from one WorkCalendar with a cache per colour and
day; ids are reserved per batch from the database; rows go in with COPY on PostgreSQL and
executemany elsewhere; each batch is one transaction. Every random choice comes from a
random.Random seeded with the batch's first index, so the same database, day and N give the same
ledger.

Running it again tops the ledger up to N entries: with the same N it adds nothing; with a larger N
it adds the difference (new entries, again spread over the 12 months before that day); entries
recorded by hand count towards N. Recording accounts are created only when missing.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from common.bulk import bulk_insert, reserve_ids
from demo import entry_words as words
from demo.lifecycle import Lifecycle
from demo.links import demo_link_entries
from demo.plan import CODE_PREFIX, ROOT_CODE, demo_plan
from feedback.constants import RATING_LINK_TOKEN_BYTES
from feedback.models import Rating, RatingLink
from liaison.constants import (
    FRONTLINE_UNIT_KINDS,
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    OrgKind,
    PairingKind,
    PersonKind,
    PlaceType,
    Role,
    UnitKind,
    level_of,
)
from liaison.models import (
    Channel,
    CoHandler,
    Entry,
    EntryEvent,
    OrgNode,
    Person,
    ServiceItem,
    Unit,
    User,
    Visit,
)
from liaison.services.entries import entry_numbers
from liaison.workdays import WorkCalendar

BATCH_SIZE = 5000
HISTORY_DAYS = 365
SECRETARY_POSITION = "党支部书记"

# The role of a demo person follows the pairing they make as the liaison side (R13).
_PAIRING_ROLES = {
    PairingKind.LEADER_CONTACT: Role.LEADERSHIP_CADRE,
    PairingKind.OFFICE_CADRE_FRONTLINE: Role.OFFICE_CADRE,
    PairingKind.CADRE_TEAM: Role.GRASSROOTS_CADRE,
}
# How much each role records: a secretary keeps the branch ledger, cadres visit often.
_ROLE_WEIGHTS = {
    Role.BRANCH_SECRETARY: 4,
    Role.LEADERSHIP_CADRE: 2,
    Role.OFFICE_CADRE: 2,
    Role.GRASSROOTS_CADRE: 2,
    Role.PARTY_MEMBER: 1,
}
_PLACE_TYPES = {
    PersonKind.EMPLOYEE: PlaceType.EMPLOYEE,
    PersonKind.ENTERPRISE: PlaceType.ENTERPRISE,
    PersonKind.VILLAGE: PlaceType.VILLAGE,
    PersonKind.TOWN: PlaceType.TOWN,
    PersonKind.HOSPITAL: PlaceType.OTHER,
    PersonKind.INDIVIDUAL: PlaceType.OTHER,
    PersonKind.OTHER_ORG: PlaceType.OTHER,
}
# The share of visits to an employee of a team or station that go to the team as a whole
# (政工师下班组: the unit is visited, the employee raises the need).
_UNIT_VISIT_SHARE = 0.4
_VISIT_CHANNELS = ("走基层", "政工师下班组", "职工代表巡视", "大客户走访", "说说你的心里话")
# The demo's campaigns (专项活动, R15): 政工师下班组 and then 走基层·转作风·促发展, as in the
# Xiaoshan article — (first day, last day) in days before today. A visit on a campaign's day is
# recorded under it half the time; no entry falls under a campaign outside its dates.
_CAMPAIGNS = {"政工师下班组": (150, 111), "走基层": (100, 41)}
_CAMPAIGN_SHARE = 0.5
_KINDS = (EntryKind.BASIC, EntryKind.SUGGESTION, EntryKind.PROBLEM)
_KIND_WEIGHTS = (12, 38, 50)
_COLOURS = (Colour.RED, Colour.ORANGE, Colour.YELLOW)
_COLOUR_WEIGHTS = (30, 45, 25)


class EntrySeedError(Exception):
    """The demo ledger cannot be seeded into this database."""


@dataclass
class EntrySeedResult:
    created: int
    total: int
    accounts_created: int
    seconds: float
    counts: dict[str, int]


# An entry in these states at its department has had its referral (and so its link).
_REFERRED_STATUSES = frozenset({EntryStatus.REFERRED, EntryStatus.PLANNED, EntryStatus.RESOLVED})


@dataclass(frozen=True)
class _Recorder:
    user_id: int
    person_id: int
    role: str
    level: str
    org_id: int  # the branch whose ledger holds what they record
    pool: tuple[tuple[int, str, str], ...]  # informants: (person id, name, kind)


def demo_seed_entries(
    *,
    count: int,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EntrySeedResult:
    """Top the demo ledger up to `count` entries (see the module docstring)."""
    if count < 0:
        raise EntrySeedError("The number of entries cannot be negative.")
    started = time.monotonic()
    today = today or timezone.localdate()
    root = OrgNode.objects.filter(code=ROOT_CODE, depth=1).first()
    if root is None:
        raise EntrySeedError("Load the demo company first (seed_demo without --entries).")
    existing = Entry.objects.count()
    missing = max(0, count - existing)
    accounts = 0
    counts = {"visits": 0, "events": 0, "ratings": 0}
    if missing:
        with transaction.atomic():
            recorders, accounts = _recorders(root)
        generator = _Generator(root=root, recorders=recorders, today=today)
        done = 0
        while done < missing:
            size = min(BATCH_SIZE, missing - done)
            with transaction.atomic():
                batch = generator.batch(first_index=existing + done, size=size)
                for name, n in _write(batch).items():
                    counts[name] += n
            done += size
            if progress:
                progress(done, missing)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics for the planner
                for model in (Entry, EntryEvent, Rating, Visit):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    demo_link_entries()  # related entries and duplicates to reply together (R11), once
    return EntrySeedResult(
        created=missing,
        total=existing + missing,
        accounts_created=accounts,
        seconds=time.monotonic() - started,
        counts=counts,
    )


# -- Who records, about whom ----------------------------------------------------------------


def _plan_roles() -> dict[str, str]:
    """Return the role of each demo party member (by person code) as the plan made them."""
    plan = demo_plan()
    positions = {p.code: p.position for p in plan.people}
    roles = {p.code: Role.PARTY_MEMBER for p in plan.people if p.is_party_member}
    for pairing in plan.pairings:
        if pairing.kind in _PAIRING_ROLES:
            roles[pairing.subject] = _PAIRING_ROLES[pairing.kind]
    for code, position in positions.items():
        if position == SECRETARY_POSITION:
            roles[code] = Role.BRANCH_SECRETARY
    return roles


def _recorders(root: OrgNode) -> tuple[list[_Recorder], int]:
    """Return the demo's recording people with their accounts (creating the missing ones)."""
    nodes = {
        n.pk: n
        for n in OrgNode.objects.filter(path__startswith=root.path).only(
            "id", "path", "depth", "kind", "branch_type", "code"
        )
    }
    by_path = {n.path: n for n in nodes.values()}

    def branch_of(node: OrgNode) -> OrgNode:
        return by_path[node.path[: -OrgNode.steplen]] if node.kind == OrgKind.GROUP else node

    people = list(
        Person.objects.filter(code__startswith=CODE_PREFIX, is_active=True)
        .order_by("pk")
        .values_list("id", "code", "name", "kind", "org_id")
    )
    codes = {pk: code for pk, code, *_rest in people}
    pools: dict[int, list[tuple[int, str, str]]] = {}
    for pk, _code, name, kind, org_id in people:
        pools.setdefault(branch_of(nodes[org_id]).pk, []).append((pk, name, kind))
    contact_points = tuple(
        person
        for branch_id, pool in pools.items()
        if nodes[branch_id].branch_type == "grassroots"
        for person in pool
        if person[2] != PersonKind.EMPLOYEE
    )
    roles = _plan_roles()
    existing = {
        person_id: (pk, role)
        for pk, person_id, role in User.objects.filter(
            person__code__startswith=CODE_PREFIX
        ).values_list("id", "person_id", "role")
    }
    # A demo login records in its own role; one that does not record (a handler, committee or
    # party-building staff) leaves its person out.
    for person_id, (_pk, role) in existing.items():
        code = codes.get(person_id)
        if code in roles:
            if role in _ROLE_WEIGHTS:
                roles[code] = role
            else:
                del roles[code]
    accounts = {person_id: pk for person_id, (pk, _role) in existing.items()}
    wanted = [p for p in people if p[1] in roles]
    created = _create_accounts(root, wanted, roles, nodes, by_path, branch_of, accounts)
    if created:
        accounts = dict(
            User.objects.filter(person__code__startswith=CODE_PREFIX).values_list("person_id", "id")
        )
    recorders = []
    for pk, code, _name, _kind, org_id in wanted:
        branch = branch_of(nodes[org_id])
        role = roles[code]
        level = level_of(role=role, org_kind=branch.kind, branch_type=branch.branch_type)
        pool = tuple(p for p in pools[branch.pk] if p[0] != pk)
        if role == Role.LEADERSHIP_CADRE and contact_points:
            pool = contact_points  # leaders hear the needs of their contact points
        recorders.append(_Recorder(accounts[pk], pk, role, level, branch.pk, pool))
    if not recorders:
        raise EntrySeedError("The demo company has no party members to record entries.")
    return recorders, created


def _create_accounts(root, wanted, roles, nodes, by_path, branch_of, accounts) -> int:
    """Give every recording person without a login an account that cannot log in."""
    now = timezone.now()
    users = []
    for pk, code, name, _kind, org_id in wanted:
        if pk in accounts:
            continue
        role = roles[code]
        node = nodes[org_id]
        branch = branch_of(node)
        scope = node if role == Role.PARTY_MEMBER else branch
        if role == Role.LEADERSHIP_CADRE:  # the company's leaders see it all; others, their parent
            parent = by_path.get(branch.path[: -OrgNode.steplen])
            scope = root if parent is None or parent.code == f"{CODE_PREFIX}K01" else parent
        users.append(
            User(
                username=code.lower(),
                first_name=name,
                role=role,
                person_id=pk,
                scope_org_id=scope.pk,
                password=make_password(None),
                is_active=True,
                date_joined=now,
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    return len(users)


# -- Generating a batch ---------------------------------------------------------------------


@dataclass
class _Batch:
    entries: list[dict]
    events: list[tuple]  # (entry index, kind, actor id, at, note, before, after)
    ratings: list[tuple]  # (entry index, value, comment, channel, recorded_by, round, rated_at)
    visits: list[dict]
    visitors: list[tuple[int, int]]  # (visit index, person id)
    years: dict[int, int]
    event_counts: dict[int, int]
    # (entry index, department id, added by, added at): co-handling departments (R18)
    cohandlers: list[tuple] = field(default_factory=list)


class _Generator:
    def __init__(self, *, root: OrgNode, recorders: list[_Recorder], today: dt.date):
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.recorders = recorders
        # Who takes an entry over when its owner moves on (R3): the branch's secretary.
        self.secretaries = {
            r.org_id: r.user_id for r in recorders if r.role == Role.BRANCH_SECRETARY
        }
        weights = [_ROLE_WEIGHTS[r.role] for r in recorders]
        self.cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        self.calendar = WorkCalendar.load(today.year - 1, today.year + 1)
        self.due_cache: dict[tuple[str, dt.date], tuple[dt.date, bool]] = {}
        self.working: dict[dt.date, bool] = {}
        channels = list(Channel.objects.filter(is_active=True).values_list("id", "name"))
        if not channels:
            raise EntrySeedError("No channel to record entries under.")
        self.campaigns: dict[int, tuple[dt.date, dt.date]] = {}
        for pk, name in channels:
            if name in _CAMPAIGNS:
                first, last = (today - dt.timedelta(days=n) for n in _CAMPAIGNS[name])
                Channel.objects.filter(pk=pk).update(starts_on=first, ends_on=last)
                self.campaigns[pk] = (first, last)
        self.channels = [pk for pk, _name in channels]
        self.visit_channels = [pk for pk, name in channels if name in _VISIT_CHANNELS] or (
            self.channels
        )
        self.items = list(
            ServiceItem.objects.filter(is_active=True).values_list("id", "name", "category__name")
        )
        if not self.items:
            raise EntrySeedError("No service item to record entries under.")
        departments = list(
            Unit.objects.filter(
                kind=UnitKind.DEPARTMENT, is_active=True, branch__path__startswith=root.path
            )
            .order_by("pk")
            .values_list("id", "name")
        )
        if not departments:
            raise EntrySeedError("The demo company has no professional department.")
        self.departments = {
            category: [pk for pk, name in departments if any(k in name for k in keys)]
            or [pk for pk, _name in departments]
            for category, keys in words.CATEGORY_DEPARTMENTS.items()
        }
        self.any_department = [pk for pk, _name in departments]
        # Who signs for a department's referrals (R17), and who decides a referral returned
        # twice: the first active handler of each department, the first party-building user.
        self.handlers: dict[int, int] = {}
        self.party_building: int | None = None
        for user_pk, role, department_id in (
            User.objects.filter(
                role__in=[Role.DEPARTMENT_HANDLER, Role.PARTY_BUILDING], is_active=True
            )
            .order_by("pk")
            .values_list("pk", "role", "department_id")
        ):
            if role == Role.PARTY_BUILDING:
                self.party_building = self.party_building or user_pk
            elif department_id:
                self.handlers.setdefault(department_id, user_pk)
        # The team or station of each demo employee who works in one: visited as a unit.
        self.teams = {
            pk: (unit_id, unit_name)
            for pk, unit_id, unit_name in Person.objects.filter(
                code__startswith=CODE_PREFIX,
                kind=PersonKind.EMPLOYEE,
                unit__kind__in=sorted(FRONTLINE_UNIT_KINDS),
            ).values_list("id", "unit_id", "unit__name")
        }

    # Calendar helpers, cached: a year has 365 days and three colours.

    def is_working(self, day: dt.date) -> bool:
        if day not in self.working:
            self.working[day] = self.calendar.is_working_day(day)
        return self.working[day]

    def due(self, colour: str, day: dt.date) -> tuple[dt.date, bool]:
        """Return (due_on, provisional) of red and orange, and the earliest yellow target."""
        key = (colour, day)
        if key not in self.due_cache:
            if colour == Colour.YELLOW:
                due = self.calendar.earliest_yellow_target(day)
            else:
                due = self.calendar.due_for(colour, day)
            self.due_cache[key] = (due.due_on, due.provisional)
        return self.due_cache[key]

    def deadline(self, rng: random.Random, colour: str, day: dt.date):
        """Return (due_on, provisional, target_on) of an entry of `colour` recorded on `day`."""
        due_on, provisional = self.due(colour, day)
        if colour != Colour.YELLOW:
            return due_on, provisional, None
        target = due_on + dt.timedelta(days=rng.randint(0, 90))
        return target, provisional or self.calendar.is_provisional_year(target.year), target

    def recorded_day(self, rng: random.Random) -> dt.date:
        day = self.today - dt.timedelta(days=rng.randrange(HISTORY_DAYS))
        for _ in range(4):  # most visits happen on working days
            if self.is_working(day) or rng.random() < 0.15:
                break
            day -= dt.timedelta(days=1)
        return day

    def moment(self, rng: random.Random, day: dt.date, after: dt.datetime | None = None):
        at = dt.datetime.combine(
            day, dt.time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=self.tz
        )
        if after is not None and at <= after:
            at = after + dt.timedelta(minutes=rng.randint(5, 120))
        return at

    # The batch ------------------------------------------------------------------------------

    def batch(self, *, first_index: int, size: int) -> _Batch:
        rng = random.Random(f"seed_demo:entries:{first_index}")
        batch = _Batch([], [], [], [], [], {}, {})
        last_suggestion: dict[int, int] = {}
        while len(batch.entries) < size:
            recorder = rng.choices(self.recorders, cum_weights=self.cum_weights)[0]
            if not recorder.pool:
                continue
            day = self.recorded_day(rng)
            informant = rng.choice(recorder.pool)
            visit = None
            if rng.random() < 0.65:
                visit = len(batch.visits)
                row = {
                    "visited_on": day,
                    "org": recorder.org_id,
                    "recorded_by": recorder.user_id,
                    "visited_party": informant[0],
                    "place_type": _PLACE_TYPES[informant[2]],
                    "place": informant[1][:100],
                    "note": rng.choice(words.VISIT_NOTES),
                    "created_at": self.moment(rng, day),
                }
                team = self.teams.get(informant[0])
                # A separate draw: the rest of the demo stays as it was without unit visits.
                chance = random.Random(f"seed_demo:unit-visit:{first_index}:{visit}")
                if team is not None and chance.random() < _UNIT_VISIT_SHARE:
                    row.update(
                        visited_party=None,
                        visited_unit=team[0],
                        place_type=PlaceType.TEAM,
                        place=team[1][:100],
                    )
                batch.visits.append(row)
                batch.visitors.append((visit, recorder.person_id))
            for _ in range(min(rng.choices((1, 2, 3), (6, 3, 1))[0], size - len(batch.entries))):
                self.entry(rng, batch, recorder, day, informant, visit, last_suggestion)
        return batch

    def channel(self, rng, day: dt.date, visit) -> int:
        """A channel for an entry recorded on `day`: a running campaign for half the visits;
        never a campaign outside its dates. It draws one number from `rng` and the rest from a
        generator of its own, so that the other draws do not depend on the campaigns."""
        draw = rng.random()
        pick = random.Random(f"seed_demo:channel:{draw}")
        running = [pk for pk, (first, last) in self.campaigns.items() if first <= day <= last]
        if visit is not None and running and pick.random() < _CAMPAIGN_SHARE:
            return pick.choice(running)
        pool = self.visit_channels if visit is not None else self.channels
        pool = [pk for pk in pool if pk not in self.campaigns] or pool
        return pick.choice(pool)

    def entry(self, rng, batch: _Batch, recorder: _Recorder, day, informant, visit, duplicates):
        index = len(batch.entries)
        kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
        item_id, item_name, category = rng.choice(self.items)
        if kind == EntryKind.BASIC:
            title, said = rng.choice(words.BASIC_NEEDS)
        else:
            title, said = rng.choice(words.NEEDS.get(item_name, words.GENERIC_NEEDS))
        channel = self.channel(rng, day, visit)
        recorded_at = self.moment(rng, day)
        user = recorder.user_id
        entry = {
            "kind": kind,
            "level": recorder.level,
            "channel": channel,
            "item": item_id,
            "informant": informant[0],
            "title": title,
            "description": f"{informant[1]}反映：{said}",
            "org": recorder.org_id,
            "recorded_by": user,
            "owner": user,
            "recorded_on": day,
            "visit": visit,
            "created_at": recorded_at,
        }
        if visit is not None and batch.visits[visit].get("visited_unit"):
            entry["party_unit"] = batch.visits[visit]["visited_unit"]  # as visit_log does
        batch.entries.append(entry)
        batch.years[day.year] = batch.years.get(day.year, 0) + 1
        if kind == EntryKind.BASIC:
            entry.update(
                status=EntryStatus.CLOSED,
                closed_at=recorded_at,
                closed_reason=ClosedReason.NO_REPLY_NEEDED,
                updated_at=recorded_at,
            )
            self.event(batch, index, EventKind.RECORDED, user, recorded_at, after={"kind": kind})
            return
        colour = rng.choices(_COLOURS, _COLOUR_WEIGHTS)[0]
        due_on, provisional, target_on = self.deadline(rng, colour, day)
        entry.update(colour=colour, due_on=due_on, due_provisional=provisional, target_on=target_on)
        after = {"kind": kind, "colour": colour, "due_on": due_on.isoformat(), "owner": user}
        self.event(batch, index, EventKind.RECORDED, user, recorded_at, after=after)
        if kind == EntryKind.SUGGESTION:
            original = duplicates.get(item_id)
            if original is not None and rng.random() < 0.03:  # 一事一记: repeat rate under 3%
                entry["duplicate_of"] = original
                entry["title"] = batch.entries[original]["title"]
                at = self.moment(rng, day, recorded_at)
                self.event(batch, index, EventKind.LINKED_DUPLICATE, user, at)
            duplicates[item_id] = index
        Lifecycle(self, rng, batch, index, entry, category, recorded_at).run()

    def event(self, batch, index, kind, actor, at, note="", before=None, after=None) -> None:
        batch.events.append((index, kind, actor, at, note, before or {}, after or {}))
        batch.event_counts[index] = batch.event_counts.get(index, 0) + 1


# -- Writing a batch ------------------------------------------------------------------------

_ENTRY_FIELDS = [f.name for f in Entry._meta.concrete_fields]
_EVENT_FIELDS = ("entry", "kind", "actor", "at", "note", "before", "after")
_RATING_FIELDS = ("entry", "value", "comment", "channel", "recorded_by", "round", "rated_at")
_VISIT_FIELDS = [f.name for f in Visit._meta.concrete_fields]


def _defaults(model) -> dict:
    return {f.name: f.get_default() for f in model._meta.concrete_fields}


def _numbers(batch: _Batch) -> list[str]:
    """Reserve one block of numbers a year and hand them out in the order of recording."""
    numbers = [""] * len(batch.entries)
    for year in sorted(batch.years):
        indexes = sorted(
            (i for i, e in enumerate(batch.entries) if e["recorded_on"].year == year),
            key=lambda i: (batch.entries[i]["created_at"], i),
        )
        for i, number in zip(indexes, entry_numbers(year=year, count=len(indexes)), strict=True):
            numbers[i] = number
    return numbers


def _write(batch: _Batch) -> dict[str, int]:
    """Insert one batch (inside its transaction): visits, entries, events, ratings."""
    numbers = _numbers(batch)
    visit_ids = reserve_ids(Visit, len(batch.visits))
    entry_ids = reserve_ids(Entry, len(batch.entries))

    defaults = _defaults(Visit)
    visit_rows = []
    for pk, visit in zip(visit_ids, batch.visits, strict=True):
        values = {**defaults, **visit, "id": pk}
        visit_rows.append(tuple(values[name] for name in _VISIT_FIELDS))
    bulk_insert(Visit, _VISIT_FIELDS, visit_rows)
    bulk_insert(
        Visit.visitors.through,
        ("visit", "person"),
        [(visit_ids[visit], person) for visit, person in batch.visitors],
    )

    defaults = _defaults(Entry)
    entry_rows = []
    for i, entry in enumerate(batch.entries):
        values = {**defaults, **entry, "id": entry_ids[i], "number": numbers[i]}
        if entry["visit"] is not None:
            values["visit"] = visit_ids[entry["visit"]]
        if values["duplicate_of"] is not None:
            values["duplicate_of"] = entry_ids[values["duplicate_of"]]
        entry_rows.append(tuple(values[name] for name in _ENTRY_FIELDS))
    bulk_insert(Entry, _ENTRY_FIELDS, entry_rows)

    events = [(entry_ids[e[0]], *e[1:]) for e in batch.events]
    bulk_insert(EntryEvent, _EVENT_FIELDS, events)
    ratings = [(entry_ids[r[0]], *r[1:]) for r in batch.ratings]
    bulk_insert(Rating, _RATING_FIELDS, ratings)
    bulk_insert(
        CoHandler,
        ("entry", "department", "added_by", "added_at"),
        [(entry_ids[c[0]], *c[1:]) for c in batch.cohandlers],
    )
    _insert_links(batch, entry_ids)
    return {"visits": len(visit_rows), "events": len(events), "ratings": len(ratings)}


def _insert_links(batch: _Batch, entry_ids: list[int]) -> None:
    """The informant's rating link of each entry whose current round was referred or replied,
    as the workflow makes it with the referral or the reply (feedback's transition hook)."""
    links = []
    for i, entry in enumerate(batch.entries):
        status = entry.get("status")
        referred = entry.get("department") is not None and status in _REFERRED_STATUSES
        if not (referred or status == EntryStatus.REPLIED):
            continue
        link = RatingLink(
            entry_id=entry_ids[i],
            round=entry.get("reopen_count", 0),
            nonce=secrets.token_urlsafe(RATING_LINK_TOKEN_BYTES),
            created_by_id=entry["owner"],
        )
        link.token_hash = RatingLink.hash_of(link.token_with(settings.SECRET_KEY))
        links.append(link)
    RatingLink.objects.bulk_create(links, batch_size=1000)
