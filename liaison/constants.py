"""Domain constants of the org tree, people, roles and pairings: the one home of each.

A view or template never spells one of these values; it asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class OrgKind(models.TextChoices):
    """Levels of the Party organisation tree, top to bottom."""

    COMPANY = "company", _("Company party committee")
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Party group")


# Which kinds of node may hang under which (R: company → committees → general branches →
# branches → groups). A branch may sit directly under a committee or under a general branch.
ORG_CHILD_KINDS: dict[str, frozenset[str]] = {
    OrgKind.COMPANY: frozenset({OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}),
    OrgKind.COMMITTEE: frozenset({OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.BRANCH}),
    OrgKind.BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.GROUP: frozenset(),
}


class BranchType(models.TextChoices):
    """Office (机关) or grassroots (基层) branch; decides the level of what its people record."""

    OFFICE = "office", _("Office branch")
    GRASSROOTS = "grassroots", _("Grassroots branch")


class UnitKind(models.TextChoices):
    """Business units: professional departments handle referrals; the rest are frontline."""

    DEPARTMENT = "department", _("Professional department")
    TEAM = "team", _("Team")
    STATION = "station", _("Team station")
    SUPPLY_OFFICE = "supply_office", _("Power supply office")
    SUBSTATION = "substation", _("Substation")


FRONTLINE_UNIT_KINDS = frozenset(
    {UnitKind.TEAM, UnitKind.STATION, UnitKind.SUPPLY_OFFICE, UnitKind.SUBSTATION}
)


class PersonKind(models.TextChoices):
    """Whom a file (一人一档) is about: an employee or an external party."""

    EMPLOYEE = "employee", _("Employee")
    ENTERPRISE = "enterprise", _("Enterprise")
    VILLAGE = "village", _("Village or community")
    TOWN = "town", _("Town or street")
    HOSPITAL = "hospital", _("Hospital")
    INDIVIDUAL = "individual", _("Individual customer")
    OTHER_ORG = "other_org", _("Other organisation")


EXTERNAL_PERSON_KINDS = frozenset(set(PersonKind.values) - {PersonKind.EMPLOYEE})


class Role(models.TextChoices):
    """What a user account does in the system (DESIGN.md §1)."""

    PARTY_BUILDING = "party_building", _("Party-building department")
    COMMITTEE_STAFF = "committee_staff", _("Committee staff")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    LEADERSHIP_CADRE = "leadership_cadre", _("Leadership cadre")
    OFFICE_CADRE = "office_cadre", _("Office cadre")
    GRASSROOTS_CADRE = "grassroots_cadre", _("Grassroots cadre")
    PARTY_MEMBER = "party_member", _("Party member")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    ADMINISTRATOR = "administrator", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


# The three separated administrators (三员分立, DESIGN.md §1): the system administrator keeps
# accounts, the org tree and master data; the security administrator roles, scopes and locks;
# the audit administrator reads the audit log. One role per account, so no one holds two.
ADMINISTRATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The administrators who read no ledger (DESIGN.md §3): no scope, no entries, no people.
NO_LEDGER_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Roles that see the whole company; every other role sees its scope (DESIGN.md §3).
COMPANY_WIDE_ROLES = frozenset({Role.PARTY_BUILDING, Role.ADMINISTRATOR})
# Roles whose account must name a scope in the org tree.
SCOPED_ROLES = frozenset(
    {
        Role.COMMITTEE_STAFF,
        Role.BRANCH_SECRETARY,
        Role.LEADERSHIP_CADRE,
        Role.OFFICE_CADRE,
        Role.GRASSROOTS_CADRE,
        Role.PARTY_MEMBER,
    }
)


class EntryScope(StrEnum):
    """The entry lists (who has which: liaison.permissions.ENTRY_LIST_ROLES)."""

    BRANCH = "branch"  # 支部台账: the secretary's branch and its groups
    MINE = "mine"  # the entries the user owns
    DEPARTMENT = "department"  # 部门待办: the entries referred to the handler's department
    ALL = "all"  # everything the user may see: committee, leadership, party-building


class PairingKind(models.TextChoices):
    """The six kinds of liaison pairing (R13, 三联三百三互助 and 联建)."""

    LEADER_CONTACT = "leader_contact", _("Leadership contact point")
    CADRE_TEAM = "cadre_team", _("Grassroots cadre ↔ team or station")
    OFFICE_CADRE_FRONTLINE = "office_cadre_frontline", _("Office cadre ↔ frontline employee")
    SECRETARY_SPECIAL_NEEDS = (
        "secretary_special_needs",
        _("Branch secretary ↔ special-needs employee"),
    )
    MEMBER_SERVED = "member_served", _("Party member ↔ employee or customer served")
    BRANCH_JOINT = "branch_joint", _("Office branch ↔ grassroots branch")


class PairingShape(models.TextChoices):
    """Which column holds each side of a pairing."""

    PERSON = "person", _("Person")
    UNIT = "unit", _("Unit")
    ORG = "org", _("Branch")


# (subject side, target side) of each kind. The model's check constraint, the form, the import
# and the statistics all read this one table.
PAIRING_SHAPES: dict[str, tuple[PairingShape, PairingShape]] = {
    PairingKind.LEADER_CONTACT: (PairingShape.PERSON, PairingShape.UNIT),
    PairingKind.CADRE_TEAM: (PairingShape.PERSON, PairingShape.UNIT),
    PairingKind.OFFICE_CADRE_FRONTLINE: (PairingShape.PERSON, PairingShape.PERSON),
    PairingKind.SECRETARY_SPECIAL_NEEDS: (PairingShape.PERSON, PairingShape.PERSON),
    PairingKind.MEMBER_SERVED: (PairingShape.PERSON, PairingShape.PERSON),
    PairingKind.BRANCH_JOINT: (PairingShape.ORG, PairingShape.ORG),
}


@dataclass(frozen=True)
class PairingRule:
    """What a kind of pairing asks of its sides beyond their shape (R13).

    Whatever the kind, a liaison person is an employee and the two sides differ.
    """

    subject_flag: str = ""  # a Person flag the liaison person must carry
    target_flag: str = ""  # the paired person must be an employee carrying this Person flag
    target_unit_kinds: frozenset[str] = frozenset()  # the paired unit's kind; empty: any unit
    subject_branch_type: str = ""  # the liaison side is a party branch of this type
    target_branch_type: str = ""  # the paired side is a party branch of this type


# The pairing service and the import both check every new pairing against this one table.
PAIRING_RULES: dict[str, PairingRule] = {
    PairingKind.LEADER_CONTACT: PairingRule(),
    PairingKind.CADRE_TEAM: PairingRule(target_unit_kinds=FRONTLINE_UNIT_KINDS),
    PairingKind.OFFICE_CADRE_FRONTLINE: PairingRule(target_flag="is_frontline"),
    PairingKind.SECRETARY_SPECIAL_NEEDS: PairingRule(target_flag="is_special_needs"),
    # The people a member serves are employees or customers (any external party).
    PairingKind.MEMBER_SERVED: PairingRule(subject_flag="is_party_member"),
    PairingKind.BRANCH_JOINT: PairingRule(
        subject_branch_type=BranchType.OFFICE, target_branch_type=BranchType.GRASSROOTS
    ),
}

# The Jilin article counts pairings as "216 cadres linked 307 teams": one sentence a kind,
# with the distinct subjects and the distinct targets. Counted nouns for each side:
PAIRING_COUNT_NOUNS: dict[str, tuple[StrPromise, StrPromise]] = {
    PairingKind.LEADER_CONTACT: (_("leadership cadres"), _("contact units")),
    PairingKind.CADRE_TEAM: (_("grassroots cadres"), _("teams and stations")),
    PairingKind.OFFICE_CADRE_FRONTLINE: (_("office cadres"), _("frontline employees")),
    PairingKind.SECRETARY_SPECIAL_NEEDS: (_("branch secretaries"), _("special-needs employees")),
    PairingKind.MEMBER_SERVED: (_("party members"), _("employees and customers")),
    PairingKind.BRANCH_JOINT: (_("office branches"), _("grassroots branches")),
}


# ---------------------------------------------------------------------------------------------
# Excel import: the Chinese labels the workbook's type columns accept (导入模板的中文类型标签).
#
# The workbook is a fixed Chinese format, whatever the interface language, so these labels are
# literal, not translations: one per value of the enum beside which they are named. The import
# reads them, the template's 说明 sheet lists them, and a test checks that every value has one.
# ---------------------------------------------------------------------------------------------

ORG_KIND_IMPORT_LABELS: dict[str, str] = {
    OrgKind.COMPANY: "公司",
    OrgKind.COMMITTEE: "党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.GROUP: "党小组",
}
BRANCH_TYPE_IMPORT_LABELS: dict[str, str] = {
    BranchType.OFFICE: "机关",
    BranchType.GRASSROOTS: "基层",
}
UNIT_KIND_IMPORT_LABELS: dict[str, str] = {
    UnitKind.DEPARTMENT: "专业管理部门",
    UnitKind.TEAM: "班组",
    UnitKind.STATION: "班站",
    UnitKind.SUPPLY_OFFICE: "供电所",
    UnitKind.SUBSTATION: "变电站",
}
PERSON_KIND_IMPORT_LABELS: dict[str, str] = {
    PersonKind.EMPLOYEE: "职工",
    PersonKind.ENTERPRISE: "企业",
    PersonKind.VILLAGE: "村或社区",
    PersonKind.TOWN: "镇街",
    PersonKind.HOSPITAL: "医院",
    PersonKind.INDIVIDUAL: "个人客户",
    PersonKind.OTHER_ORG: "其他组织",
}
PAIRING_KIND_IMPORT_LABELS: dict[str, str] = {
    PairingKind.LEADER_CONTACT: "领导干部联系点",
    PairingKind.CADRE_TEAM: "基层干部联系班站",
    PairingKind.OFFICE_CADRE_FRONTLINE: "机关干部业务包保一线员工",
    PairingKind.SECRETARY_SPECIAL_NEEDS: "支部书记联系特需员工",
    PairingKind.MEMBER_SERVED: "党员服务职工或客户",
    PairingKind.BRANCH_JOINT: "机关支部与基层支部联建",
}


# ---------------------------------------------------------------------------------------------
# The ledger (R1–R6, R14, R15): colours, kinds, levels, states, places, channels.
# ---------------------------------------------------------------------------------------------


class Colour(models.TextChoices):
    """Urgency of an entry (R1): red 5 working days, orange 20, yellow more than 20."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")


# Working days from the first working day after recording to the reply (R1).
COLOUR_WORKING_DAYS: dict[str, int] = {Colour.RED: 5, Colour.ORANGE: 20}
# A yellow entry's target date lies at least this many working days out (R1).
YELLOW_MIN_WORKING_DAYS = 21
# No rating within this many working days of the reply closes the entry as "not rated" (R4).
NOT_RATED_CLOSE_WORKING_DAYS = 10


class EntryKind(models.TextChoices):
    """R2: basic information needs no reply; suggestions and problems do."""

    BASIC = "basic", _("Basic information")
    SUGGESTION = "suggestion", _("Suggestion")
    PROBLEM = "problem", _("Problem or difficulty")


REPLY_REQUIRED_KINDS = frozenset({EntryKind.SUGGESTION, EntryKind.PROBLEM})


class Level(models.TextChoices):
    """The four levels (四个层面, R7): the capacity in which an entry was recorded."""

    LEADERSHIP = "leadership", _("Leadership cadres")
    OFFICE_BRANCH = "office_branch", _("Office branches")
    GRASSROOTS_BRANCH = "grassroots_branch", _("Grassroots branches")
    PARTY_MEMBER = "party_member", _("Party members")


class EntryStatus(models.TextChoices):
    """Where an entry stands in its lifecycle (R4)."""

    RECORDED = "recorded", _("Recorded")
    IN_PROGRESS = "in_progress", _("In progress")
    REFERRED = "referred", _("Referred to a department")
    PLANNED = "planned", _("Solution plan recorded")
    RESOLVED = "resolved", _("Resolved")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    VOID = "void", _("Void")


# States in which an entry still waits for its reply: the overdue sweep and the deadline look
# only at these.
AWAITING_REPLY_STATUSES = frozenset(
    {
        EntryStatus.RECORDED,
        EntryStatus.IN_PROGRESS,
        EntryStatus.REFERRED,
        EntryStatus.PLANNED,
        EntryStatus.RESOLVED,
    }
)
OPEN_STATUSES = AWAITING_REPLY_STATUSES | {EntryStatus.REPLIED}


class RequestKind(models.TextChoices):
    """What an owner asks an approver for (R19, R20); one request at a time per entry."""

    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")


class SuspendReason(models.TextChoices):
    """Why a matter waits on something outside the owner's hands (挂起, R20)."""

    AWAITING_BUDGET = "awaiting_budget", _("Awaiting budget")
    SEASONAL_WINDOW = "seasonal_window", _("Seasonal or outage window")
    INFORMANT_UNREACHABLE = "unreachable", _("Informant unreachable")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


# How many extensions an entry may have per round (R19); settings.EXTENSION_MAX overrides it.
EXTENSION_MAX = 1
# The levels (R7) whose extensions the branch secretary decides; the party-building department
# decides the others (leadership and office branches), and any it is asked to.
SECRETARY_DECIDES_LEVELS = frozenset({Level.PARTY_MEMBER, Level.GRASSROOTS_BRANCH})


class ReturnReason(models.TextChoices):
    """Why a department returns a referral (退单, R17): a fixed list, "other" with a text."""

    NOT_OUR_REMIT = "not_our_remit", _("Not our remit")
    NOT_ENOUGH_INFORMATION = "not_enough_information", _("Not enough information")
    DUPLICATE = "duplicate", _("Duplicate referral")
    OTHER = "other", _("Other")


# A referral returned this many times is no longer re-routed by its owner: the party-building
# department decides which department must take it (审定, R17).
REFERRAL_RETURN_LIMIT = 2


class ClosedReason(models.TextChoices):
    RATED = "rated", _("Rated")
    NOT_RATED = "not_rated", _("Not rated")
    NO_REPLY_NEEDED = "no_reply_needed", _("Basic information, no reply needed")


class ReplyMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    LINK = "link", _("Link")


class TemplateUse(models.TextChoices):
    """What a reply template (答复模板, the knowledge base) is written for: the reply to the
    informant, the department's solution plan, or both."""

    REPLY = "reply", pgettext_lazy("template use", "Reply")
    PLAN = "plan", pgettext_lazy("template use", "Solution plan")
    BOTH = "both", pgettext_lazy("template use", "Reply and solution plan")


def template_uses_for(step: str) -> frozenset[str]:
    """Return the uses of the templates offered at `step` (TemplateUse.REPLY or .PLAN)."""
    return frozenset({TemplateUse(step), TemplateUse.BOTH})


# The longest standard answer and policy references a template holds (an answer is inserted
# into a reply or plan, which hold 4,000 characters).
TEMPLATE_TEXT_MAX_LENGTH = 2000
TEMPLATE_POLICY_MAX_LENGTH = 1000


class PlaceType(models.TextChoices):
    """Where a visit went (R14), counted as the Xiaoshan article counts coverage."""

    TOWN = "town", _("Town or street")
    VILLAGE = "village", _("Village")
    ENTERPRISE = "enterprise", _("Enterprise")
    TEAM = "team", _("Internal team")
    EMPLOYEE = "employee", _("Employee")
    OTHER = "other", _("Other")


class ChannelScope(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class EventKind(models.TextChoices):
    """Every change on an entry's timeline (R16)."""

    RECORDED = "recorded", _("Recorded")
    RESOLVED_ON_SPOT = "resolved_on_spot", _("Resolved on the spot")
    STARTED = "started", _("Work started")
    REFERRED = "referred", _("Referred to a department")
    PLAN_RECORDED = "plan_recorded", _("Solution plan recorded")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    REPLIED = "replied", _("Replied to the informant")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    TRANSFERRED = "transferred", _("Ownership transferred")
    PROGRESS_NOTE = "progress_note", _("Progress note")
    VOIDED = "voided", _("Voided")
    CLOSED = "closed", _("Closed")
    DUE_RECOMPUTED = "due_recomputed", _("Due date recomputed")
    LINKED_DUPLICATE = "linked_duplicate", _("Linked as a duplicate")
    OVERDUE = "overdue", _("Became overdue")
    OVERDUE_CLEARED = "overdue_cleared", _("No longer overdue")
    SUPERVISED = "supervised", _("Supervision notice issued")
    SUPERVISION_ANSWERED = "supervision_answered", _("Supervision notice answered")
    SIGNED_FOR = "signed_for", _("Referral signed for")
    REFERRAL_RETURNED = "referral_returned", _("Referral returned")
    ARBITRATED = "arbitrated", _("Department decided by the party-building department")
    COHANDLER_ADDED = "cohandler_added", _("Co-handling department added")
    EXTENSION_REQUESTED = "extension_asked", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    SUSPENSION_REQUESTED = "suspend_asked", _("Suspension requested")
    SUSPENSION_DECIDED = "suspend_decided", _("Suspension decided")
    RESUMED = "resumed", _("Resumed")
    RETURN_VISITED = "return_visited", _("Return visit")
    ATTACHED = "attached", _("Files attached")
    ATTACHMENT_WITHDRAWN = "attach_withdrawn", _("Attachment withdrawn")
    # Related entries and duplicates (相关事项, 一事一记, R11): on both entries' timelines.
    LINKED = "linked", _("Related entry linked")
    UNLINKED = "unlinked", _("Related entry unlinked")
    DUPLICATE_ADDED = "duplicate_added", _("A duplicate was linked to it")
    DUPLICATE_UNMARKED = "duplicate_unmarked", _("No longer marked as a duplicate")
    DUPLICATE_REMOVED = "duplicate_removed", _("A duplicate was unlinked from it")
    REPLIED_TOGETHER = "replied_together", _("Replied together (one matter, one record)")


class AttachmentStep(models.TextChoices):
    """The step of an entry's life at which a file was attached (R23)."""

    RECORDING = "recording", _("Recording")
    PLAN = "plan", _("Solution plan")
    RESULT = "result", _("Result")
    REPLY = "reply", _("Reply")
    OTHER = "other", _("Other")


class AttachmentKind(models.TextChoices):
    """What an attachment is, judged by its content (R23): a photo, or a PDF or Office file."""

    IMAGE = "image", _("Photo")
    DOCUMENT = "document", _("Document")


# The level (R7) an entry takes from the role of whoever records it; a branch secretary's and
# anyone else's follows the type of the branch whose ledger it goes into.
ROLE_LEVELS: dict[str, str] = {
    Role.LEADERSHIP_CADRE: Level.LEADERSHIP,
    Role.OFFICE_CADRE: Level.OFFICE_BRANCH,
    Role.GRASSROOTS_CADRE: Level.GRASSROOTS_BRANCH,
    Role.PARTY_MEMBER: Level.PARTY_MEMBER,
}
BRANCH_TYPE_LEVELS: dict[str, str] = {
    BranchType.OFFICE: Level.OFFICE_BRANCH,
    BranchType.GRASSROOTS: Level.GRASSROOTS_BRANCH,
}


def level_of(*, role: str, org_kind: str, branch_type: str) -> str:
    """Return the level (R7) in which someone of `role` records into the ledger of an org of
    `org_kind` and `branch_type`: a cadre's or a member's own; for anyone else (a secretary,
    committee staff, the party-building department) the branch's, by its type, or leadership
    above the branches."""
    if role in ROLE_LEVELS:
        return ROLE_LEVELS[role]
    if branch_type:
        return BRANCH_TYPE_LEVELS[branch_type]
    return Level.LEADERSHIP if org_kind != OrgKind.BRANCH else Level.GRASSROOTS_BRANCH


class NotificationKind(models.TextChoices):
    """What a notification (an inbox line, perhaps an email) is about (R6)."""

    OVERDUE = "overdue", _("Overdue")
    OVERDUE_ESCALATED = "overdue_escalated", _("Overdue, escalated")
    DUE_SOON = "due_soon", _("Due soon")
    REFERRED = "referred", _("Referred to your department")
    CLOSED_NOT_RATED = "closed_not_rated", _("Closed as not rated")
    SUPERVISED = "supervised", _("Supervision notice")
    SUPERVISION_ANSWERED = "supervision_answered", _("Supervision notice answered")
    # The hand-backs: the work comes back to the owner, or moves to another.
    RESULT_RECORDED = "result_recorded", _("Result recorded: please reply")
    REOPENED = "reopened", _("Reopened after an unsatisfied rating")
    TRANSFERRED = "transferred", _("Ownership transferred")
    # Sign-for and return (R17).
    REFERRAL_RETURNED = "referral_returned", _("Referral returned by the department")
    REFERRAL_UNSIGNED = "referral_unsigned", _("Referral not signed for in time")
    ARBITRATION_NEEDED = "arbitration_needed", _("Referral returned twice: decide the department")
    COHANDLING = "cohandling", _("Asked to co-handle")
    # Extension (R19): a request to decide, and the decision.
    EXTENSION_REQUESTED = "extension_asked", _("Extension requested: please decide")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    SUSPENSION_REQUESTED = "suspend_asked", _("Suspension requested: please decide")
    SUSPENSION_DECIDED = "suspend_decided", _("Suspension decided")
    SUSPENSION_REVIEW = "suspend_review", _("Suspended entry due for review")
    ESCALATION_AHEAD = "escalation_ahead", _("Due date approaching")


# ---------------------------------------------------------------------------------------------
# Supervision (督办, R6): the party-building department presses the owner of a late entry.
# ---------------------------------------------------------------------------------------------

# The owner answers a supervision notice within this many working days unless the notice says
# otherwise; the notice may give at most SUPERVISION_MAX_WORKING_DAYS.
SUPERVISION_RESPONSE_WORKING_DAYS = 3
SUPERVISION_MAX_WORKING_DAYS = 20
SUPERVISION_TEXT_MAX_LENGTH = 2000


class OverdueAge(models.TextChoices):
    """How long an entry has been overdue, in working days past its due date (the board's
    columns). The bounds are inclusive; the last has none."""

    UP_TO_5 = "5", _("Up to 5 working days")
    UP_TO_20 = "20", _("6 to 20 working days")
    OVER_20 = "more", _("More than 20 working days")


# The largest working-day age in each bucket (None: unbounded), in the order of the columns.
OVERDUE_AGE_LIMITS: dict[str, int | None] = {
    OverdueAge.UP_TO_5: 5,
    OverdueAge.UP_TO_20: 20,
    OverdueAge.OVER_20: None,
}


# The Excel import: what a row does to the database, and the phases a job's summary names.
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
PHASE_CHECKING, PHASE_APPLYING = "checking", "applying"
