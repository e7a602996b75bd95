"""Issue 14, item 8: the outside probe's findings c–f, each answered.

c. a NUL byte in a query string: 400 on every URL of the site (it was 500 on /people/search/
   and /entries/similar/ on PostgreSQL);
d. an unknown /admin/ URL: 404 for staff (the menu needed a URL name: 500);
e. a page past the last (page=999999999): 400 on every list and export, and /notifications/ and
   /reviews/ refuse an unknown parameter (400) as the other lists do;
f. a refused request (400) writes one line to the log, without a traceback.
"""

from __future__ import annotations

import io
import logging
from http import HTTPStatus

import pytest
from django.urls import reverse

from common.logging import ClientErrorOneLine
from liaison.constants import Role
from tests.test_get_writes_nothing import _site_urls, _url, objects  # noqa: F401 (a fixture)

NUL = "%00"


# c. NUL bytes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("liaison:person_search", "q=%E7%8E%8B%00"),
        ("liaison:person_search", "field=informant&informant=%00"),
        ("liaison:entry_similar", "row=entries-0&entries-0-title=%E5%8F%98%00"),
        ("liaison:entry_similar", "row=entries-0&entries-0-title=x&visited_party=%00"),
        ("liaison:search", "q=%00"),
        ("liaison:person_list", "q=%00"),
        ("liaison:ledger_all", "q=a%00b"),
    ],
)
def test_a_nul_byte_in_a_search_is_400(world, client_for, name, params):
    """On PostgreSQL, without the check, the person search and the similar entries (a NUL in
    the visited party) answered 500."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(f"{reverse(name)}?{params}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("role", [None, Role.PARTY_BUILDING, Role.BRANCH_SECRETARY])
def test_a_nul_byte_is_400_on_every_url(world, objects, client, role):  # noqa: F811
    if role is not None:
        client.force_login(world.users[role])
    urls = [_url(name, route, objects) for name, route in _site_urls()]
    assert len(urls) > 60
    answers = {url: client.get(f"{url}?x={NUL}").status_code for url in urls}
    answers.update({f"{url}[key]": client.get(f"{url}?{NUL}=1").status_code for url in urls[:5]})
    assert {url: s for url, s in answers.items() if s != HTTPStatus.BAD_REQUEST} == {}


def test_a_form_still_takes_its_post_and_refuses_a_nul_in_it(world, client_for):
    """Forms refuse a NUL themselves (Django's validator): a message, not a 500."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("liaison:search"), {"q": "变压器"})
    assert response.status_code == HTTPStatus.OK


# d. unknown admin URLs -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/nothing-here/", "/admin/liaison/nothing/", "/admin/x"])
def test_an_unknown_admin_url_is_404_for_staff(world, client_for, path):
    admin = world.users[Role.ADMINISTRATOR]
    assert admin.is_staff
    response = client_for(admin).get(path, follow=True)
    assert response.status_code == HTTPStatus.NOT_FOUND


# e. pages past the last, unknown parameters ---------------------------------------------------

LISTS = [  # (URL name, whose objects' pk it takes, who reads it)
    ("liaison:ledger_branch", None, Role.BRANCH_SECRETARY),
    ("liaison:ledger_branch_export", None, Role.BRANCH_SECRETARY),
    ("liaison:ledger_mine", None, Role.BRANCH_SECRETARY),
    ("liaison:ledger_mine_export", None, Role.BRANCH_SECRETARY),
    ("liaison:ledger_department", None, Role.DEPARTMENT_HANDLER),
    ("liaison:ledger_department_export", None, Role.DEPARTMENT_HANDLER),
    ("liaison:ledger_all", None, Role.PARTY_BUILDING),
    ("liaison:ledger_all_export", None, Role.PARTY_BUILDING),
    ("liaison:person_list", None, Role.PARTY_BUILDING),
    ("liaison:org_detail", "org", Role.PARTY_BUILDING),
    ("liaison:pairing_list", None, Role.PARTY_BUILDING),
    ("liaison:knowledge_list", None, Role.PARTY_BUILDING),
    ("liaison:supervision_board", None, Role.PARTY_BUILDING),
    ("feedback:evaluations:campaign_detail", "campaign", Role.PARTY_BUILDING),
    ("feedback:evaluations:campaign_progress", "campaign", Role.PARTY_BUILDING),
    ("liaison:notification_list", None, Role.BRANCH_SECRETARY),
    ("liaison:review_list", None, Role.BRANCH_SECRETARY),  # one page (300 at most): no page
]


def _list_url(name, key, objects) -> str:  # noqa: F811
    return reverse(name, args=[objects[key].pk] if key else [])


@pytest.mark.parametrize(("name", "key", "role"), [row for row in LISTS if "review" not in row[0]])
def test_a_page_past_the_last_is_400(world, objects, client_for, name, key, role):  # noqa: F811
    client = client_for(world.users[role])
    url = _list_url(name, key, objects)
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.get(url, {"page": "1"}).status_code == HTTPStatus.OK
    response = client.get(url, {"page": "999999999"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    if not name.endswith("_export"):
        assert 'data-testid="bad-request"' in response.content.decode()


@pytest.mark.parametrize(("name", "key", "role"), LISTS)
def test_an_unknown_parameter_is_400(world, objects, client_for, name, key, role):  # noqa: F811
    client = client_for(world.users[role])
    response = client.get(_list_url(name, key, objects), {"colour_of_sky": "blue"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "colour_of_sky" in response.content.decode() or name.endswith("_export")


# f. one line per refused request ---------------------------------------------------------------


@pytest.fixture
def site_log():
    """What the site's configured console handler writes (settings.LOGGING)."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ClientErrorOneLine) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


@pytest.mark.parametrize(
    "query", ["page=999999999", "colour_of_sky=blue", "q=%00", "sort=password%0Aforged"]
)
def test_a_400_logs_one_line_without_a_traceback(world, client_for, site_log, caplog, query):
    client = client_for(world.users[Role.PARTY_BUILDING])
    url = reverse("liaison:ledger_all")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"{url}?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    records = [r for r in caplog.records if r.name.startswith("django.")]
    assert len(records) == 1  # one record, and Django's own carries the exception…
    lines = site_log.getvalue().splitlines()
    assert len(lines) == 1, lines  # …which the site's log writes as one line
    assert lines[0].startswith(f"400 GET {url}: ")
    assert "Traceback" not in site_log.getvalue()


def test_the_filter_keeps_server_errors_tracebacks():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, "x", 1, "m", None, exc_info)
    record.status_code = 500
    assert ClientErrorOneLine().filter(record) and record.exc_info is exc_info
    refused = logging.LogRecord("django.security.x", logging.ERROR, "x", 1, "a\nb", None, exc_info)
    refused.status_code = 400
    assert ClientErrorOneLine().filter(refused) and refused.exc_info is None
    assert "\n" not in refused.getMessage()
