"""Issue 16, part 3: an entry-list export over EXPORT_INLINE_MAX_ROWS runs on a worker (eagerly
in the tests): a page to start it (GET writes nothing), its progress page, the download for the
requester only, expiry after a day and the periodic purge."""

from __future__ import annotations

import datetime as dt
import io
import time
from http import HTTPStatus

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison.constants import EntryScope, Role
from liaison.models import AuditEvent, Entry, ExportJob
from liaison.services.export_jobs import export_jobs_purge, export_storage
from liaison.services.exports import entry_export_headers
from tests.fixtures.factories import build_world, make_entry
from tests.fixtures.spreadsheets import HOSTILE_TEXTS, assert_typed_as_text

EXPORT = reverse("liaison:ledger_branch_export")
LIST = reverse("liaison:ledger_branch")


@pytest.fixture
def small_limit(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2


@pytest.fixture
def entries(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    titles = ["变压器增容", "路灯不亮", "电费咨询", HOSTILE_TEXTS[0]]
    return [
        make_entry(secretary, informant=world.special_a, title=title, colour=colour)
        for title, colour in zip(titles, ["red", "orange", "red", "red"], strict=True)
    ]


def detail(job: ExportJob) -> str:
    return reverse("liaison:export_job_detail", args=[job.pk])


def download(job: ExportJob) -> str:
    return reverse("liaison:export_job_download", args=[job.pk])


def start(client, captured, params: dict | None = None) -> ExportJob:
    query = f"?{'&'.join(f'{k}={v}' for k, v in (params or {}).items())}" if params else ""
    with captured(execute=True):
        response = client.post(EXPORT + query)
    job = ExportJob.objects.latest("pk")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == detail(job)
    return job


def rows_of(response) -> list[tuple]:
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment;")
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_under_the_limit_the_export_stays_inline(world, client_for, entries, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 4
    response = client_for(world.users[Role.BRANCH_SECRETARY]).get(EXPORT)
    assert len(rows_of(response)) == 1 + 4
    assert not ExportJob.objects.exists()


def test_over_the_limit_get_offers_the_background_and_writes_nothing(
    world, client_for, entries, small_limit
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(EXPORT, {"colour": "red"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert 'data-testid="export-large"' in body
    assert f'action="{EXPORT}?colour=red"' in body  # the POST keeps the filters
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_the_background_export_holds_the_filtered_list_in_its_order(
    world, client_for, entries, small_limit, django_capture_on_commit_callbacks
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    params = {"colour": "red", "sort": "number"}
    listed = [row.record.number for row in client.get(LIST, params).context["table"].page]
    job = start(client, django_capture_on_commit_callbacks, params)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.total_rows == job.done_rows == 3
    assert job.params == {"colour": ["red"], "sort": ["number"]}
    assert job.expires_at - job.created_at == pytest.approx(
        dt.timedelta(days=1), abs=dt.timedelta(minutes=1)
    )

    page = client.get(detail(job)).content.decode()
    assert 'data-testid="export-ready"' in page
    assert download(job) in page
    assert "every 1s" not in page  # finished: no more polling

    rows = rows_of(client.get(download(job)))
    assert list(rows[0]) == entry_export_headers()  # in the requester's language (Chinese)
    assert [row[0] for row in rows[1:]] == listed
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.data["export"] == "entries:branch"
    assert event.data["filters"] == {"colour": "red", "sort": "number"}


def test_the_background_export_writes_typed_text_as_text(
    world, client_for, entries, small_limit, django_capture_on_commit_callbacks
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    job = start(client, django_capture_on_commit_callbacks)
    response = client.get(download(job))
    assert_typed_as_text(b"".join(response.streaming_content), [HOSTILE_TEXTS[0]])


def test_a_waiting_export_polls_and_htmx_gets_only_the_fragment(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    job = ExportJob.objects.create(
        requested_by=secretary,
        scope=EntryScope.BRANCH,
        language="zh-hans",
        filename="entries.xlsx",
        total_rows=10_000,
        done_rows=2_000,
        status=ExportJob.Status.RUNNING,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client = client_for(secretary)
    page = client.get(detail(job)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="20"' in page and "w-pct-20" in page
    fragment = client.get(detail(job), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="export-job"')
    assert "<html" not in fragment
    assert client.get(download(job)).status_code == HTTPStatus.NOT_FOUND  # not ready yet


@pytest.mark.parametrize("role", [r for r in Role if r != Role.BRANCH_SECRETARY])
def test_only_the_requester_sees_the_export_and_its_file(
    world, client_for, entries, small_limit, django_capture_on_commit_callbacks, role
):
    job = start(client_for(world.users[Role.BRANCH_SECRETARY]), django_capture_on_commit_callbacks)
    client = client_for(world.users[role])  # a superior or the administrator included
    assert client.get(detail(job)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(download(job)).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_goes_to_login(world, client, client_for, entries, small_limit,
                                 django_capture_on_commit_callbacks):  # fmt: skip
    job = start(client_for(world.users[Role.BRANCH_SECRETARY]), django_capture_on_commit_callbacks)
    client.logout()
    for address in (detail(job), download(job)):
        response = client.get(address)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("login"))


def test_a_list_the_user_does_not_have_cannot_be_exported_in_the_background(
    world, client_for, entries, small_limit
):
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    assert client.post(EXPORT).status_code == HTTPStatus.NOT_FOUND
    assert client.post(EXPORT + "?colour=purple").status_code == HTTPStatus.NOT_FOUND
    bad = client_for(world.users[Role.BRANCH_SECRETARY]).post(EXPORT + "?colour=purple")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert not ExportJob.objects.exists()


def test_after_a_day_the_file_is_gone_and_the_page_says_so(
    world, client_for, entries, small_limit, django_capture_on_commit_callbacks
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    job = start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    name = job.file
    assert export_storage().exists(name)
    assert export_jobs_purge() == 0  # still within its day

    later = job.expires_at + dt.timedelta(seconds=1)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.expires_at - dt.timedelta(days=2))
    expired = client.get(download(job))
    assert expired.status_code == HTTPStatus.GONE
    assert 'data-testid="export-expired"' in expired.content.decode()

    assert export_jobs_purge(now=later) == 1
    assert not export_storage().exists(name)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and job.file == ""
    assert client.get(download(job)).status_code == HTTPStatus.GONE
    assert export_jobs_purge(now=later) == 0  # once
    assert Entry.objects.count() == 4


def _wait_until_finished(job_pk: int, timeout: float = 60) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_pk)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"export job {job_pk} did not finish in {timeout}s: {job.status}")


@override_settings(EXPORT_INLINE_MAX_ROWS=2)
def test_a_large_export_runs_on_a_real_worker(real_worker, client):
    """On the configured broker (the file-system one by default, as in `make run`; Redis in CI),
    a worker in a thread of this process writes the file the requester then downloads."""
    # A transactional test's database may have been flushed by an earlier one on this worker:
    # put back the channels and service items a migration seeds.
    import importlib

    from django.apps import apps

    importlib.import_module("liaison.migrations.0005_seed_taxonomies").seed(apps, None)
    world = build_world()
    secretary = world.users[Role.BRANCH_SECRETARY]
    for title in ("变压器增容", "路灯不亮", "电费咨询"):
        make_entry(secretary, informant=world.special_a, title=title)
    client.force_login(secretary)
    response = client.post(EXPORT)
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == detail(job)
    job = _wait_until_finished(job.pk)
    assert job.status == ExportJob.Status.DONE
    assert len(rows_of(client.get(download(job)))) == 1 + 3
