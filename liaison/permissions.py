"""Who may see and do what (DESIGN.md §3): the role sets, the predicates and the `get_*_for`
of the liaison app, which answer 404 for both a missing and a forbidden object.

Who may take which action on an entry is the transition table's (liaison.transitions: it names
the capacities, owner, handler, maintainer).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liaison.constants import (
    COMPANY_WIDE_ROLES,
    NO_LEDGER_ROLES,
    SCOPED_ROLES,
    EntryScope,
    OrgKind,
    Role,
    UnitKind,
)
from liaison.deadlines import awaiting_reply
from liaison.models import (
    Attachment,
    CoHandler,
    Entry,
    ExportJob,
    ImportJob,
    MonthlyReview,
    Notification,
    OrgNode,
    Pairing,
    Person,
    ReplyTemplate,
    ServiceItem,
    Supervision,
    Unit,
    User,
    Visit,
    in_subtree,
    pairings_in_subtree_q,
)

# -- Role sets: each named once -----------------------------------------------------------------

# Roles that maintain the org tree, people and pairings (and so may import them).
MAINTAINER_ROLES = COMPANY_WIDE_ROLES
# Who records visits and entries (and so owns entries, R3): every scoped role and the
# company-wide ones; a department handler receives referrals but keeps no ledger of their own.
RECORDER_ROLES = SCOPED_ROLES | COMPANY_WIDE_ROLES
# Who has which entry list: a branch secretary keeps the branch ledger; a handler works the
# department inbox; those who supervise a subtree or the whole company read all the entries in
# it (which holds what they own); every other recorder has "my entries".
ENTRY_LIST_ROLES: dict[EntryScope, frozenset[str]] = {
    EntryScope.BRANCH: frozenset({Role.BRANCH_SECRETARY}),
    EntryScope.MINE: RECORDER_ROLES - COMPANY_WIDE_ROLES - {Role.COMMITTEE_STAFF},
    EntryScope.DEPARTMENT: frozenset({Role.DEPARTMENT_HANDLER}),
    EntryScope.ALL: COMPANY_WIDE_ROLES | {Role.COMMITTEE_STAFF, Role.LEADERSHIP_CADRE},
}
# Who reads the monthly review sheets (R9): the branch's secretary, committee staff for their
# subtree, and the company-wide roles for every branch.
REVIEW_READER_ROLES = COMPANY_WIDE_ROLES | {Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF}
# Who prepares a missing sheet from the browser (R9): the branch's secretary for their own
# branch, and the company-wide roles for any branch (committee staff read sheets, not prepare).
REVIEW_PREPARER_ROLES = COMPANY_WIDE_ROLES | {Role.BRANCH_SECRETARY}
# Who issues supervision notices (督办, R6): the party-building department (and administrators).
SUPERVISOR_ROLES = COMPANY_WIDE_ROLES
# Who reads the supervision board, each for their own subtree (a leadership cadre read-only:
# notices are the supervisors').
SUPERVISION_BOARD_ROLES = COMPANY_WIDE_ROLES | {
    Role.COMMITTEE_STAFF,
    Role.BRANCH_SECRETARY,
    Role.LEADERSHIP_CADRE,
}
# Who writes the reply templates of the knowledge base (知识库): the party-building department
# (and administrators, who keep the master data); who reads them: everyone who replies to an
# informant or records a department's plan, which is every role.
KNOWLEDGE_EDITOR_ROLES = MAINTAINER_ROLES
KNOWLEDGE_READER_ROLES = RECORDER_ROLES | {Role.DEPARTMENT_HANDLER}


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def sees_whole_company(user: User) -> bool:
    return user.is_superuser or user.role in COMPANY_WIDE_ROLES


def can_maintain_master_data(user: User) -> bool:
    """Return whether the user maintains org tree, people and pairings (and may import them)."""
    return user.is_superuser or user.role in MAINTAINER_ROLES


# -- The separated administrators (三员分立, DESIGN.md §1) --------------------------------------


def can_manage_accounts(user: User) -> bool:
    """Return whether the user creates accounts, edits their names and disables them (the
    system administrator; a role, a scope or a lock is the security administrator's)."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def can_manage_security(user: User) -> bool:
    """Return whether the user changes accounts' roles and scopes and unlocks locked accounts
    (the security administrator alone, and the installation's superuser)."""
    return _active(user) and (user.is_superuser or user.role == Role.SECURITY_ADMIN)


def reads_audit_log(user: User) -> bool:
    """Return whether the user reads the audit log: the audit administrator alone (not even
    the superuser, who is for installation only and is itself audited)."""
    return _active(user) and user.role == Role.AUDIT_ADMIN


def can_supervise(user: User) -> bool:
    """Return whether the user issues supervision notices (督办, R6)."""
    return _active(user) and (user.is_superuser or user.role in SUPERVISOR_ROLES)


def can_issue_supervision(*, entry: Entry, user: User, open_notice: Supervision | None) -> bool:
    """Return whether `user` may issue a notice on `entry` now (what supervision_issue
    enforces): a supervisor, an entry awaiting its reply, no notice waiting for an answer."""
    return can_supervise(user) and awaiting_reply(entry.status) and open_notice is None


def can_answer_supervision(*, entry: Entry, user: User, open_notice: Supervision | None) -> bool:
    """Return whether `user` may answer the open notice: the entry's owner."""
    return open_notice is not None and user.pk == entry.owner_id and user.is_active


def get_open_supervision_for(user: User, entry_pk: int, pk: int) -> Supervision:
    """Return an unanswered notice on an entry the user may see; 404 otherwise."""
    entry = get_entry_for(user, entry_pk)
    supervision = (
        Supervision.objects.select_related("entry", "issued_by").filter(pk=pk, entry=entry).first()
    )
    if supervision is None:
        raise Http404
    return supervision


def reads_supervision_board(user: User) -> bool:
    """Return whether the user has the supervision board (for their own subtree)."""
    return scope_path(user) is not None and (
        user.is_superuser or user.role in SUPERVISION_BOARD_ROLES
    )


def reads_ledger(user: User) -> bool:
    """Whether the user reads the ledger at all: everyone but the security and audit
    administrators (三员分立, DESIGN.md §3), who have their own work only."""
    return user.role not in NO_LEDGER_ROLES


def scope_path(user: User) -> str | None:
    """Return the path prefix of the user's subtree: "" for the whole company, None for none
    (the security and audit administrators read no ledger, whatever their account says)."""
    if not user.is_authenticated or not user.is_active or not reads_ledger(user):
        return None
    if sees_whole_company(user):
        return ""
    scope = user.scope_org  # no query when the user has no scope
    return None if scope is None else scope.path


def visible_orgs(user: User) -> QuerySet[OrgNode]:
    path = scope_path(user)
    if path is None:
        return OrgNode.objects.none()
    return OrgNode.objects.filter(path__startswith=path)


def _paired_person_ids(user: User):
    """Ids of the people and parties the user is paired with today (a subquery)."""
    return (
        Pairing.objects.active_on(timezone.localdate())
        .filter(person_id=user.person_id, target_person__isnull=False)
        .values_list("target_person_id", flat=True)
    )


def _paired_unit_ids(user: User):
    """Ids of the units the user is paired with today, e.g. a leader's contact points (a
    subquery)."""
    return (
        Pairing.objects.active_on(timezone.localdate())
        .filter(person_id=user.person_id, target_unit__isnull=False)
        .values_list("target_unit_id", flat=True)
    )


def visible_people(user: User) -> QuerySet[Person]:
    """People in the user's subtree, the user's own file, the people and parties the user is
    paired with today, and, for a handler, the staff of their department."""
    path = scope_path(user)
    if path == "":
        return Person.objects.all()
    condition = Q(pk__in=[]) if path is None else Q(org__path__startswith=path)
    if user.is_authenticated and user.person_id:
        condition |= Q(pk=user.person_id) | Q(pk__in=_paired_person_ids(user))
    if user.is_authenticated and user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        condition |= Q(unit_id=user.department_id)
    return Person.objects.filter(condition)


def visible_units(user: User) -> QuerySet[Unit]:
    """Business units whose covering branch lies in the user's subtree, the units the user is
    paired with today, and every professional department (they serve the whole company: the
    referral form lists them all). A user without a scope or a pairing sees the departments."""
    path = scope_path(user)
    if path == "":
        return Unit.objects.all()
    if path is None and not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    condition = Q(kind=UnitKind.DEPARTMENT)
    if path is not None:
        condition |= Q(branch__path__startswith=path)
    if user.person_id:
        condition |= Q(pk__in=_paired_unit_ids(user))
    return Unit.objects.filter(condition)


def get_unit_for(user: User, pk: int) -> Unit:
    unit = visible_units(user).select_related("branch", "parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def visible_pairings(user: User) -> QuerySet[Pairing]:
    """Pairings with either side in the user's subtree, and the user's own."""
    path = scope_path(user)
    if path == "":
        return Pairing.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= pairings_in_subtree_q(path)
    if user.is_authenticated and user.person_id:
        condition |= Q(person_id=user.person_id) | Q(target_person_id=user.person_id)
    return Pairing.objects.filter(condition)


@dataclass(frozen=True)
class Visibility:
    """The same rules as visible_people and visible_orgs, answered in Python for objects already
    loaded (with their org), so that a page links only what the user may open."""

    path: str | None
    person_id: int | None
    paired_ids: frozenset[int]
    department_id: int | None
    paired_unit_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user: User) -> Visibility:
        person_id = user.person_id if user.is_authenticated else None
        handler = user.is_authenticated and user.role == Role.DEPARTMENT_HANDLER
        path = scope_path(user)
        people: set[int] = set()
        units: set[int] = set()
        # One query for both sides of the user's pairings; none for the whole company's
        # readers, who see every person and unit by their path already.
        if person_id and path != "":
            paired = (
                Pairing.objects.active_on(timezone.localdate())
                .filter(person_id=person_id)
                .filter(Q(target_person__isnull=False) | Q(target_unit__isnull=False))
                .values_list("target_person_id", "target_unit_id")
            )
            for target_person, target_unit in paired:
                if target_person:
                    people.add(target_person)
                else:
                    units.add(target_unit)
        return cls(
            path=path,
            person_id=person_id,
            paired_ids=frozenset(people),
            department_id=user.department_id if handler else None,
            paired_unit_ids=frozenset(units),
        )

    def org(self, node: OrgNode) -> bool:
        return self.path is not None and node.path.startswith(self.path)

    def person(self, person: Person) -> bool:
        return (
            (self.path is not None and person.org.path.startswith(self.path))
            or person.pk == self.person_id
            or person.pk in self.paired_ids
            or (self.department_id is not None and person.unit_id == self.department_id)
        )

    def unit(self, unit: Unit) -> bool:
        """As visible_units (the unit loaded with its branch)."""
        if self.path == "" or unit.kind == UnitKind.DEPARTMENT:
            return True
        return (
            self.path is not None and unit.branch.path.startswith(self.path)
        ) or unit.pk in self.paired_unit_ids

    def can_open(self, obj) -> bool:
        """Return whether obj has a page the user may open."""
        if isinstance(obj, Person):
            return self.person(obj)
        if isinstance(obj, OrgNode):
            return self.org(obj)
        if isinstance(obj, Unit):
            return self.unit(obj)
        return False


def get_org_for(user: User, pk: int) -> OrgNode:
    node = visible_orgs(user).filter(pk=pk).first()
    if node is None:
        raise Http404
    return node


def get_person_for(user: User, pk: int) -> Person:
    person = (
        visible_people(user).select_related("org", "unit", "unit__branch").filter(pk=pk).first()
    )
    if person is None:
        raise Http404
    return person


def get_import_job_for(user: User, pk: int) -> ImportJob:
    """Return the import job (without its workbook) if the user maintains master data, else 404."""
    job = None
    if user.is_authenticated and can_maintain_master_data(user):
        job = ImportJob.objects.defer("content").select_related("uploaded_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def get_export_job_for(user: User, pk: int) -> ExportJob:
    """Return the background export if the user asked for it, else 404 (nobody else sees it,
    not even a superior: the file holds the requester's own view of the ledger)."""
    job = None
    if user.is_authenticated:
        job = ExportJob.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job


def visible_entries(user: User) -> QuerySet[Entry]:
    """Entries whose ledger lies in the user's subtree, the entries the user owns or recorded,
    and, for a handler, the entries referred to their department or that it co-handles
    (DESIGN.md §3, R18)."""
    path = scope_path(user)
    if path == "":
        return Entry.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= in_subtree("org_id", path)
    if user.is_authenticated:
        condition |= Q(owner_id=user.pk) | Q(recorded_by_id=user.pk)
        if user.role == Role.DEPARTMENT_HANDLER and user.department_id:
            condition |= Q(department_id=user.department_id) | Q(
                pk__in=cohandled_entries(user.department_id)
            )
    return Entry.objects.filter(condition)


def cohandled_entries(department_id: int):
    """The ids of the entries a department co-handles (R18), as a subquery."""
    return CoHandler.objects.filter(department_id=department_id).values("entry_id")


def get_entry_for(user: User, pk: int) -> Entry:
    """The entry `pk` if the user may see it, with what its page shows; else 404.

    One query joining six tables, then each other relation the page names read by its key, with
    what it names in turn joined (none for a relation that is empty), and no ORDER BY: at a
    million entries PostgreSQL spent 10–22 ms planning the sixteen-way join the page used to
    ask for — with the ordering `.first()` adds — against under 1 ms executing it; its planning
    time grows steeply with each table joined (join_collapse_limit). `prefetch_related` did
    the same reads at 0.2–0.4 ms more each, an empty relation included."""
    try:
        entry = (
            visible_entries(user)
            .select_related("org", "owner", "recorded_by", "department", "channel")
            .get(pk=pk)
        )
    except Entry.DoesNotExist:
        raise Http404 from None
    people = Person.objects.select_related("org")
    for name, related in (
        ("item", ServiceItem.objects.select_related("category")),
        ("informant", people),
        ("duplicate_of", Entry.objects.all()),
        ("party", people),
        ("party_unit", Unit.objects.select_related("branch")),
    ):
        key = getattr(entry, f"{name}_id")
        setattr(entry, name, None if key is None else related.get(pk=key))
    return entry


# -- Related entries and duplicates (相关事项, 一事一记, R11) -------------------------------------

# Who links entries beyond their owner: those who supervise the ledger that holds the entry.
LINKER_ROLES = COMPANY_WIDE_ROLES | {Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF}


def can_link_entry(*, entry: Entry, user: User) -> bool:
    """Return whether `user` may link `entry` to related entries and mark it as a duplicate
    (or undo either): its owner; the secretary or committee staff whose subtree holds its
    ledger; the party-building department; the handler of the department it is referred to.
    The other entry must be one the user may see (get_entry_for)."""
    if not _active(user):
        return False
    if user.pk == entry.owner_id or sees_whole_company(user):
        return True
    if user.role == Role.DEPARTMENT_HANDLER:
        return bool(user.department_id) and user.department_id == entry.department_id
    path = scope_path(user)
    return user.role in LINKER_ROLES and path is not None and entry.org.path.startswith(path)


def get_entry_by_number_for(user: User, number: str) -> Entry:
    """Return the entry numbered `number` if the user may see it; 404 otherwise (the same for
    a number that does not exist)."""
    entry = (
        visible_entries(user).select_related("org").filter(number=number.strip().upper()).first()
    )
    if entry is None:
        raise Http404
    return entry


# -- Visits (R14) -------------------------------------------------------------------------------


def can_log_visit(user: User) -> bool:
    """Return whether the user records visits and entries (every role but a handler's)."""
    if not _active(user) or not (user.is_superuser or user.role in RECORDER_ROLES):
        return False
    return scope_path(user) is not None


def visible_visits(user: User) -> QuerySet[Visit]:
    """Visits logged into a ledger of the user's subtree, and the visits the user logged."""
    path = scope_path(user)
    if path == "":
        return Visit.objects.all()
    condition = Q(pk__in=[])
    if path is not None:
        condition |= Q(org__path__startswith=path)
    if user.is_authenticated:
        condition |= Q(recorded_by_id=user.pk)
    return Visit.objects.filter(condition)


def get_visit_for(user: User, pk: int) -> Visit:
    visit = (
        visible_visits(user)
        .select_related("org", "recorded_by", "visited_party__org", "visited_unit__branch")
        .filter(pk=pk)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


# -- Attachments (R23) --------------------------------------------------------------------------


def visible_attachments(user: User) -> QuerySet[Attachment]:
    """The files of the entries and visits the user may see, and the files of a visit at which
    an entry the user may see was heard (the photo of the need travels with the entry: its
    department sees it). Withdrawn files included: they are evidence, shown as withdrawn."""
    if scope_path(user) == "":
        return Attachment.objects.all()
    heard = visible_entries(user).filter(visit__isnull=False).values("visit_id")
    return Attachment.objects.filter(
        Q(entry__in=visible_entries(user).values("pk"))
        | Q(visit__in=visible_visits(user).values("pk"))
        | Q(visit__in=heard)
    )


def get_attachment_for(user: User, pk: int) -> Attachment:
    """Return the attachment if the user may see it; 404 for both a missing and a forbidden
    one."""
    attachment = (
        visible_attachments(user)
        .select_related("entry__org", "visit__org", "uploaded_by", "withdrawn_by")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# -- Entry lists --------------------------------------------------------------------------------


def has_entry_list(user: User, scope: str) -> bool:
    """Return whether the user has the list `scope` (the views answer 404 when not)."""
    if not _active(user):
        return False
    if scope == EntryScope.ALL and user.is_superuser:
        return True
    if user.role not in ENTRY_LIST_ROLES[EntryScope(scope)]:
        return False
    if scope == EntryScope.BRANCH:
        return user.scope_org_id is not None
    if scope == EntryScope.DEPARTMENT:
        return user.department_id is not None
    return True


def entry_lists_for(user: User) -> list[EntryScope]:
    """Return the lists the user has, in menu order."""
    return [scope for scope in EntryScope if has_entry_list(user, scope)]


# -- Monthly review (R9) ------------------------------------------------------------------------


def reads_reviews(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.role in REVIEW_READER_ROLES)


def can_sign_review(user: User, review: MonthlyReview) -> bool:
    """The branch's own secretary, or a maintainer (party-building department, administrator)."""
    if not _active(user):
        return False
    if can_maintain_master_data(user):
        return True
    return user.role == Role.BRANCH_SECRETARY and user.scope_org_id == review.org_id


def visible_reviews(user: User) -> QuerySet[MonthlyReview]:
    path = scope_path(user) if reads_reviews(user) else None
    if path is None:
        return MonthlyReview.objects.none()
    return MonthlyReview.objects.filter(org__path__startswith=path)


def preparable_review_branches(user: User) -> QuerySet[OrgNode]:
    """Return the active branches whose monthly review the user may prepare by hand: a branch
    secretary's own branch; every branch in scope for the company-wide roles."""
    if not _active(user) or not (user.is_superuser or user.role in REVIEW_PREPARER_ROLES):
        return OrgNode.objects.none()
    branches = OrgNode.objects.filter(kind=OrgKind.BRANCH, is_active=True)
    if sees_whole_company(user):
        return branches
    if user.role == Role.BRANCH_SECRETARY and user.scope_org_id is not None:
        return branches.filter(pk=user.scope_org_id)
    return OrgNode.objects.none()


def can_prepare_review(user: User, branch: OrgNode) -> bool:
    """Return whether the user may prepare `branch`'s monthly review (one query)."""
    return preparable_review_branches(user).filter(pk=branch.pk).exists()


def get_review_branch_for(user: User, pk: int | None) -> OrgNode:
    """Return the branch whose review the user may prepare; 404 for a missing branch, one
    outside the user's reach, or no branch named at all."""
    branch = None if pk is None else preparable_review_branches(user).filter(pk=pk).first()
    if branch is None:
        raise Http404
    return branch


def get_review_for(user: User, pk: int) -> MonthlyReview:
    """Return the sheet if the user may read it; 404 for both a missing and a forbidden one."""
    review = visible_reviews(user).select_related("org", "signed_by").filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


# -- Notifications ------------------------------------------------------------------------------


def get_notification_for(user: User, pk: int) -> Notification:
    """Return the user's own notification; anyone else's answers 404 like a missing one."""
    notification = Notification.objects.filter(pk=pk, recipient_id=user.pk).first()
    if notification is None:
        raise Http404
    return notification


# -- The knowledge base's reply templates -------------------------------------------------------


def reads_knowledge(user: User) -> bool:
    """Return whether the user reads the knowledge base (the views answer 404 when not)."""
    return _active(user) and (user.is_superuser or user.role in KNOWLEDGE_READER_ROLES)


def can_edit_knowledge(user: User) -> bool:
    """Return whether the user writes, retires and restores reply templates."""
    return _active(user) and (user.is_superuser or user.role in KNOWLEDGE_EDITOR_ROLES)


def visible_reply_templates(user: User) -> QuerySet[ReplyTemplate]:
    """Every template for its editors; the active ones for the other readers; none else.
    Templates are company-wide: they have no scope in the org tree."""
    if can_edit_knowledge(user):
        return ReplyTemplate.objects.all()
    if reads_knowledge(user):
        return ReplyTemplate.objects.filter(is_active=True)
    return ReplyTemplate.objects.none()


def get_reply_template_for(user: User, pk: int) -> ReplyTemplate:
    """Return the template if the user may read it; 404 for a missing one, a retired one (to
    anyone but its editors) and for a user who does not read the knowledge base."""
    template = (
        visible_reply_templates(user)
        .select_related("item__category", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if template is None:
        raise Http404
    return template
