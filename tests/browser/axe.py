"""axe-core in the browser tests: the copy bundled with axe-playwright-python, never a CDN.

The site's Content-Security-Policy allows scripts from itself only, so the audited page
must come from a context opened with `bypass_csp=True` (see `audit_page` in
test_accessibility.py) for the injected <script> to run.
"""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def run_axe(page: Page, rules: list[str] | None = None) -> list[dict]:
    """Every violation axe finds on the page as it is now (WCAG 2.x A and AA rules,
    or only `rules` when given)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    options: dict = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    else:
        options["runOnly"] = {"type": "tag", "values": WCAG_TAGS}
    results = page.evaluate("options => axe.run(document, options)", options)
    return results["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict]) -> str:
    """A report a person can act on: rule, impact, help, and each failing element."""
    lines = []
    for violation in violations:
        impact, rule = violation["impact"], violation["id"]
        lines.append(f"[{impact}] {rule}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            lines.append(f"       {summary[:400]}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Page, where: str, rules: list[str] | None = None):
    found = blocking(run_axe(page, rules))
    assert not found, f"axe on {where} ({page.url}):\n{describe(found)}"
