"""The web page in a real headless Chromium (Debian's `chromium`, driven by Playwright with
`executable_path`; nothing is downloaded): send the demo task, see the plan graph drawn,
approve, see the verdicts and the final result. Saves a screenshot (to
$TOOLPATH_SERVE_SCREENSHOT when set, e.g. reports/serve/screenshot.png)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from serve_helpers import scripted_env, scripted_server


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("no system chromium (Debian: apt-get install -y chromium; .ci/run tries)")
    return found


def test_page_plans_approves_and_shows_the_result(tmp_path):
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    shot = Path(os.environ.get("TOOLPATH_SERVE_SCREENSHOT", tmp_path / "screenshot.png"))
    with scripted_server(scripted_env(tmp_path)) as (url, _), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(url)
            page.click("#demo")
            page.wait_for_selector("#dag g.node", timeout=20_000)  # the plan, drawn
            assert page.locator("#dag g.node").count() == 3
            assert page.locator("#dag line").count() == 2  # two experts -> the merge
            page.wait_for_selector("#approve:not([disabled])", timeout=20_000)
            assert "expected cost" in page.inner_text("#expected")
            page.click("#approve")
            page.wait_for_selector("#verdicts li.bad", timeout=30_000)  # merge_first fails
            page.wait_for_function(
                "document.querySelector('#result').textContent.startsWith('succeeded')",
                timeout=30_000,
            )
            states = page.eval_on_selector_all("#dag g.node", "ns => ns.map(n => n.dataset.state)")
            assert states == ["passed", "passed", "passed"]
            assert page.locator("#verdicts li.ok").count() >= 3
            assert "merge_sum" in page.inner_text("#verdicts")
            page.wait_for_selector("#runs tbody tr")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
