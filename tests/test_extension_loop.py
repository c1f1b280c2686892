"""The extension's first run and editing loop (issue 21), in Debian's Chromium with Playwright.

A fresh profile has no server set: the setup page opens by itself and the popup shows a setup
notice, not an error; 接続テスト tells reachable / unreachable / wrong key apart for the typed
address; the popup keeps its draft across close and reopen; popup and in-page panel have undo,
copy and apply-all; the panel leads with the fixes; 「このままにする」 is shared through the
options page; a stale status line is cleared by a later connection error.

Screenshots go to test-output/extension/ (names start with loop-).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server, free_port, start_server, stop_server
from tests.test_extension import (
    CHROMIUM,
    HARD_SELL,
    WAIT_MS,
    Extension,
    build,  # noqa: F401 - module-scoped unpacked build
    configured,  # noqa: F401 - the extension pointed at the test server, one site opted in (uses `ext` below)
    expect,
    open_options,
    open_test_page,
    pages,  # noqa: F401
    shot,
    wait_badge,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    """One Playwright for this module: a second sync_playwright() may not start while one runs."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium", pytrace=False)
    with sync_playwright() as playwright:
        yield playwright


def launch(pw: Any, build_dir: Path, user_data: Path) -> Iterator[Extension]:
    context = pw.chromium.launch_persistent_context(
        str(user_data),
        executable_path=str(CHROMIUM),
        headless=False,
        args=[
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            f"--disable-extensions-except={build_dir}",
            f"--load-extension={build_dir}",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
        viewport={"width": 1000, "height": 800},
        locale="ja-JP",
    )
    context.set_default_timeout(WAIT_MS)
    try:
        workers = [w for w in context.service_workers if w.url.startswith("chrome-extension://")]
        worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=WAIT_MS)
        assert worker.evaluate("() => globalThis.urikomi !== undefined"), "service worker did not start"
        yield Extension(context, worker, worker.url.split("/")[2])
    finally:
        context.close()


@pytest.fixture(scope="module")
def ext(pw: Any, build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Extension]:  # noqa: F811
    """This module's long-lived extension (`configured` points it at the test server)."""
    yield from launch(pw, build, tmp_path_factory.mktemp("chromium-profile"))


@pytest.fixture()
def fresh(pw: Any, build: Path, tmp_path: Path) -> Iterator[Extension]:  # noqa: F811
    """A newly installed extension in a new profile: nothing set yet."""
    yield from launch(pw, build, tmp_path / "profile")


def open_popup(extension: Extension) -> Any:
    page = extension.context.new_page()
    page.set_viewport_size({"width": 460, "height": 900})
    page.goto(extension.url("popup.html"))
    page.wait_for_selector("body[data-ready='true']")
    return page


def softened(server: Server, text: str) -> str:
    response = httpx.post(f"{server.base_url}/v1/analyze", json={"text": text, "lang": "ja"}, timeout=30)
    assert response.status_code == 200
    return str(response.json()["softened_text"])


# ---- first run ----------------------------------------------------------------------------------


def test_first_run_opens_the_setup_page_and_the_popup_shows_setup_not_an_error(fresh: Extension) -> None:
    setup = None
    for _ in range(100):
        setup = next((p for p in fresh.context.pages if p.url.startswith(fresh.url("options.html"))), None)
        if setup:
            break
        fresh.context.pages[0].wait_for_timeout(100)
    assert setup is not None, "the setup page opens by itself on install"
    setup.wait_for_selector("body[data-ready='true']")
    assert setup.get_attribute("#server-state", "data-configured") == "false"
    assert "まだ設定されていません" in setup.inner_text("#server-state")
    assert "できること" in setup.inner_text(".ext-welcome")
    assert setup.inner_text("label[for='api-base']") == "サーバーのアドレス"
    assert "storage.local" not in setup.inner_text("body") and "API の URL" not in setup.inner_text("body")
    shot(setup, "loop-first-run-setup")
    setup.close()

    popup = open_popup(fresh)
    popup.wait_for_selector("body[data-state='setup']")
    assert popup.locator(".ext-setup").is_visible()
    assert popup.locator(".ext-error, [role='alert']").count() == 0, "not set yet is a notice, not an error"
    popup.fill("#draft", HARD_SELL)
    popup.click("#check")
    popup.wait_for_selector("body[data-state='setup']")
    assert popup.locator(".ext-error").count() == 0
    shot(popup, "loop-first-run-popup")
    with fresh.context.expect_page() as opened:
        popup.click(".ext-setup__open")
    opened.value.wait_for_load_state()
    assert opened.value.url.startswith(fresh.url("options.html"))


def test_connection_test_reports_reachable_unreachable_and_wrong_key(
    fresh: Extension, server: Server, tmp_path: Path
) -> None:
    page = fresh.context.new_page()
    open_options(page, fresh.url("options.html"))
    page.wait_for_selector("body[data-ready='true']")
    status = page.locator("#server-status")

    def test_connection(address: str, key: str = "") -> str:
        page.evaluate("() => { delete document.getElementById('server-status').dataset.result; }")
        page.fill("#api-base", address)
        page.fill("#api-key", key)
        page.click("#test")
        page.wait_for_function(
            "() => { const r = document.getElementById('server-status').dataset.result; return r && r !== 'testing'; }"
        )
        return status.get_attribute("data-result") or ""

    assert test_connection("") == "not_set"
    assert test_connection(f"http://127.0.0.1:{free_port()}") == "unreachable"
    assert "接続できませんでした" in status.inner_text()
    assert test_connection(server.base_url) == "reachable"
    assert "接続できました" in status.inner_text()
    shot(page, "loop-connection-reachable")
    guarded = start_server(tmp_path, {"URIKOMI_API_KEYS": hashlib.sha256(b"right-key").hexdigest()})
    try:
        assert test_connection(guarded.base_url, "wrong-key") == "wrong_key"
        assert "キーが違います" in status.inner_text()
        shot(page, "loop-connection-wrong-key")
        assert test_connection(guarded.base_url) == "wrong_key"
        assert "キーが必要です" in status.inner_text()
        assert test_connection(guarded.base_url, "right-key") == "reachable"
    finally:
        stop_server(guarded)
    # testing saves nothing: the address is stored only by 「保存する」
    assert fresh.worker.evaluate("() => chrome.storage.sync.get('apiBase')") == {}
    page.click("#save")
    page.wait_for_selector("body[data-saved='true']")
    assert page.get_attribute("#server-state", "data-configured") == "true"


# ---- popup ----------------------------------------------------------------------------------------


def test_popup_draft_survives_close_and_reopen(configured: Extension) -> None:  # noqa: F811
    popup = open_popup(configured)
    popup.fill("#draft", HARD_SELL)
    popup.wait_for_function(
        "async (text) => (await chrome.storage.session.get('popupDraft')).popupDraft === text", arg=HARD_SELL
    )
    popup.close()
    again = open_popup(configured)
    assert again.input_value("#draft") == HARD_SELL
    again.wait_for_selector("body[data-state='hard_sell']")  # checked again on opening
    assert configured.worker.evaluate("() => chrome.storage.local.get(null)").get("popupDraft") is None
    assert configured.worker.evaluate("() => chrome.storage.sync.get('popupDraft')") == {}
    again.fill("#draft", "")
    again.close()


def test_popup_has_undo_copy_and_apply_all(configured: Extension, server: Server) -> None:  # noqa: F811
    popup = open_popup(configured)
    popup.click("#copy")
    expect(popup.locator("#status")).to_contain_text("コピーするものがありません")
    popup.fill("#draft", HARD_SELL)
    popup.click("#check")
    popup.wait_for_selector("body[data-state='hard_sell']")
    # the report leads with the fixes; the meters are folded
    order = popup.eval_on_selector_all(".ext-report > *", "ns => ns.map(n => n.tagName + '.' + n.className)")
    assert order.index("DIV.uk-suggestions") < order.index("DETAILS.ext-details"), order
    assert popup.locator(".ext-details[open]").count() == 0
    assert popup.locator(".ext-details [role='meter']").count() == 3

    button = popup.locator(".uk-suggestion .uk-replacement").first
    button.click()
    popup.wait_for_function("(v) => document.getElementById('draft').value !== v", arg=HARD_SELL)
    assert popup.is_enabled("#undo")
    popup.click("#undo")
    popup.wait_for_function("(v) => document.getElementById('draft').value === v", arg=HARD_SELL)
    expect(popup.locator("#status")).to_contain_text("元に戻しました")
    popup.wait_for_selector("body[data-state='hard_sell']")
    popup.wait_for_function("() => !document.getElementById('apply-all').disabled")
    popup.click("#apply-all")
    popup.wait_for_function("(v) => document.getElementById('draft').value === v", arg=softened(server, HARD_SELL))
    popup.focus("#draft")
    popup.keyboard.press("Control+z")  # the browser's own undo
    popup.wait_for_function("(v) => document.getElementById('draft').value === v", arg=HARD_SELL)
    popup.click("#copy")
    expect(popup.locator("#status")).to_contain_text("コピーしました")
    shot(popup, "loop-popup-actions")
    popup.fill("#draft", "")
    popup.focus("#draft")
    popup.keyboard.press("Control+v")  # what was copied is what the browser pastes
    popup.wait_for_function("(v) => document.getElementById('draft').value === v", arg=HARD_SELL)
    popup.fill("#draft", "")
    popup.close()


def test_keep_as_is_in_the_popup_is_shared_with_the_options_page_and_sent(configured: Extension) -> None:  # noqa: F811
    popup = open_popup(configured)
    try:
        popup.fill("#draft", HARD_SELL)
        popup.click("#check")
        popup.wait_for_selector("body[data-state='hard_sell']")
        keep = popup.locator(".uk-keep[data-keep-kind='term']").first
        term = keep.get_attribute("data-keep-value") or ""
        assert term and term in HARD_SELL
        keep.click()
        expect(popup.locator("#status")).to_contain_text("今後指摘しません")
        assert {"kind": "term", "value": term} in configured.worker.evaluate("() => chrome.storage.sync.get('keep')")["keep"]
        # the next check sent it as allow_terms: the phrase is no longer marked
        marks = popup.eval_on_selector_all(".uk-draft__text mark.uk-hl", "ns => ns.map(n => n.textContent)")
        assert term not in marks, marks
        options = configured.context.new_page()
        open_options(options, configured.url("options.html"))
        options.wait_for_selector("body[data-ready='true']")
        item = options.locator(f"#keep [data-keep-value='{term}']")
        assert item.is_visible()
        shot(options, "loop-options-kept")
        item.locator("button").click()
        expect(options.locator("#keep [data-keep-value]")).to_have_count(0)
        assert configured.worker.evaluate("() => chrome.storage.sync.get('keep')")["keep"] == []
        options.close()
    finally:
        configured.storage("sync", {"keep": []})
        popup.fill("#draft", "")
        popup.close()


# ---- in-page panel ------------------------------------------------------------------------------------


def open_panel(page: Any) -> Any:
    page.locator("[data-urikomi-badge]").click()
    panel = page.locator("[data-urikomi-panel]")
    panel.wait_for(state="visible")
    return panel


def test_panel_leads_with_fixes_and_has_undo_copy_and_apply_all(
    configured: Extension,  # noqa: F811
    server: Server,
    pages: tuple[str, str],  # noqa: F811
) -> None:
    opted, _ = pages
    configured.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=opted)
    page = open_test_page(configured, opted)
    page.click("#ta")
    page.keyboard.insert_text(HARD_SELL)
    wait_badge(page, "hard_sell")
    panel = open_panel(page)
    panel.locator(".uk-suggestions").wait_for()
    order = panel.locator(".ext-report > *").evaluate_all("ns => ns.map(n => n.tagName + '.' + n.className)")
    assert order.index("DIV.uk-suggestions") < order.index("DETAILS.ext-details"), order
    assert panel.locator(".ext-details[open]").count() == 0, "the meters are folded"
    box = panel.locator(".uk-suggestion").first.bounding_box()
    assert box and box["y"] < 800, "the first fix is in view when the panel opens"
    shot(page, "loop-panel")

    panel.locator(".uk-suggestion .uk-replacement").first.click()
    page.wait_for_function("(v) => document.getElementById('ta').value !== v", arg=HARD_SELL)
    panel.locator(".ukx-panel__undo:not([disabled])").wait_for()
    panel.locator(".ukx-panel__undo").click()
    page.wait_for_function("(v) => document.getElementById('ta').value === v", arg=HARD_SELL)
    wait_badge(page, "hard_sell")
    panel.locator(".ukx-panel__apply-all:not([disabled])").wait_for()
    panel.locator(".ukx-panel__apply-all").click()
    page.wait_for_function("(v) => document.getElementById('ta').value === v", arg=softened(server, HARD_SELL))
    inputs = page.evaluate("() => window.__inputs")
    assert any(e["id"] == "ta" for e in inputs), "the page saw the edit as input"
    panel.locator(".ukx-panel__copy").click()
    expect(panel.locator(".ukx-panel__status")).to_contain_text("コピーしました")
    assert page.evaluate("navigator.clipboard.readText()") == softened(server, HARD_SELL)
    page.close()


def test_panel_status_is_cleared_when_a_later_connection_error_supersedes_it(
    configured: Extension,  # noqa: F811
    server: Server,
    pages: tuple[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    opted, _ = pages
    other = start_server(tmp_path)
    try:
        configured.storage("sync", {"apiBase": other.base_url})
        page = open_test_page(configured, opted)
        page.click("#ta")
        page.keyboard.insert_text(HARD_SELL)
        wait_badge(page, "hard_sell")
        panel = open_panel(page)
        panel.locator(".uk-suggestion .uk-replacement").first.click()
        expect(panel.locator(".ukx-panel__status")).to_contain_text("置き換えました")
        page.wait_for_function("() => document.querySelector('urikomi-ui') !== null")
        stop_server(other)
        page.click("#ta")
        page.keyboard.press("End")
        page.keyboard.insert_text("ぜひ。")
        wait_badge(page, "unreachable")
        panel.locator(".ext-error[data-error='unreachable']").wait_for()
        assert panel.locator(".ukx-panel__status").text_content() == "", "the old 「置き換えました」 is gone"
        shot(page, "loop-panel-superseded")
        page.close()
    finally:
        stop_server(other)
        configured.storage("sync", {"apiBase": server.base_url})


# ---- accessibility ------------------------------------------------------------------------------------


def test_axe_finds_no_violations_on_the_setup_page_and_the_popup(fresh: Extension, server: Server) -> None:
    from tests.test_web_editing import AXE

    source = AXE.read_text(encoding="utf-8")

    def violations(page: Any) -> list[str]:
        page.evaluate(source)
        return page.evaluate(
            """async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .map(v => `${v.id}: ` + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )

    fresh.storage("sync", {"keep": [{"kind": "term", "value": "今だけ"}]})
    options = fresh.context.new_page()
    open_options(options, fresh.url("options.html"))
    options.wait_for_selector("body[data-ready='true']")
    assert options.locator("#keep li").count() == 1
    assert violations(options) == [], "setup page, not set yet, one kept phrase"
    popup = open_popup(fresh)
    popup.wait_for_selector("body[data-state='setup']")
    assert violations(popup) == [], "popup, not set yet"
    fresh.storage("sync", {"apiBase": server.base_url})
    popup.fill("#draft", HARD_SELL)
    popup.click("#check")
    popup.wait_for_selector("body[data-state='hard_sell']")
    popup.click(".ext-details__summary")
    assert violations(popup) == [], "popup with a result, details open"
