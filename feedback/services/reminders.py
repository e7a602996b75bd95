"""Reminders of the reverse evaluation (R12): the raters of open campaigns who have not answered
get their link by email, at most once every EVALUATION_REMINDER_DAYS days; the first run after
opening is everyone's invitation."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import EVALUATION_REMINDER_DAYS, CampaignStatus, rating_link_base_url
from feedback.models import EvaluationRater
from feedback.selectors.campaigns import rater_link_path
from feedback.services.campaigns import BATCH_SIZE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Reminder:
    email: str
    year: int
    closes_on: dt.date
    path: str


def evaluation_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the raters of open campaigns who have not answered, were not reminded in the
    last EVALUATION_REMINDER_DAYS days, and can be written to (a person with an active account,
    an address and email on): mark them reminded (one UPDATE a batch) and, after the commit,
    email them their link. The first run after opening is everyone's invitation. Raters are
    claimed with SKIP LOCKED, so two runs at once share them and nobody is written to twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cutoff = now - dt.timedelta(days=EVALUATION_REMINDER_DAYS)
    with transaction.atomic():
        due = list(
            EvaluationRater.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff),
                campaign__status=CampaignStatus.OPEN,
                campaign__closes_on__gte=today,
                submitted_at__isnull=True,
                # Only raters who can be written to are reminded (and so marked): the others
                # get their card from the unit's sheet of QR codes.
                person__account__is_active=True,
                person__account__email_notifications=True,
            )
            .exclude(person__account__email="")
            .order_by("pk")
            .values_list(
                "pk",
                "campaign_id",
                "nonce",
                "token_hash",
                "campaign__year",
                "campaign__closes_on",
                "person__account__email",
                "person__account__is_active",
                "person__account__email_notifications",
            )
        )
        ids = [row[0] for row in due]
        for start in range(0, len(ids), BATCH_SIZE):
            EvaluationRater.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
                reminded_at=now
            )
        reminders = []
        for pk, campaign_id, nonce, token_hash, year, closes_on, email, active, wants in due:
            if not (email and active and wants):
                continue
            if closes_on is None:  # never: the query asked for a closing date from today on
                continue
            rater = EvaluationRater(
                pk=pk, campaign_id=campaign_id, nonce=nonce, token_hash=token_hash
            )
            token = rater.token()
            if token is not None:
                reminders.append(_Reminder(email, year, closes_on, rater_link_path(token)))
        if reminders:
            transaction.on_commit(lambda: _reminders_email(reminders))
    return {"reminded": len(ids), "emailed": len(reminders)}


def _reminders_email(reminders: list[_Reminder]) -> None:
    base = rating_link_base_url()
    messages = [
        EmailMessage(
            subject=_("Reverse evaluation %(year)s: your rating is awaited") % {"year": r.year},
            body=_(
                "Please rate the cadres, party members and branches you were asked about in the "
                "reverse evaluation of %(year)s, by %(date)s:\n%(url)s\n\nThe link is yours "
                "alone; no account is needed."
            )
            % {"year": r.year, "date": r.closes_on.isoformat(), "url": base + r.path},
            to=[r.email],
        )
        for r in reminders
    ]
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception:  # the mail server is down: the reminders were marked; next week's go
        logger.exception("Reverse-evaluation reminders could not be emailed")
