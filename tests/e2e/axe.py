"""axe-core in the browser tests: each page a test opens is checked against WCAG 2.0/2.1 A and AA.

axe.min.js comes from the npm registry like the other front-end assets (assets.json's
test_packages, installed by `make setup` into build/test-vendor, which the app never serves):
Playwright adds it to the pages the tests open, users' pages never load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

AXE_JS = Path(__file__).resolve().parents[2] / "build" / "test-vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

# Run the WCAG rules, keep only what fails the build.
RUN_AXE = """async ([tags, impacts]) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => {
      const target = n.target.join(" ");
      const c = (n.any[0] || {}).data || {};
      if (!c.contrastRatio) return target;
      return `${target} (${c.contrastRatio}:1, ${c.fgColor} on ${c.bgColor})`;
    }),
  }));
}"""


class AxeChecker:
    """Run axe on each page a Playwright page loads: once per URL and login, before the next step.

    A load event only notes the page; the test's next call on the page runs axe, in the test's
    own thread, so a check never races the step that follows it. htmx swaps fire no load event
    and are not checked again. The same URL is checked again under another login: the home page
    differs by role.
    """

    def __init__(self, page: Any) -> None:
        self.page = page
        self.pending: set[str] = set()
        self.checked: set[tuple[str, str]] = set()
        self.violations: list[dict[str, Any]] = []
        page.on("load", lambda loaded: self.pending.add(loaded.url))
        # In every document before its own scripts, through the DevTools protocol: no <script>
        # tag, so a strict Content-Security-Policy does not refuse it.
        page.add_init_script(path=AXE_JS)

    def check_pending(self) -> None:
        url = self.page.url
        if url not in self.pending:
            return
        key = (url, self._session())
        if key not in self.checked and url.startswith("http"):
            try:
                found = self.page.evaluate(RUN_AXE, [AXE_TAGS, sorted(FAILING_IMPACTS)])
            except Exception as error:  # the page navigated mid-check: again at the next step
                if "context was destroyed" in str(error) or "navigat" in str(error):
                    return
                raise
            self.checked.add(key)
            self.violations.extend({**violation, "url": url} for violation in found)
        self.pending.discard(url)

    def finish(self) -> None:
        """Check the page the test ended on."""
        try:
            self.page.wait_for_load_state()
        except Exception:  # a page closed or crashed: the test itself says why
            return
        self.check_pending()

    def report(self) -> str:
        lines = [f"axe-core: {len(self.violations)} serious or critical WCAG 2.1 AA violation(s)"]
        for v in self.violations:
            lines.append(f"- {v['id']} ({v['impact']}) on {v['url']}: {v['help']}")
            lines.extend(f"    {target}" for target in v["targets"])
        return "\n".join(lines)

    def _session(self) -> str:
        """The login a page is seen under: the same URL (the home page) differs by role."""
        for cookie in self.page.context.cookies(self.page.url):
            if cookie["name"] == settings.SESSION_COOKIE_NAME:
                return cookie["value"]
        return ""


class CheckedPage:
    """A Playwright page whose every call first runs the pending axe check."""

    def __init__(self, page: Any, checker: AxeChecker) -> None:
        self._page = page
        self._checker = checker

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._page, name)
        if not callable(attribute):
            return attribute

        def checked(*args: Any, **kwargs: Any) -> Any:
            self._checker.check_pending()
            return attribute(*args, **kwargs)

        return checked
