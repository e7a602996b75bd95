"""A large import goes through a real Celery worker on the configured broker.

On the embedded defaults that is the file-system broker; in CI (REDIS_URL set) it is Redis.
The worker runs in a thread of the test process and reads the committed test database.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ledger_site.celery import app
from liaison.constants import Role
from liaison.models import ImportJob, Person
from tests.fixtures.factories import build_world
from tests.liaison.test_imports import many_people, upload


@pytest.fixture
def real_worker(transactional_db):
    """Start a worker thread on the real broker, with eager execution off."""
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_until_finished(job_pk: int, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_pk)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"import job {job_pk} did not finish in {timeout}s: {job.status}")


@override_settings(IMPORT_INLINE_MAX_ROWS=5)
def test_a_large_import_runs_on_a_real_worker(real_worker, client):
    world = build_world()
    client.force_login(world.users[Role.PARTY_BUILDING])
    response = upload(client, many_people(40), dry_run=False)
    job = ImportJob.objects.latest("pk")
    assert response.url == reverse("liaison:import_detail", args=[job.pk])
    job = _wait_until_finished(job.pk)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.processed_rows == job.total_rows == 40
    assert Person.objects.filter(code__startswith="M").count() == 40
