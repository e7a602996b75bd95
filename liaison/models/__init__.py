"""The liaison app's models: org tree, people and accounts; pairings; the audit log and import
jobs; the calendar; the ledger, its attachments and its related-entry links; notifications,
monthly reviews and supervision notices; the knowledge base's reply templates."""

from liaison.models.attachments import Attachment
from liaison.models.audit import AuditEvent, ImportJob
from liaison.models.calendar import CalendarDay, CalendarYear
from liaison.models.cohandling import CoHandler
from liaison.models.escalation import RECIPIENTS as ESCALATION_RECIPIENTS
from liaison.models.escalation import EscalationStep
from liaison.models.exports import ExportJob
from liaison.models.knowledge import ReplyTemplate
from liaison.models.ledger import (
    Channel,
    ChannelCategory,
    Entry,
    EntryEvent,
    EntryNumberSequence,
    ServiceCategory,
    ServiceItem,
    Visit,
)
from liaison.models.links import LINK_NOTE_MAX_LENGTH, EntryLink
from liaison.models.notifications import Notification
from liaison.models.orgs import CODE_MAX_LENGTH, OrgNode, Person, Unit, User, in_subtree
from liaison.models.pairings import (
    PAIRING_DUPLICATE_MESSAGE,
    PAIRING_SIDE_COLUMNS,
    Pairing,
    PairingQuerySet,
    active_on_q,
    pairings_in_subtree_q,
)
from liaison.models.passwords import PasswordHistory
from liaison.models.reviews import MonthlyReview
from liaison.models.supervision import Supervision

__all__ = [
    "CODE_MAX_LENGTH",
    "ESCALATION_RECIPIENTS",
    "LINK_NOTE_MAX_LENGTH",
    "PAIRING_DUPLICATE_MESSAGE",
    "PAIRING_SIDE_COLUMNS",
    "Attachment",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Channel",
    "ChannelCategory",
    "CoHandler",
    "Entry",
    "EntryEvent",
    "EntryLink",
    "EntryNumberSequence",
    "EscalationStep",
    "ExportJob",
    "ImportJob",
    "MonthlyReview",
    "Notification",
    "OrgNode",
    "Pairing",
    "PairingQuerySet",
    "PasswordHistory",
    "Person",
    "ReplyTemplate",
    "ServiceCategory",
    "ServiceItem",
    "Supervision",
    "Unit",
    "User",
    "Visit",
    "active_on_q",
    "in_subtree",
    "pairings_in_subtree_q",
]
