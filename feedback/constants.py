"""The satisfaction scale (R8), the rating channels, and the settings of ratings and roll-ups:
the one home of each (settings.py may override the numbers)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Satisfaction(models.TextChoices):
    """非常满意 / 满意 / 基本满意 / 不满意."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class RatingChannel(models.TextChoices):
    """How a rating reached the ledger (R21): the informant's signed link, a return visit by a
    third party (the branch secretary, the party-building department), or the entry's own
    owner — allowed, but shown apart, so that nobody's satisfaction rests on their own word."""

    RETURN_VISIT = "return_visit", _("Third-party return visit")
    LINK = "link", _("Signed link")
    OWNER = "owner", _("Recorded by the owner")


class ReturnVisitMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    SMS = "sms", _("SMS")


class ReturnVisitOutcome(models.TextChoices):
    RATED = "rated", _("Rated")
    UNREACHABLE = "unreachable", _("Unreachable")
    REFUSED = "refused", _("Refused to rate")


# R8: whether 基本满意 counts as satisfied in the satisfaction rate.
SATISFIED_VALUES_STRICT = frozenset({Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED})
SATISFIED_VALUES = SATISFIED_VALUES_STRICT | {Satisfaction.BASICALLY_SATISFIED}


def satisfied_values() -> frozenset[str]:
    """The ratings that count as satisfied (settings.SATISFACTION_COUNTS_BASIC, default yes)."""
    basic = getattr(settings, "SATISFACTION_COUNTS_BASIC", True)
    return SATISFIED_VALUES if basic else SATISFIED_VALUES_STRICT


def satisfaction_rate(satisfied: int, rated: int) -> float | None:
    """R8: the satisfied ratings (satisfied_values()) over all ratings; None without ratings."""
    return satisfied / rated if rated else None


def ranking_min_ratings() -> int:
    """R8: a unit is ranked only with at least this many ratings in the period."""
    return getattr(settings, "RANKING_MIN_RATINGS", 5)


def rating_link_valid_days() -> int:
    """A signed rating link expires this many days after it was made."""
    return getattr(settings, "RATING_LINK_VALID_DAYS", 30)


# A signed link's token: 32 random bytes (256 bits), URL-safe.
RATING_LINK_TOKEN_BYTES = 32


def rating_link_base_url() -> str:
    """The address informants' phones reach the app at, e.g. "https://ledger.example.cn", when
    it differs from the one staff use (settings.RATING_LINK_BASE_URL; empty: the staff page's
    own host)."""
    return getattr(settings, "RATING_LINK_BASE_URL", "").rstrip("/")


# The informant's comment through a signed link, at most this many characters.
RATING_LINK_COMMENT_MAX_LENGTH = 500


# ---------------------------------------------------------------------------------------------
# The annual reverse evaluation (逆向评价, R12) and assessment (年度考核, 双争双评).
# ---------------------------------------------------------------------------------------------


class EvaluationRule(models.TextChoices):
    """Why a rater rates a ratee (R12); MANUAL: added by the party-building department."""

    VISITED_LEADER = "visited_leader", _("Visited units and people rate the leadership cadre")
    JOINT_BRANCH = "joint_branch", _("The linked grassroots branch rates the office branch")
    BRANCH_PEOPLE = "branch_people", _("Members and employees rate their grassroots branch")
    SERVED_MEMBER = "served_member", _("Employees and customers served rate the party member")
    MANUAL = "manual", _("Added by the party-building department")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", pgettext_lazy("evaluation", "Open")
    CLOSED = "closed", pgettext_lazy("evaluation", "Closed")


# A ratee's result is shown only with at least this many ratings (settings override), so that
# no single rater can be identified.
def evaluation_min_ratings() -> int:
    return getattr(settings, "EVALUATION_MIN_RATINGS", 5)


# Days after which the reminder job writes again to a rater who has not answered.
EVALUATION_REMINDER_DAYS = 7

# Default weights of the annual assessment, in percent (the department sets its own per year).
ASSESSMENT_DEFAULT_WEIGHTS = {
    "satisfaction": 40,  # entry satisfaction rate
    "on_time": 20,  # on-time reply rate
    "reverse": 30,  # reverse-evaluation satisfaction rate
    "review": 10,  # monthly reviews signed (branches) — cadres: re-spread over the others
}


# --- hot topics and the matter of the month (每月一题) ----------------------------------------


class MatterStatus(models.TextChoices):
    """A matter of the month is open while its owner works it, closed once the department
    judges it done (the closing note says what was done)."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def hot_topic_max_entries() -> int:
    """The most entries of one month whose titles the hot-topic page clusters (the newest)."""
    return getattr(settings, "HOT_TOPIC_MAX_ENTRIES", 2000)


def hot_topic_similarity() -> float:
    """How alike two titles must be (Dice of their character bigrams, liaison.similarity) to
    fall into one cluster. Higher than the duplicate hint's SIMILARITY_THRESHOLD (0.2): the hint
    shows a person five candidates to judge, a cluster is acted on as one matter, and two short
    titles sharing one bigram ("小区电压低", "小区路灯坏了": 0.22) are not one matter."""
    return getattr(settings, "HOT_TOPIC_SIMILARITY", 0.4)


# The most service items and clusters the hot-topic page lists.
HOT_TOPIC_ITEMS = 10
HOT_TOPIC_CLUSTERS = 10
# A cluster is at least this many entries (one entry is not a topic).
HOT_TOPIC_MIN_CLUSTER = 2
# The most entries a matter of the month links (its page lists them all).
MATTER_MAX_ENTRIES = 500
# The open matters the dashboard shows (the soonest due first).
DASHBOARD_MATTERS = 5
