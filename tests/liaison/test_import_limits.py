"""Issue 14, item 8b: the Excel import refuses a zip bomb (a small file that unpacks to far
more) and a workbook over IMPORT_MAX_ROWS, counted as the rows stream (a lying <dimension> tag
does not hide them), with a clear message, 400 and nothing written."""

from __future__ import annotations

import io
import time
import zipfile
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from liaison.constants import Role
from liaison.models import ImportJob, Person
from liaison.services import imports
from tests.fixtures.imports import many_people, upload


@pytest.fixture
def maintainer_client(world, client_for):
    return client_for(world.users[Role.PARTY_BUILDING])


def rewrite(content: bytes, change) -> bytes:
    """The workbook with each member's bytes passed through change(name, data)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def zip_bomb(padding: int = 40 * 1024 * 1024) -> bytes:
    """A valid workbook whose people sheet carries `padding` bytes of whitespace: a few dozen KB
    that unpack to 40 MB (the probe's was 287 KB → 280 MB)."""

    def pad(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
        return data

    return rewrite(many_people(3), pad)


def assert_refused(response, text: str) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert 'data-testid="file-errors"' in body
    assert text in body, body[body.index('data-testid="file-errors"') :][:600]
    assert ImportJob.objects.count() == 0
    assert not Person.objects.filter(code__startswith="M0").exists()


def test_a_zip_bomb_is_refused_before_it_is_parsed(maintainer_client):
    content = zip_bomb()
    assert len(content) < 200 * 1024
    started = time.monotonic()
    response = upload(maintainer_client, content)
    assert time.monotonic() - started < 5
    assert_refused(response, "压缩炸弹")


def test_an_unpacked_size_over_the_setting_is_refused(maintainer_client):
    content = many_people(50)
    with override_settings(IMPORT_MAX_UNPACKED_BYTES=20_000):
        assert_refused(upload(maintainer_client, content), "压缩炸弹")


def test_a_workbook_over_the_row_cap_is_refused(maintainer_client):
    with override_settings(IMPORT_MAX_ROWS=10):
        assert_refused(upload(maintainer_client, many_people(11)), "超过 10 行")
        response = upload(maintainer_client, many_people(10))
    assert response.status_code == HTTPStatus.FOUND  # at the cap: accepted


def test_a_lying_dimension_does_not_hide_rows(maintainer_client):
    """The count streams the rows: a <dimension ref="A1"/> claiming one row changes nothing."""

    def lie(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            start = data.index(b"<dimension ")
            end = data.index(b"/>", start) + 2
            return data[:start] + b'<dimension ref="A1"/>' + data[end:]
        return data

    content = rewrite(many_people(11), lie)
    with override_settings(IMPORT_MAX_ROWS=10):
        assert_refused(upload(maintainer_client, content), "超过 10 行")


def test_the_count_streams_every_row_and_stops_at_the_cap():
    assert imports.estimate_rows(many_people(40)) == 40
    with override_settings(IMPORT_MAX_ROWS=40):
        assert imports.estimate_rows(many_people(40)) == 40
    with override_settings(IMPORT_MAX_ROWS=39), pytest.raises(ValidationError) as refused:
        imports.estimate_rows(many_people(40))
    assert refused.value.code == "too_many_rows"


def test_the_worker_stops_at_the_cap_too():
    """read_sheets (the check and the import) counts filled rows against the same cap."""
    from liaison.services.imports.workbook import read_sheets

    assert len(read_sheets(many_people(12))["人员"]) == 12
    with override_settings(IMPORT_MAX_ROWS=11), pytest.raises(ValidationError):
        read_sheets(many_people(12))
