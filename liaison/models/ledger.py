"""Taxonomies, visits, ledger entries and their timeline (R2–R6, R10, R11, R14–R16)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.models import ChoiceLabels
from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    REFERRAL_RETURN_LIMIT,
    ChannelScope,
    ClosedReason,
    Colour,
    EntryKind,
    EntryStatus,
    EventKind,
    Level,
    PlaceType,
    ReplyMethod,
    RequestKind,
    SuspendReason,
    UnitKind,
)
from liaison.models.orgs import OrgNode, Person, Unit


class ChannelCategory(models.Model):
    """A category of channels (渠道大类, R15), internal or external: the articles count
    "7 aspects in 6 categories" of internal needs and "5 aspects in 2 categories" of external
    ones. Figures are summed by category from the channels'."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    scope = models.CharField(_("internal or external"), max_length=10, choices=ChannelScope.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel category")
        verbose_name_plural = _("channel categories")
        ordering = ["scope", "position", "name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """Where a need came in (来源渠道, R15): an aspect (方面) of the liaison work, internal or
    external, in a category — the leaf an entry is recorded under. A channel with dates is a
    campaign (专项活动, e.g. 走基层·转作风·促发展, 政工师下班组): its figures are read for its
    months."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    scope = models.CharField(_("internal or external"), max_length=10, choices=ChannelScope.choices)
    category = models.ForeignKey(
        ChannelCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
    )
    starts_on = models.DateField(_("campaign starts on"), null=True, blank=True)
    ends_on = models.DateField(_("campaign ends on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["scope", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="channel_campaign_dates",
                violation_error_message=_("A campaign ends on or after the day it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_campaign(self) -> bool:
        return self.starts_on is not None

    def clean(self) -> None:
        super().clean()
        if self.category is not None and self.category.scope != self.scope:
            raise ValidationError(
                {"category": _("The category is for the other scope (internal or external).")}
            )
        if self.ends_on is not None and self.starts_on is None:
            raise ValidationError({"starts_on": _("A campaign with an end has a start too.")})


class ServiceCategory(models.Model):
    """First level of the service categories (服务类别, R15), e.g. 安全生产."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """Second level (服务事项): an item of a category, with its default handling department."""

    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    name = models.CharField(_("name"), max_length=80)
    default_department = models.ForeignKey(
        Unit,
        verbose_name=_("default handling department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": UnitKind.DEPARTMENT},
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="serviceitem_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.category.name} · {self.name}"


class Visit(models.Model):
    """A visit (走访, R14): who went where, when; the entries heard there link to it."""

    visited_on = models.DateField(_("visit date"))
    org = models.ForeignKey(
        OrgNode,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="visits",
        help_text=_("The branch (or group) whose ledger the visit belongs to."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="visits_recorded",
    )
    visitors = models.ManyToManyField(
        Person, verbose_name=_("visitors"), related_name="visits_made", blank=True
    )
    visited_party = models.ForeignKey(
        Person,
        verbose_name=_("visited"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_received",
    )
    visited_unit = models.ForeignKey(
        Unit,
        verbose_name=_("visited unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits_received",
        help_text=_("A team, station, substation or department visited as a whole."),
    )
    place_type = models.CharField(_("place type"), max_length=12, choices=PlaceType.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["org", "visited_on"]),
            models.Index(fields=["visited_party", "visited_on"]),
            models.Index(fields=["visited_unit", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visited_party__isnull=True) | Q(visited_unit__isnull=True),
                name="visit_one_visited_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.visited or self.place}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:visit_detail", args=[self.pk])

    @property
    def visited(self) -> Person | Unit | None:
        """Whom the visit went to: a person or party on file, or a unit."""
        return self.visited_party or self.visited_unit


class EntryNumberSequence(models.Model):
    """The last sequence number handed out per company code and year (locked when used)."""

    prefix = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="entry_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


# Colours in order of urgency, for sorting by colour (red first); basic information has none.
# An index is made of it (entry_colour_rank): the query's expression must stay the same.
COLOUR_RANK = Case(
    *(When(colour=colour, then=Value(rank)) for rank, colour in enumerate(Colour.values)),
    default=Value(len(Colour.values)),
)


class Entry(ChoiceLabels, models.Model):
    """A ledger entry (台账条目 / 民情信息): a need heard, followed until answered and rated.

    `version` guards against lost updates (R16): every service checks and bumps it in the same
    UPDATE, so a second person acting on a stale page gets a conflict, not an overwrite.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    colour = models.CharField(
        _("colour"),
        max_length=8,
        choices=Colour.choices,
        blank=True,
        help_text=_("Empty only for basic information, which needs no reply."),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,  # entry_channel_recorded starts with it
    )
    item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    informant = models.ForeignKey(
        Person,
        verbose_name=_("informant"),
        on_delete=models.PROTECT,
        related_name="entries_informed",
    )
    party = models.ForeignKey(
        Person,
        verbose_name=_("party concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_about",
    )
    party_unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_about",
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    org = models.ForeignKey(
        OrgNode,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="entries",
        help_text=_("The branch (or group) whose ledger holds the entry."),
        db_index=False,  # entry_org_status and entry_org_colour_recorded start with it
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="entries_recorded",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="entries_owned",
        db_index=False,  # entry_owner_status starts with it
    )
    department = models.ForeignKey(
        Unit,
        verbose_name=_("handling department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_referred",
        db_index=False,  # entry_department_status and entry_department_recorded start with it
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )

    status = models.CharField(
        _("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.RECORDED
    )
    recorded_on = models.DateField(_("recorded on"))
    target_on = models.DateField(_("target date"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    referral_note = models.TextField(_("referral note"), blank=True)
    # Sign-for and return (R17): when the current referral reached the department, when and by
    # whom it was signed for, and how often this matter has been returned.
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral_returns = models.PositiveSmallIntegerField(_("times returned"), default=0)
    # A request awaiting its approver (R19 extension): what, why, the date asked for, when.
    request_kind = models.CharField(
        _("request"), max_length=12, choices=RequestKind.choices, blank=True
    )
    request_reason = models.TextField(_("request reason"), blank=True)
    request_date = models.DateField(_("date requested"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    request_code = models.CharField(
        _("reason asked"), max_length=16, choices=SuspendReason.choices, blank=True
    )
    # Extensions approved this round (R19), and the due date before the first of them.
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    extended_from = models.DateField(_("due date before extension"), null=True, blank=True)
    # Suspension (R20): since when the clock stands still, why, when to look again; how many
    # suspensions and suspended working days the entry has had.
    suspended_on = models.DateField(_("suspended since"), null=True, blank=True)
    suspend_reason = models.CharField(
        _("suspended because"), max_length=16, choices=SuspendReason.choices, blank=True
    )
    suspend_review_on = models.DateField(_("review suspension on"), null=True, blank=True)
    suspensions = models.PositiveSmallIntegerField(_("suspensions"), default=0)
    suspended_working_days = models.PositiveIntegerField(_("suspended working days"), default=0)
    plan = models.TextField(_("solution plan"), blank=True)
    result = models.TextField(_("result"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_method = models.CharField(
        _("reply method"), max_length=10, choices=ReplyMethod.choices, blank=True
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_on_time = models.BooleanField(_("replied on time"), null=True, blank=True)
    last_progress_on = models.DateField(_("last progress note"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(
        _("closed because"), max_length=16, choices=ClosedReason.choices, blank=True
    )
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-recorded_on", "-pk"]
        indexes = [
            models.Index(fields=["org", "status", "recorded_on"], name="entry_org_status"),
            models.Index(fields=["owner", "status"], name="entry_owner_status"),
            models.Index(fields=["department", "status"], name="entry_department_status"),
            models.Index(fields=["status", "due_on", "colour"], name="entry_status_due"),
            models.Index(fields=["due_on", "id"], name="entry_due_id"),
            models.Index(
                fields=["department", "recorded_on", "id"], name="entry_department_recorded"
            ),
            models.Index(
                fields=["recorded_on", "id"],
                name="entry_awaiting_recorded",
                condition=Q(status__in=sorted(AWAITING_REPLY_STATUSES)),
            ),
            models.Index(
                fields=["org"],
                name="entry_awaiting_arbitration",
                condition=Q(
                    status=EntryStatus.IN_PROGRESS, referral_returns__gte=REFERRAL_RETURN_LIMIT
                ),
            ),
            models.Index(
                fields=["org"],
                name="entry_request_pending",
                condition=~Q(request_kind=""),
            ),
            models.Index(
                fields=["suspend_review_on"],
                name="entry_suspended",
                condition=Q(suspended_on__isnull=False),
            ),
            # The supervision board (R6): the entries awaiting a reply by due date, with what
            # its counts read, so the board is an index-only scan of the open work whatever the
            # size of the closed history (migration 0029).
            models.Index(
                fields=["due_on", "id", "org", "status", "suspended_on"],
                name="entry_awaiting_due",
                condition=Q(status__in=sorted(AWAITING_REPLY_STATUSES)),
            ),
            # A ledger filtered by colour: the org's entries of that colour, newest first.
            models.Index(
                fields=["org", "colour", "recorded_on", "id"], name="entry_org_colour_recorded"
            ),
            # The department inbox filtered by colour, counted and paged without the table: on
            # the department and the colour's indexes apart, PostgreSQL ANDed the department's
            # 7,000 entries with the company's 260,000 red ones (30 ms at a million entries).
            models.Index(
                fields=["department", "colour", "recorded_on", "id"],
                name="entry_department_colour",
            ),
            # The day's entries, newest first (the home page's "today"): with the id, the
            # index gives them in order; on the date alone PostgreSQL walked the primary key
            # back from the newest entry, through the whole ledger on a day with none yet.
            models.Index(fields=["recorded_on", "id"], name="entry_recorded_on"),
            # A list filtered by channel, newest first: a campaign's entries lie in its months,
            # so walking all entries back from today for them can read hundreds of thousands.
            models.Index(fields=["channel", "recorded_on", "id"], name="entry_channel_recorded"),
            # The lists' sorts that read the whole ledger otherwise (2.4–2.5 s at 1M for the
            # whole company's list): by colour, red first and newest first within a colour,
            # and its exact reverse (the same index read backwards). By due date, latest first
            # and those without one last: entry_due_desc, on PostgreSQL only (SQLite's indexes
            # take no NULLS LAST), made by migration 0035 (the ascending sort has entry_due_id).
            models.Index(
                COLOUR_RANK, F("recorded_on").desc(), F("id").desc(), name="entry_colour_rank"
            ),
            # "Extended" (R19): the few entries an extension moved this round, newest first.
            models.Index(
                fields=["recorded_on", "id"], name="entry_extended", condition=Q(extensions__gt=0)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(colour=Colour.YELLOW) | Q(target_on__isnull=False),
                name="entry_yellow_has_target",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.BASIC) | ~Q(colour=""),
                name="entry_reply_needs_colour",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.VOID) | ~Q(void_reason=""),
                name="entry_void_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(party__isnull=True) | Q(party_unit__isnull=True),
                name="entry_one_party_concerned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:entry_detail", args=[self.pk])


class EntryEvent(ChoiceLabels, models.Model):
    """One change on an entry's timeline: who, when, what, before and after (R16)."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("entry event")
        verbose_name_plural = _("entry events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["entry", "at"], name="entryevent_entry_at")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"
