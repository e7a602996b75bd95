"""Issue 16, part 4: the dashboard loads only the ECharts parts it draws with, a bundle made by
scripts/vendor_assets.py (esbuild) from scripts/echarts_dashboard.js, not the full build."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from feedback.services.rollups import rollups_rebuild
from liaison.constants import Role
from tests.fixtures.factories import make_entry

ROOT = Path(settings.BASE_DIR)
BUNDLE = "vendor/echarts/echarts-dashboard.min.js"


def test_the_dashboard_loads_the_small_bundle(world, client_for):
    make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 3, 2))
    rollups_rebuild()
    page = client_for(world.users[Role.PARTY_BUILDING]).get(
        reverse("feedback:dashboard"), {"period": "2026-Q1"}
    )
    body = page.content.decode()
    assert "data-chart=" in body
    assert f"/static/{BUNDLE}" in body
    assert "echarts.min.js" not in body
    found = finders.find(BUNDLE)
    assert found, "run `make assets` (scripts/vendor_assets.py) to build the bundle"
    assert Path(found).stat().st_size < 700_000  # the full build is 1,034,102 bytes


def test_the_bundle_registers_every_chart_type_the_dashboard_draws():
    """A series type the dashboard's selectors start to use must be imported in the entry."""
    types = set(
        re.findall(r'"type": "(\w+)"', (ROOT / "feedback/selectors/dashboard.py").read_text())
    )
    entry = (ROOT / "scripts/echarts_dashboard.js").read_text()
    assert types == {"bar", "line"}
    for kind in types:
        assert f"{kind.capitalize()}Chart" in entry
    script = (ROOT / "static/js/dashboard.js").read_text()
    assert 'renderer: "svg"' in script and "SVGRenderer" in entry
    for option in ("tooltip", "legend", "grid"):
        assert f"{option}:" in script
        assert f"{option.capitalize()}Component" in entry
