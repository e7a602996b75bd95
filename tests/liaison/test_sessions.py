"""Sessions (GB/T 22239-2019 level 3): they lapse after SESSION_IDLE_MINUTES without activity
and end with the browser; a page refreshing itself keeps none alive."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.constants import Role
from tests.fixtures.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _age(client, minutes: float) -> None:
    """Make the client's session as if its last save was `minutes` ago."""
    row = _session(client)
    row.expire_date = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - minutes * 60)
    row.save(update_fields=["expire_date"])


def test_the_idle_timeout_is_thirty_minutes_and_the_cookie_ends_with_the_browser(world, client):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = world.users[Role.PARTY_MEMBER]
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    lapses_in = _session(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < lapses_in <= timedelta(minutes=30)


def test_a_session_idle_longer_than_the_timeout_is_logged_out(world, client_for):
    client = client_for(world.users[Role.PARTY_MEMBER])
    _age(client, 31)
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_activity_keeps_a_session_alive(world, client_for):
    client = client_for(world.users[Role.PARTY_MEMBER])
    _age(client, 29)
    assert client.get(reverse("home")).status_code == HTTPStatus.OK
    lapses_in = _session(client).expire_date - timezone.now()
    assert lapses_in > timedelta(minutes=29)  # saved again: thirty minutes from now
    _age(client, 29)
    # … later still it is alive, because the user was active in between.
    assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_a_page_polling_by_itself_keeps_no_session_alive(world, client_for):
    client = client_for(world.users[Role.PARTY_MEMBER])
    _age(client, 20)
    before = _session(client).expire_date
    response = client.get(
        reverse("liaison:nav_badges"), headers={"HX-Request": "true", "X-Ledger-Poll": "1"}
    )
    assert response.status_code == HTTPStatus.OK
    assert _session(client).expire_date == before


def test_a_fresh_session_is_not_written_again_on_each_page(world, client_for):
    client = client_for(world.users[Role.PARTY_MEMBER])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_the_idle_minutes_come_from_the_environment():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SESSION_"))}
    env = {**clean, "DJANGO_DEBUG": "1", "SESSION_IDLE_MINUTES": "15", "PASSWORD_MAX_AGE_DAYS": "0"}
    code = "import ledger_site.settings as s; print(s.SESSION_COOKIE_AGE, s.PASSWORD_MAX_AGE_DAYS)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["900", "0"]
