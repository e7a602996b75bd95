"""Nothing is lost while the broker is down (DESIGN.md §5): the pages save and answer normally,
and the next sweep catches up from the database."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from liaison import tasks
from liaison.constants import EntryStatus, NotificationKind, Role
from liaison.models import Entry, Notification
from liaison.services.jobs import overdue_sweep
from tests.fixtures.visits import form_data


@pytest.fixture
def broker_down(monkeypatch):
    """Every enqueue fails as kombu does when Redis refuses the connection."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (tasks.notifications_email, tasks.overdue_sweep_task, tasks.import_run):
        monkeypatch.setattr(task, "delay", refuse)
        monkeypatch.setattr(task, "apply_async", refuse)


def test_saves_commit_while_the_broker_is_down_and_the_sweep_catches_up(
    world, client_for, broker_down, django_capture_on_commit_callbacks
):
    secretary = client_for(world.users[Role.BRANCH_SECRETARY])
    visited_on = timezone.localdate() - dt.timedelta(days=30)  # a red entry long past due
    data = form_data(world, [{"title": "配电房漏雨"}], visited_on=visited_on.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(reverse("liaison:visit_create"), data)
    assert response.status_code == HTTPStatus.FOUND
    entry = Entry.objects.get(title="配电房漏雨")

    refer_url = reverse("liaison:entry_act", args=[entry.pk, "refer"])
    refer = {"version": entry.version, "department": world.department.pk, "note": "请处理"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = secretary.post(refer_url, refer)
    assert response.status_code == HTTPStatus.FOUND  # the page answers normally
    assert callbacks  # an email enqueue was attempted after commit, and failed quietly
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REFERRED
    handler = world.users[Role.DEPARTMENT_HANDLER]
    assert Notification.objects.filter(recipient=handler, entry=entry).count() == 1

    # The broker comes back; beat's next sweep finds the overdue entry in the database.
    with django_capture_on_commit_callbacks(execute=True):
        overdue_sweep()
        overdue_sweep()
    entry.refresh_from_db()
    assert entry.is_overdue
    owner_notes = Notification.objects.filter(
        recipient=world.users[Role.BRANCH_SECRETARY], entry=entry, kind=NotificationKind.OVERDUE
    )
    assert owner_notes.count() == 1
