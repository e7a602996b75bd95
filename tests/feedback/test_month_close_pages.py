"""The closing page (R24) and the month_close command."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from feedback.models import MonthClose
from feedback.services import frozen
from liaison.constants import Role
from liaison.models import AuditEvent
from tests.fixtures.rollups import Clock

PAGE = reverse("feedback:months")
CLOSE = reverse("feedback:months_close")
REOPEN = reverse("feedback:month_reopen")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    clock.set(dt.date(2026, 4, 10))
    return clock


@pytest.mark.parametrize("role", list(Role))
def test_only_the_party_building_department_sees_the_page(world, client_for, clock, role):
    client = client_for(world.users[role])
    allowed = role == Role.PARTY_BUILDING
    expected = HTTPStatus.OK if allowed else HTTPStatus.NOT_FOUND
    assert client.get(PAGE).status_code == expected
    response = client.post(CLOSE, {"month": "2026-03-01", "confirm": "on"})
    assert response.status_code == (HTTPStatus.FOUND if allowed else HTTPStatus.NOT_FOUND)
    assert (frozen.closed_through() is not None) is allowed
    response = client.post(REOPEN, {"reason": "错结"})
    assert response.status_code == (HTTPStatus.FOUND if allowed else HTTPStatus.NOT_FOUND)
    assert frozen.closed_through() is None


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(PAGE).status_code == HTTPStatus.FOUND


def test_the_page_closes_in_order_and_reopens_with_a_reason(
    world, client_for, clock, django_assert_num_queries
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(PAGE)
    assert "2026-03" in page.content.decode()
    response = client.post(CLOSE, {"month": "2026-02-01"})  # not confirmed
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "确认" in response.content.decode()
    assert not MonthClose.objects.exists()
    response = client.post(CLOSE, {"month": "2026-04-01", "confirm": "on"})  # not ended
    assert response.status_code == HTTPStatus.BAD_REQUEST
    client.post(CLOSE, {"month": "2026-02-01", "confirm": "on"})
    client.post(CLOSE, {"month": "2026-03-01", "confirm": "on"})
    assert list(MonthClose.objects.values_list("month", flat=True)) == [
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    response = client.post(REOPEN, {"reason": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "原因" in response.content.decode()
    assert client.post(REOPEN, {"reason": "三月补录"}).status_code == HTTPStatus.FOUND
    assert frozen.closed_through() == dt.date(2026, 2, 1)
    assert AuditEvent.objects.filter(
        object_type="feedback.monthclose", data__reason="三月补录"
    ).exists()
    # session, user, then the page's two reads; the same with more closings
    with django_assert_num_queries(4):
        page = client.get(PAGE)
    body = page.content.decode()
    assert "三月补录" in body and "已结账" in body


def test_the_command_closes_and_reopens(world, clock):
    call_command("month_close", "--month", "2026-03")
    assert frozen.closed_through() == dt.date(2026, 3, 1)
    assert MonthClose.objects.get().closed_by is None
    with pytest.raises(CommandError):
        call_command("month_close", "--month", "2026-02")  # closed already
    with pytest.raises(CommandError):
        call_command("month_close", "--month", "2026-Q1")
    with pytest.raises(CommandError):
        call_command("month_close", "--reopen", "--reason", "x")  # who?
    with pytest.raises(CommandError):
        call_command(
            "month_close",
            "--reopen",
            "--reason",
            "x",
            "--user",
            world.users[Role.ADMINISTRATOR].username,
        )
    user = world.users[Role.PARTY_BUILDING]
    with pytest.raises(CommandError):
        call_command("month_close", "--reopen", "--user", user.username)  # no reason
    call_command("month_close", "--reopen", "--reason", "重算", "--user", user.username)
    assert frozen.closed_through() is None
    assert timezone.localdate() == dt.date(2026, 4, 10)
