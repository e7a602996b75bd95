"""The notification inbox (R6): scoped to its recipient, mark read, email on or off, the bell;
and the sweep task on a real worker."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.constants import ChannelScope, NotificationKind, Role
from liaison.models import Channel, Entry, Notification, ServiceCategory, ServiceItem
from liaison.tasks import overdue_sweep_task
from tests.fixtures.factories import build_world, make_entry


def _note(user, entry=None, kind=NotificationKind.OVERDUE, message="逾期"):
    return Notification.objects.create(recipient=user, entry=entry, kind=kind, message=message)


def test_the_inbox_lists_my_notifications_newest_first_and_the_bell_counts_unread(world, client):
    owner = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(owner, informant=world.special_a)
    _note(owner, entry, message="第一条")
    _note(owner, entry, kind=NotificationKind.DUE_SOON, message="第二条")
    _note(world.users[Role.BRANCH_SECRETARY], entry, message="别人的")
    client.force_login(owner)
    response = client.get(reverse("liaison:notification_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("第二条") < body.index("第一条")
    assert "别人的" not in body
    assert entry.get_absolute_url() in body
    assert 'bg-danger ms-1">2<' in body


def test_the_inbox_page_reads_no_entry_and_its_count_holds(world, client):
    """The page links each entry by its id: no join to the entries (which sorted every
    notification of the user), and the same queries for 3 notifications as for 30."""
    owner = world.users[Role.GRASSROOTS_CADRE]
    entries = [make_entry(owner, informant=world.special_a) for _ in range(3)]
    for n, entry in enumerate(entries):
        _note(owner, entry, message=f"第{n}条")
    client.force_login(owner)

    def read():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("liaison:notification_list")).content.decode()
        return body, [q["sql"] for q in ctx.captured_queries]

    body, small = read()
    assert all(entry.get_absolute_url() in body for entry in entries)
    assert not [sql for sql in small if "liaison_notification" in sql and "liaison_entry" in sql]
    for n in range(27):
        Notification.objects.create(recipient=owner, entry=entries[n % 3], occasion=n + 1,
                                    kind=NotificationKind.DUE_SOON, message=f"又{n}")  # fmt: skip
    assert len(read()[1]) == len(small)


def test_the_bell_shows_at_most_99_and_counts_no_further(world, client, django_assert_num_queries):
    """After a mass sweep the party-building department has thousands unread: the bell reads
    a hundred of them at most and says "99+", in Chinese for a screen reader too."""
    owner = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(owner, informant=world.special_a)
    Notification.objects.bulk_create(
        Notification(recipient=owner, entry=entry, kind=NotificationKind.OVERDUE, occasion=i,
                     message=f"第{i}条")
        for i in range(120)
    )  # fmt: skip
    client.force_login(owner)
    body = client.get(reverse("liaison:notification_list")).content.decode()
    assert 'bg-danger ms-1">99+<' in body
    assert "通知：超过 99 条未读" in body and "120" not in body.split("<main")[0]
    Notification.objects.filter(occasion__gte=99).update(read_at=timezone.now())
    body = client.get(reverse("liaison:notification_list")).content.decode()
    assert 'bg-danger ms-1">99<' in body and "通知：99 条未读" in body


def test_another_users_notification_is_404(world, client):
    note = _note(world.users[Role.BRANCH_SECRETARY])
    client.force_login(world.users[Role.GRASSROOTS_CADRE])
    response = client.post(reverse("liaison:notification_read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_one_and_all_as_read(world, client):
    owner = world.users[Role.GRASSROOTS_CADRE]
    first, second, third = _note(owner), _note(owner), _note(owner)
    client.force_login(owner)
    response = client.post(reverse("liaison:notification_read", args=[first.pk]))
    assert response.status_code == 302
    assert list(Notification.objects.filter(read_at__isnull=False)) == [first]
    client.post(reverse("liaison:notification_read_all"))
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True)
    assert {second.pk, third.pk} <= set(Notification.objects.values_list("pk", flat=True))
    assert client.get(reverse("liaison:notification_read_all")).status_code == 405


def test_email_opt_out_and_back_in(world, client):
    owner = world.users[Role.GRASSROOTS_CADRE]
    client.force_login(owner)
    client.post(reverse("liaison:notification_email_toggle"), {})
    owner.refresh_from_db()
    assert owner.email_notifications is False
    client.post(reverse("liaison:notification_email_toggle"), {"email_notifications": "on"})
    owner.refresh_from_db()
    assert owner.email_notifications is True


def test_the_sweep_task_on_a_real_worker_tells_the_owner_once(real_worker):
    world = build_world()
    # A transactional test starts from a flushed database: no seeded taxonomies.
    Channel.objects.get_or_create(name="走访", defaults={"scope": ChannelScope.INTERNAL})
    category, _created = ServiceCategory.objects.get_or_create(name="安全生产")
    ServiceItem.objects.get_or_create(category=category, name="用电安全")
    owner = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(owner, informant=world.special_a, recorded_on=dt.date(2026, 10, 8))
    Entry.objects.filter(pk=entry.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    overdue_sweep_task.delay()
    overdue_sweep_task.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Notification.objects.filter(entry=entry).exists():
            break
        time.sleep(0.2)
    time.sleep(1.5)  # let the second run finish too
    assert Notification.objects.filter(entry=entry, recipient=owner).count() == 1
    assert Entry.objects.get(pk=entry.pk).is_overdue


def test_turning_email_off_writes_an_audit_event(world):
    from liaison.models import AuditEvent
    from liaison.services.notifications import user_set_email_notifications

    user = world.users[Role.BRANCH_SECRETARY]
    user_set_email_notifications(user=user, enabled=False)
    user_set_email_notifications(user=user, enabled=False)  # no change, no second event
    events = AuditEvent.objects.filter(object_type="liaison.user", object_id=str(user.pk))
    assert events.count() == 1
    assert events.get().data == {"email_notifications": [True, False]}
