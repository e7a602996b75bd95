#!/usr/bin/env python3
"""Install the front-end assets listed in assets.json from the npm registry into build/vendor.

The test packages (axe-core for the browser tests) go to build/test-vendor instead: build/vendor
is served whole as /static/vendor/ and collected for production, a test tool must not be.

Needs only Python: each package's tarball is downloaded, checked against its pinned sha512
integrity, and the listed files are extracted. A package already installed at its pinned
version is skipped, so the script is cheap to run on every `make`.

Bundles (the dashboard's ECharts, only the parts it draws with): their sources (echarts and its
dependencies) are unpacked whole into build/bundle/node_modules, and esbuild, a single binary
from its pinned per-platform npm package (@esbuild/linux-x64 …, checked the same way; no Node.js
needed), bundles and minifies each entry module into build/vendor. A bundle whose entry and
pins have not changed is skipped.
Set NPM_REGISTRY to use a mirror.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "build" / "vendor"
TEST_TARGET = ROOT / "build" / "test-vendor"
BUNDLE_ROOT = ROOT / "build" / "bundle"
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")


def tarball_url(name: str, version: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return f"{REGISTRY}/{name}/-/{base}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"integrity mismatch for {integrity[:20]}…: got {algorithm}-{digest}")


def fetch(name: str, version: str, integrity: str) -> bytes:
    """The package's tarball from the registry, checked against its pinned integrity."""
    print(f"fetching {name}@{version}", file=sys.stderr)
    with urllib.request.urlopen(tarball_url(name, version), timeout=120) as response:
        data = response.read()
    check_integrity(data, integrity)
    return data


def install(package: dict, target: Path) -> None:
    stamp = target / f".{package['name']}.version"
    # The version and the files taken: a change to either installs again.
    pinned = package["version"] + "\n" + json.dumps(package["files"], sort_keys=True)
    if (
        stamp.exists()
        and stamp.read_text() in (pinned, package["version"])
        and all((target / destination).exists() for destination in package["files"].values())
    ):
        return
    data = fetch(package["name"], package["version"], package["integrity"])
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for source, destination in package["files"].items():
            member = archive.getmember(f"package/{source}")
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{source} is not a file in {package['name']}")
            out = target / destination
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(extracted.read())
    stamp.write_text(pinned)


def unpack(package: dict, node_modules: Path) -> None:
    """Unpack the whole package into node_modules/<name> (for the bundler to resolve)."""
    destination = node_modules / package["name"]
    stamp = destination / ".pinned-version"
    if stamp.exists() and stamp.read_text() == package["version"]:
        return
    data = fetch(package["name"], package["version"], package["integrity"])
    shutil.rmtree(destination, ignore_errors=True)
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        members = []
        for member in archive.getmembers():
            # npm tarballs hold everything under one top folder, "package/" for most.
            _top, _, rest = member.name.partition("/")
            if rest and (member.isfile() or member.isdir()):
                member.name = rest
                members.append(member)
        archive.extractall(destination, members=members, filter="data")
    stamp.write_text(package["version"])


def esbuild_binary(pin: dict) -> Path:
    """The pinned esbuild binary for this machine, from its platform's npm package."""
    machine = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    key = f"{sys.platform}-{machine}"
    if key not in pin["binaries"]:
        raise SystemExit(f"no esbuild pinned for {key} in assets.json (esbuild.binaries)")
    binary = BUNDLE_ROOT / "bin" / f"esbuild-{pin['version']}-{key}"
    if binary.exists():
        return binary
    data = fetch(f"@esbuild/{key}", pin["version"], pin["binaries"][key])
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        extracted = archive.extractfile("package/bin/esbuild")
        if extracted is None:
            raise SystemExit(f"no bin/esbuild in @esbuild/{key}")
        binary.parent.mkdir(parents=True, exist_ok=True)
        binary.write_bytes(extracted.read())
    binary.chmod(0o755)
    return binary


def bundle(entry: dict, manifest: dict, target: Path) -> None:
    """Bundle and minify one entry module (an IIFE for a plain <script>) into target."""
    source = ROOT / entry["entry"]
    output = target / entry["output"]
    pins = {"esbuild": manifest["esbuild"], "sources": manifest["bundle_sources"]}
    key = hashlib.sha256(source.read_bytes() + json.dumps(pins, sort_keys=True).encode())
    stamp = output.with_name(f".{output.name}.sha256")
    if output.exists() and stamp.exists() and stamp.read_text() == key.hexdigest():
        return
    node_modules = BUNDLE_ROOT / "node_modules"
    for package in manifest["bundle_sources"]:
        unpack(package, node_modules)
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(esbuild_binary(manifest["esbuild"])),
        str(source),
        "--bundle",
        "--minify",
        "--format=iife",
        "--target=es2017",
        "--legal-comments=none",
        f"--outfile={output}",
    ]
    print(f"bundling {entry['entry']} -> {output.relative_to(ROOT)}", file=sys.stderr)
    subprocess.run(command, check=True, env={**os.environ, "NODE_PATH": str(node_modules)})
    stamp.write_text(key.hexdigest())


def main() -> None:
    manifest = json.loads((ROOT / "assets.json").read_text())
    for key, target in (("packages", TARGET), ("test_packages", TEST_TARGET)):
        target.mkdir(parents=True, exist_ok=True)
        for package in manifest.get(key, []):
            install(package, target)
    for entry in manifest.get("bundles", []):
        bundle(entry, manifest, TARGET)


if __name__ == "__main__":
    main()
