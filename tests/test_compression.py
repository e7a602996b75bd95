"""Issue 16, part 4: bytes on the wire. Pages go out gzip-compressed (Django's GZipMiddleware,
with its BREACH padding), file downloads untouched; the static files of a production build are
precompressed with Brotli and gzip (WhiteNoise, with the pinned brotli package)."""

from __future__ import annotations

import gzip
from http import HTTPStatus

from django.conf import settings
from django.urls import reverse
from whitenoise.compress import Compressor

from liaison.constants import Role
from tests.fixtures.factories import make_entry

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_page_is_gzipped_with_vary(world, client_for):
    make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.special_a)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(reverse("liaison:ledger_branch"), headers=GZIP)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "变压器增容" in page
    plain = client.get(reverse("liaison:ledger_branch"))
    assert not plain.has_header("Content-Encoding")  # only for a client that asks


def test_two_responses_of_one_page_differ_in_length_breach_padding(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    sizes = {len(client.get(reverse("home"), headers=GZIP).content) for _ in range(6)}
    assert len(sizes) > 1


def test_a_download_is_never_compressed(world, client_for):
    make_entry(world.users[Role.BRANCH_SECRETARY], informant=world.special_a)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(reverse("liaison:ledger_branch_export"), headers=GZIP)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment;")
    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content)[:2] == b"PK"  # the .xlsx itself


def test_the_gzip_middleware_sits_below_whitenoise():
    middleware = settings.MIDDLEWARE
    assert "django.middleware.gzip.GZipMiddleware" not in middleware
    position = middleware.index("common.http.PageGZipMiddleware")
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < position
    assert position < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_static_files_are_precompressed_with_brotli_and_gzip(tmp_path):
    source = tmp_path / "dashboard.js"
    source.write_text("const chart = 'ECharts';\n" * 200)
    compressor = Compressor(quiet=True)
    assert compressor.use_brotli  # the brotli package is installed (pinned in pyproject)
    written = sorted(p.rsplit(".", 1)[-1] for p in compressor.compress(str(source)))
    assert written == ["br", "gz"]
