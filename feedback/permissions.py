"""Who may see and do what in the feedback app (DESIGN.md §1, §3): predicates, and `get_*_for`
that fetch and authorise in one step, answering 404 for a missing and a forbidden object alike.

- ratings: who may record a rating of an entry, and who may see, hand out and re-issue the
  informant's signed link;
- dashboards: who reads them, and the node of the user's subtree asked for;
- the reverse evaluation: who runs the campaigns, who reads which results, and the ratees and
  assessment rows of a reader's subtree;
- hot topics and the matters of the month: who reads them, who makes and edits a matter, and
  the matters a reader may open.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from feedback.constants import CampaignStatus
from feedback.models import EvaluationAssignment, EvaluationCampaign, MatterEntry, MonthlyMatter
from liaison.constants import COMPANY_WIDE_ROLES, Role
from liaison.models import Entry, OrgNode, User
from liaison.permissions import scope_path, sees_whole_company
from liaison.transitions import Action, Actor, actor_capacities, entry_refusal

# Who reads the satisfaction dashboards, each for their own subtree (DESIGN.md §1): a
# leadership cadre (党委书记) reads the one of the committee he leads.
DASHBOARD_ROLES = COMPANY_WIDE_ROLES | {
    Role.COMMITTEE_STAFF,
    Role.BRANCH_SECRETARY,
    Role.LEADERSHIP_CADRE,
}

# Who reads the reverse evaluation's results, each for their own subtree: the dashboards'
# readers but the leadership cadres, who are among the rated (R12).
RESULTS_ROLES = DASHBOARD_ROLES - {Role.LEADERSHIP_CADRE}
# Who works the return-visit queue (回访, R21): the branch secretary for the branch's entries,
# the party-building department for all: a third party to the entry's owner.
RETURN_VISIT_ROLES = COMPANY_WIDE_ROLES | {Role.BRANCH_SECRETARY}
# Who reads the hot topics and the matters of the month: the party-building department for the
# company, committee staff for their committee. The department alone makes and edits a matter.
HOT_TOPIC_ROLES = COMPANY_WIDE_ROLES | {Role.COMMITTEE_STAFF}
MATTER_EDITOR_ROLES = COMPANY_WIDE_ROLES
# Who may own a matter of the month (its 责任人): someone who can steer the work across units —
# the department, committee staff, a leadership cadre, a professional department's handler.
MATTER_OWNER_ROLES = COMPANY_WIDE_ROLES | {
    Role.COMMITTEE_STAFF,
    Role.LEADERSHIP_CADRE,
    Role.DEPARTMENT_HANDLER,
}

# --- ratings and the informant's link ---------------------------------------------------------

LINK_REFUSED = gettext_lazy(
    "Only the owner or the party-building department may hand out the rating link."
)


def rating_may_record(*, entry: Entry, actor: User | None) -> bool:
    """Return whether `actor` (None: the informant through a signed link) may rate `entry`
    now: it is replied and the actor may both close and reopen it."""
    return all(
        entry_refusal(entry=entry, actor=actor, action=action) is None
        for action in (Action.CLOSE, Action.REOPEN)
    )


def rating_link_may_show(*, entry: Entry, user: User) -> bool:
    """Return whether `user` may see and hand out the informant's link of `entry` (and re-issue
    it): its owner and the party-building department (who may also record the rating on a
    return visit). A handling department never sees it: the link rates the department's own
    work."""
    sides = actor_capacities(entry=entry, actor=user)
    return bool(sides & {Actor.OWNER, Actor.MAINTAINER})


def does_return_visits(user: User) -> bool:
    """Return whether the user has the return-visit queue (R21)."""
    return scope_path(user) is not None and (user.is_superuser or user.role in RETURN_VISIT_ROLES)


# --- dashboards -------------------------------------------------------------------------------


def reads_dashboards(user: User) -> bool:
    """The party-building department (and administrators) for the company, committee staff and
    leadership cadres for their committee, branch secretaries for their branch."""
    return scope_path(user) is not None and (user.is_superuser or user.role in DASHBOARD_ROLES)


def dashboard_node_for(*, user: User, pk: int | None = None) -> OrgNode:
    """Return the node whose dashboard `user` asks for: `pk` if it lies in their subtree, else
    (no pk) the top of their subtree; 404 otherwise."""
    path = scope_path(user)
    if path is None:
        raise Http404
    nodes = OrgNode.objects.filter(path__startswith=path)
    node = nodes.filter(pk=pk).first() if pk is not None else nodes.order_by("path").first()
    if node is None:
        raise Http404
    return node


# --- the reverse evaluation: campaigns --------------------------------------------------------


def runs_evaluations(user: User) -> bool:
    """Return whether the user runs the annual reverse evaluation: the party-building
    department and administrators (DESIGN.md §1)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in COMPANY_WIDE_ROLES)
    )


def get_campaign_for(user: User, pk: int) -> EvaluationCampaign:
    """Return the campaign for someone who runs the evaluation; 404 for a missing campaign and
    for everyone else alike."""
    campaign = None
    if runs_evaluations(user):
        campaign = EvaluationCampaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def get_assignment_for(campaign: EvaluationCampaign, pk: int) -> EvaluationAssignment:
    """Return one pair of the campaign (from get_campaign_for), both sides loaded; 404 for a
    pair of another campaign, or none."""
    assignment = (
        EvaluationAssignment.objects.filter(rater__campaign=campaign, pk=pk)
        .select_related("rater__person__org", "rater__unit__branch", "rater__org")
        .select_related("ratee_person", "ratee_org")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


# --- the reverse evaluation: results (feedback.selectors.results says who sees what, when) ----


def reads_results(user: User) -> bool:
    """The party-building department and administrators (the company), committee staff and
    branch secretaries (their subtree). Not the leadership cadres: they are rated."""
    return scope_path(user) is not None and (user.is_superuser or user.role in RESULTS_ROLES)


def sees_all_results(user: User) -> bool:
    """The party-building department and administrators: every ratee, the comments, and the
    progress of an open campaign."""
    return reads_results(user) and sees_whole_company(user)


def results_statuses(user: User) -> list[str]:
    """Return the statuses of the campaigns whose results the user may read: open and closed
    for the department, closed for the other readers, none for anyone else."""
    if sees_all_results(user):
        return [CampaignStatus.OPEN, CampaignStatus.CLOSED]
    return [CampaignStatus.CLOSED] if reads_results(user) else []


def get_results_campaign_for(user: User, pk: int) -> EvaluationCampaign:
    """Return the campaign if the user may read its results now, else 404."""
    campaign = EvaluationCampaign.objects.filter(pk=pk, status__in=results_statuses(user)).first()
    if campaign is None:
        raise Http404
    return campaign


def get_assessment_campaign_for(user: User, pk: int) -> EvaluationCampaign:
    """Return the campaign if it is closed and the user may read its results (and so its
    assessment table), else 404."""
    campaign = get_results_campaign_for(user, pk)
    if campaign.status != CampaignStatus.CLOSED:
        raise Http404
    return campaign


def assessment_scope(user: User) -> Q:
    """The assessment rows the user may see (a condition on AssessmentRow): all of them for the
    department and administrators, else the branches in the user's subtree and the cadres whose
    organisation is."""
    if sees_all_results(user):
        return Q()
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    return Q(org__path__startswith=path) | Q(person__org__path__startswith=path)


def ratee_scope(user: User) -> Q:
    """The assignments whose ratee lies in the user's subtree (a condition on assignments)."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == "":
        return Q()
    return Q(ratee_person__org__path__startswith=path) | Q(ratee_org__path__startswith=path)


# --- hot topics and the matters of the month (每月一题) --------------------------------------


def reads_hot_topics(user: User) -> bool:
    """The party-building department (and administrators) for the company, committee staff for
    their committee: the hot-topic page and the matters of the month."""
    return scope_path(user) is not None and (user.is_superuser or user.role in HOT_TOPIC_ROLES)


def edits_matters(user: User) -> bool:
    """Return whether the user makes, edits and closes matters of the month: the
    party-building department (and administrators)."""
    return reads_hot_topics(user) and (user.is_superuser or user.role in MATTER_EDITOR_ROLES)


def may_own_matters(user: User) -> bool:
    """Return whether the user may be named a matter's owner (MATTER_OWNER_ROLES, active)."""
    return user.is_active and (user.is_superuser or user.role in MATTER_OWNER_ROLES)


def visible_matters(user: User) -> QuerySet[MonthlyMatter]:
    """The matters the user may open: all of them for the department, for committee staff
    those linking at least one entry of their subtree (their page then shows only those)."""
    if not reads_hot_topics(user):
        return MonthlyMatter.objects.none()
    path = scope_path(user)
    if not path:
        return MonthlyMatter.objects.all()
    touching = MatterEntry.objects.filter(matter=OuterRef("pk"), entry__org__path__startswith=path)
    return MonthlyMatter.objects.filter(Exists(touching))


def get_matter_for(user: User, pk: int) -> MonthlyMatter:
    """Return the matter with its owner and maker; 404 for a missing one and one the user may
    not open alike."""
    matter = visible_matters(user).select_related("owner", "created_by").filter(pk=pk).first()
    if matter is None:
        raise Http404
    return matter


# --- closed months (R24) -----------------------------------------------------------------------


def closes_months(user: User) -> bool:
    """Return whether the user closes and reopens months: the party-building department only
    (R24; an administrator runs the system, not the books)."""
    return user.is_authenticated and user.is_active and user.role == Role.PARTY_BUILDING
