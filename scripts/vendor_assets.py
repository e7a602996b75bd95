#!/usr/bin/env python3
"""Install the front-end assets listed in assets.json from the npm registry into build/vendor.

The test packages (axe-core for the browser tests) go to build/test-vendor instead: build/vendor
is served whole as /static/vendor/ and collected for production, a test tool must not be.

Needs only Python: each package's tarball is downloaded, checked against its pinned sha512
integrity, and the listed files are extracted. A package already installed at its pinned
version is skipped, so the script is cheap to run on every `make`.
Set NPM_REGISTRY to use a mirror.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "build" / "vendor"
TEST_TARGET = ROOT / "build" / "test-vendor"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def tarball_url(name: str, version: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"integrity mismatch for {integrity[:20]}…: got {algorithm}-{digest}")


def install(package: dict, target: Path) -> None:
    stamp = target / f".{package['name']}.version"
    if stamp.exists() and stamp.read_text() == package["version"]:
        return
    url = tarball_url(package["name"], package["version"])
    print(f"fetching {package['name']}@{package['version']}", file=sys.stderr)
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    check_integrity(data, package["integrity"])
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for source, destination in package["files"].items():
            member = archive.getmember(f"package/{source}")
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{source} is not a file in {package['name']}")
            out = target / destination
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(extracted.read())
    stamp.write_text(package["version"])


def main() -> None:
    manifest = json.loads((ROOT / "assets.json").read_text())
    for key, target in (("packages", TARGET), ("test_packages", TEST_TARGET)):
        target.mkdir(parents=True, exist_ok=True)
        for package in manifest.get(key, []):
            install(package, target)


if __name__ == "__main__":
    main()
