"""A large import goes through a real Celery worker on the configured broker.

On the embedded defaults that is the file-system broker; in CI (REDIS_URL set) it is Redis.
The worker runs in a thread of the test process and reads the committed test database.
"""

from __future__ import annotations

import time

from django.test import override_settings
from django.urls import reverse

from liaison.constants import Role
from liaison.models import ImportJob, Person
from tests.fixtures.factories import build_world
from tests.fixtures.imports import many_people, upload


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
