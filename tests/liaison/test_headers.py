"""Headers: a strict Content-Security-Policy and a Permissions-Policy on every page, nothing of a
logged-in user's pages kept by a browser or proxy, and the language cookie like the others."""

from __future__ import annotations

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from liaison.constants import Role

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url",
    [reverse("home"), reverse("liaison:ledger_branch"), reverse("feedback:dashboard")],
)
def test_a_page_behind_the_login_carries_csp_permissions_policy_and_no_store(
    world, client_for, url
):
    response = client_for(world.users[Role.BRANCH_SECRETARY]).get(url)
    assert response.status_code == HTTPStatus.OK
    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["style-src"] == ["'self'"]  # no style element, no style attribute
    assert csp["img-src"] == ["'self'", "data:"]  # Bootstrap's icons are data: URLs
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    policy = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache


def test_an_htmx_fragment_is_not_kept_either(world, client_for):
    response = client_for(world.users[Role.BRANCH_SECRETARY]).get(
        reverse("liaison:nav_badges"), headers={"HX-Request": "true"}
    )
    assert "no-store" in response.headers["Cache-Control"]


def test_the_login_page_carries_the_policies_and_is_not_kept(client):
    response = client.get(reverse("login"))
    assert response.status_code == HTTPStatus.OK
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    # Django's own never_cache: the page holds a CSRF token.
    assert "no-store" in response.headers["Cache-Control"]


def test_an_anonymous_public_page_is_not_marked_private(client):
    response = client.get("/static/js/ledger.js")
    assert "private" not in response.headers.get("Cache-Control", "")


def test_an_attachment_keeps_its_own_stricter_header(world, client_for):
    from django.http import HttpResponse

    from liaison.middleware import PrivatePagesMiddleware

    class Request:
        user = world.users[Role.PARTY_MEMBER]

    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "no-store"
        return response

    response = PrivatePagesMiddleware(view)(Request())
    assert response["Cache-Control"] == "no-store"


def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_sends_every_cookie_secure_only():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LANGUAGE_"))}
    env = {**clean, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60}
    code = (
        "import ledger_site.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE,"
        " s.LANGUAGE_COOKIE_SAMESITE, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "True", "Lax", "Lax", "Lax"]
