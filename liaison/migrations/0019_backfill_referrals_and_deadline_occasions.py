"""Data for what migrations 0014–0017 added, in batches and outside one long transaction (an
exclusive lock on a million-row table for the whole backfill would stop the service):

- referrals made before sign-for existed (R17): one the department has already planned or
  resolved reached it when it was last referred and counts as signed for then; one still awaiting
  its plan keeps no referral time, so it is not reported late for a window it never had;
- the deadline notices' occasion now counts rounds in hundreds (liaison.deadlines), and an
  escalation's adds the ladder step's digit (R22): the notices already sent keep naming the
  deadline they were about.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

BATCH = 20_000
DEADLINE_KINDS = ["overdue", "due_soon"]


def forwards(apps, schema_editor):
    Entry = apps.get_model("liaison", "Entry")
    EntryEvent = apps.get_model("liaison", "EntryEvent")
    Notification = apps.get_model("liaison", "Notification")
    last_referred = (
        EntryEvent.objects.filter(entry=OuterRef("pk"), kind="referred")
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    top = Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, top + 1, BATCH):
        handled = (
            Entry.objects.filter(pk__gte=start, pk__lt=start + BATCH, department__isnull=False)
            .exclude(status="referred")
            .filter(referred_at__isnull=True)
        )
        handled.update(referred_at=Subquery(last_referred))
        Entry.objects.filter(
            pk__gte=start, pk__lt=start + BATCH, referred_at__isnull=False, signed_at__isnull=True
        ).exclude(status="referred").update(signed_at=F("referred_at"))
    top = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, top + 1, BATCH):
        batch = Notification.objects.filter(pk__gte=start, pk__lt=start + BATCH)
        batch.filter(kind__in=DEADLINE_KINDS).update(occasion=F("occasion") * 100)
        # An escalation was the ladder's first step (R22): the deadline's, then the step's digit.
        batch.filter(kind="overdue_escalated").update(occasion=F("occasion") * 1000 + 1)


def backwards(apps, schema_editor):
    Notification = apps.get_model("liaison", "Notification")
    Notification.objects.filter(kind__in=DEADLINE_KINDS).update(occasion=F("occasion") / 100)
    Notification.objects.filter(kind="overdue_escalated").update(occasion=F("occasion") / 1000)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("liaison", "0018_return_visit_event")]

    operations = [migrations.RunPython(forwards, backwards)]
