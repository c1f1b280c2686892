"""The browser extension (extension/), end to end in Debian's Chromium with Playwright.

A real `urikomi serve` answers; a tiny local HTTP server (127.0.0.1 only) serves a page with a
textarea, a contenteditable and a password field on two ports: one opted in, one not. Requests
are counted from the Urikomi server's JSON access log. Screenshots go to test-output/extension/.

Needs: /usr/bin/chromium (apt-get install chromium) and `pip install playwright` (no browser
download: the system Chromium is used). Missing either is a failure, never a skip.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT, Server, start_server, stop_server

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("URIKOMI_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "test-output" / "extension"
HARD_SELL = "🎉🎉今だけ半額!期間限定セール、今すぐ購入しないと損します!残りわずか!"
WAIT_MS = 15_000

TEST_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>Urikomi extension test page</title>
<style>body { font-family: sans-serif; margin: 24px; } textarea, #ce { width: 560px; min-height: 90px;
display: block; margin: 12px 0; border: 1px solid #888; padding: 6px; } </style></head>
<body>
<h1>テストページ</h1>
<p id="selectable">🎉🎉今だけ半額!期間限定セール、今すぐ購入しないと損します!残りわずか!</p>
<label>下書き <textarea id="ta"></textarea></label>
<div id="ce" contenteditable="true"></div>
<label>パスワード <input id="pw" type="password" autocomplete="off"></label>
<script>
  window.__inputs = [];
  document.addEventListener("input", (e) => {
    window.__inputs.push({ id: e.target.id, inputType: e.inputType || "", trusted: e.isTrusted });
  }, true);
</script>
</body></html>
"""


# ---- helpers -------------------------------------------------------------------------------


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def load_pack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("urikomi_extension_pack", ROOT / "extension" / "pack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def analyze_count(server: Server) -> int:
    count = 0
    for line in server.logs().splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("path") == "/v1/analyze":
            count += 1
    return count


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = TEST_PAGE.encode("utf-8")
        self.send_response(200 if self.path in ("/", "/index.html") else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Extension:
    context: Any
    worker: Any
    id: str

    def url(self, path: str) -> str:
        return f"chrome-extension://{self.id}/{path}"

    def storage(self, area: str, values: dict[str, Any]) -> None:
        self.worker.evaluate("([area, values]) => chrome.storage[area].set(values)", [area, values])

    def settle_sites(self) -> list[str]:
        return self.worker.evaluate("() => globalThis.urikomi.syncContentScripts()") or []


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The unpacked build, exactly what the zip holds (render.js copied from the web form)."""
    dest = tmp_path_factory.mktemp("extension") / "build"
    load_pack().stage(dest)
    return dest


@pytest.fixture(scope="module")
def pages() -> Iterator[tuple[str, str]]:
    """(opted-in origin, other origin): the same page on two 127.0.0.1 ports."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler) for _ in range(2)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    yield tuple(f"http://127.0.0.1:{s.server_address[1]}" for s in servers)  # type: ignore[misc]
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture(scope="module")
def ext(build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Extension]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get update && apt-get install -y chromium` "
            "(or set URIKOMI_CHROMIUM); the extension tests need a real browser",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `pip install playwright` (never `playwright install`)", pytrace=False)
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data),
            executable_path=str(CHROMIUM),
            headless=False,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                f"--disable-extensions-except={build}",
                f"--load-extension={build}",
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
            ext_id = worker.url.split("/")[2]
            worker.evaluate("() => globalThis.urikomi !== undefined") or pytest.fail("service worker did not start")
            yield Extension(context, worker, ext_id)
        finally:
            context.close()


def open_options(page: Any, url: str) -> None:
    """Go to the options page. The extension opens its setup page by itself on install, and Chrome
    may open it in this very tab while we navigate there: that second navigation to the same page
    is the outcome we want, so it is waited for, not an error."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(url)
    except PlaywrightError as exc:
        if "interrupted by another navigation" not in str(exc):
            raise
        page.wait_for_load_state("load")
    assert page.url.startswith(url), page.url


@pytest.fixture(scope="module")
def configured(ext: Extension, server: Server, pages: tuple[str, str]) -> Extension:
    """Point the extension at the test server and opt in the first test origin, through the options page."""
    opted, _ = pages
    page = ext.context.new_page()
    open_options(page, ext.url("options.html"))
    page.wait_for_selector("body[data-ready='true']")
    assert page.locator("#api-base").input_value() == ""  # no server is assumed
    assert page.get_attribute("#server-state", "data-configured") == "false"
    assert page.locator("#sites .ext-sites__item").count() == 0  # nothing opted in by default
    page.fill("#api-base", server.base_url)
    page.click("#save")
    page.wait_for_selector("body[data-saved='true']")
    page.fill("#site-origin", opted)
    page.click("#add-site")
    page.wait_for_selector(f"#sites [data-origin='{opted}']")
    page.click("#test")
    expect(page.locator("#server-status")).to_contain_text("接続できました")
    shot(page, "options")
    page.close()
    assert ext.settle_sites() == [opted]
    registered = ext.worker.evaluate("() => chrome.scripting.getRegisteredContentScripts()")
    assert [script["matches"] for script in registered] == [[f"{opted}/*"]]  # this origin (port) only
    return ext


def open_test_page(ext: Extension, url: str) -> Any:
    page = ext.context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def wait_badge(page: Any, state: str) -> Any:
    badge = page.locator("[data-urikomi-badge]")
    badge.and_(page.locator(f"[data-state='{state}']")).wait_for(state="visible")
    return badge


def type_into(page: Any, selector: str, text: str) -> None:
    page.click(selector)
    page.keyboard.insert_text(text)


# ---- packaging -----------------------------------------------------------------------------


def test_pack_writes_a_clean_zip(tmp_path: Path) -> None:
    pack = load_pack()
    out = tmp_path / "urikomi-extension.zip"
    assert pack.main(["--out", str(out), "--unpacked", str(tmp_path / "unpacked")]) == 0
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert {"manifest.json", "background.js", "content.js", "popup.html", "options.html", "vendor/render.js"} <= set(names)
    assert (ROOT / "app" / "web" / "static" / "render.js").read_bytes() == (tmp_path / "unpacked" / "vendor" / "render.js").read_bytes()
    for name in names:
        assert not name.startswith(("tests/", ".")) and "/." not in name, name
        assert not name.endswith((".py", ".md", ".map")) and ".test." not in name, name
    assert manifest["manifest_version"] == 3
    assert set(manifest["host_permissions"]) == {"http://127.0.0.1/*", "http://localhost/*"}
    assert manifest["optional_host_permissions"] == ["<all_urls>"]
    # deterministic: the same sources give the same bytes
    again = tmp_path / "again.zip"
    assert pack.main(["--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_pack_refuses_a_broken_manifest(tmp_path: Path) -> None:
    pack = load_pack()
    source = tmp_path / "src"
    shutil.copytree(ROOT / "extension", source, ignore=shutil.ignore_patterns("vendor", "__pycache__"))
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest["background"]["service_worker"] = "missing.js"
    manifest["permissions"].append("tabs")
    (source / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(pack.PackError) as caught:
        pack.stage(tmp_path / "out", source=source)
    assert "missing.js" in str(caught.value) and "tabs" in str(caught.value)


# ---- in the browser ------------------------------------------------------------------------


def test_context_menu_shows_hard_sell(configured: Extension, server: Server, pages: tuple[str, str]) -> None:
    _, other = pages  # works on any page: the user asked explicitly
    page = open_test_page(configured, other)
    selection = page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.getElementById("selectable"));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            return getSelection().toString();
        }"""
    )
    assert selection == HARD_SELL
    before = analyze_count(server)
    with configured.context.expect_page() as opened:
        verdict = configured.worker.evaluate(
            """async (text) => {
                const { onContextMenuClick, MENU_ID } = globalThis.urikomi;
                const out = await onContextMenuClick({ menuItemId: MENU_ID, selectionText: text }, { index: 0 });
                return out.result.ok ? out.result.report.verdict : out.result.error.kind;
            }""",
            selection,
        )
    assert verdict == "hard_sell"
    assert analyze_count(server) == before + 1
    popup = opened.value
    popup.wait_for_selector(".ext-report[data-verdict='hard_sell'] .uk-verdict--hard_sell")
    assert popup.locator("#draft").input_value() == HARD_SELL
    assert "今だけ半額" in popup.locator(".uk-draft__text mark.uk-hl").all_text_contents()
    assert popup.locator("[role='meter']").count() == 3
    shot(popup, "context-menu-result")
    popup.close()
    page.close()


def test_popup_paste_box(configured: Extension) -> None:
    page = configured.context.new_page()
    page.set_viewport_size({"width": 460, "height": 900})
    page.goto(configured.url("popup.html"))
    page.wait_for_selector("body[data-ready='true']")
    page.fill("#draft", HARD_SELL)
    page.click("#check")
    page.wait_for_selector(".ext-report[data-verdict='hard_sell']")
    assert page.locator(".uk-verdict").get_attribute("data-verdict") == "hard_sell"
    marks = page.locator(".uk-draft__text mark.uk-hl")
    texts = marks.all_text_contents()
    # UTF-16 offsets: the emoji before the phrases do not shift the highlights
    assert texts[0] == "今だけ半額" and "今すぐ購入しないと損します" in texts, texts
    assert page.locator(".uk-draft__text").text_content() == HARD_SELL
    assert page.locator(".uk-suggestion").count() >= 1
    # a replacement edits the paste box
    button = page.locator(".uk-suggestion .uk-replacement").first
    replacement = button.get_attribute("data-replacement")
    button.click()
    assert page.locator("#draft").input_value().startswith("🎉🎉" + replacement)
    shot(page, "popup")
    page.close()


def _replace_first(page: Any, field: str) -> tuple[str, str, str]:
    """Open the details, click the first replacement; return (before, expected, replacement)."""
    before = page.evaluate(
        f"() => {{ const el = document.querySelector('{field}'); return el.value !== undefined ? el.value : el.innerText; }}"
    )
    page.locator("[data-urikomi-badge]").click()
    panel = page.locator("[data-urikomi-panel]")
    panel.wait_for(state="visible")
    panel.locator(".uk-verdict--hard_sell").wait_for()
    assert panel.locator(".uk-draft__text mark.uk-hl").first.text_content() == "今だけ半額"
    item = panel.locator(".uk-suggestion").first
    start = int(item.get_attribute("data-start-utf16") or -1)
    end = int(item.get_attribute("data-end-utf16") or -1)
    button = item.locator(".uk-replacement").first
    replacement = button.get_attribute("data-replacement") or ""
    expected = page.evaluate("([s, start, end, r]) => s.slice(0, start) + r + s.slice(end)", [before, start, end, replacement])
    page.evaluate("() => { window.__inputs = []; }")
    button.click()
    return before, expected, replacement


def assert_first_replacement_edits_field(page: Any, field_id: str, prop: str) -> None:
    """Click the first replacement: the field's `prop` becomes the rewritten draft, and the page
    saw an input event from that field (what React-like frameworks listen to)."""
    old, expected, replacement = _replace_first(page, f"#{field_id}")
    page.wait_for_function(f"(v) => document.querySelector('#{field_id}').{prop} === v", arg=expected)
    assert expected != old and expected.startswith("🎉🎉" + replacement)
    inputs = page.evaluate("() => window.__inputs")
    assert any(e["id"] == field_id for e in inputs), inputs


def test_badge_on_opted_in_textarea_and_replacement(configured: Extension, server: Server, pages: tuple[str, str]) -> None:
    opted, _ = pages
    page = open_test_page(configured, opted)
    page.click("#ta")
    wait_badge(page, "idle")
    before = analyze_count(server)
    page.keyboard.insert_text(HARD_SELL)
    wait_badge(page, "hard_sell")
    assert analyze_count(server) == before + 1  # one request after the pause, not one per keystroke
    shot(page, "textarea-badge")
    assert_first_replacement_edits_field(page, "ta", "value")
    shot(page, "textarea-replaced")
    page.close()


def test_badge_on_opted_in_contenteditable_and_replacement(
    configured: Extension, server: Server, pages: tuple[str, str]
) -> None:
    opted, _ = pages
    page = open_test_page(configured, opted)
    page.click("#ce")
    wait_badge(page, "idle")
    page.keyboard.insert_text(HARD_SELL)
    wait_badge(page, "hard_sell")
    assert_first_replacement_edits_field(page, "ce", "innerText")
    shot(page, "contenteditable-replaced")
    page.close()


def test_page_not_opted_in_sends_nothing(configured: Extension, server: Server, pages: tuple[str, str]) -> None:
    _, other = pages
    page = open_test_page(configured, other)
    before = analyze_count(server)
    type_into(page, "#ta", HARD_SELL)
    type_into(page, "#ce", HARD_SELL)
    page.wait_for_timeout(2500)  # well past the 800 ms pause
    assert analyze_count(server) == before
    assert page.locator("urikomi-ui").count() == 0  # the content script is not even injected
    page.close()


def test_password_field_is_never_sent(configured: Extension, server: Server, pages: tuple[str, str]) -> None:
    opted, _ = pages
    page = open_test_page(configured, opted)
    page.click("#ta")
    wait_badge(page, "idle")  # the content script is running here
    before = analyze_count(server)
    type_into(page, "#pw", HARD_SELL)
    page.wait_for_timeout(2500)
    assert analyze_count(server) == before
    assert page.locator("[data-urikomi-badge]").is_hidden()
    page.close()


def test_server_stopped_shows_unreachable(
    configured: Extension, server: Server, pages: tuple[str, str], tmp_path: Path
) -> None:
    opted, _ = pages
    other = start_server(tmp_path)
    try:
        configured.storage("sync", {"apiBase": other.base_url})
        page = open_test_page(configured, opted)
        type_into(page, "#ta", "今日は祖母のレシピで焼いたパンを並べました。")
        wait_badge(page, "ok")
        stop_server(other)
        page.keyboard.insert_text("ぜひ見に来てください。")
        badge = wait_badge(page, "unreachable")
        assert "接続できません" in (badge.text_content() or "")
        badge.click()
        panel = page.locator("[data-urikomi-panel]")
        panel.locator(".ext-error[data-error='unreachable']").wait_for()
        assert other.base_url in (panel.text_content() or "")
        assert page.locator("#ta").input_value().endswith("ぜひ見に来てください。")  # typing was never blocked
        shot(page, "unreachable")
        page.close()
    finally:
        stop_server(other)
        configured.storage("sync", {"apiBase": server.base_url})


def test_rate_limited_waits_for_retry_after(
    configured: Extension, server: Server, pages: tuple[str, str], tmp_path: Path
) -> None:
    opted, _ = pages
    limited = start_server(tmp_path, {"URIKOMI_RATE_LIMIT_PER_MINUTE": "2"})  # analyze + model use both
    try:
        configured.storage("sync", {"apiBase": limited.base_url})
        page = open_test_page(configured, opted)
        type_into(page, "#ta", HARD_SELL)
        wait_badge(page, "hard_sell")
        page.keyboard.insert_text("もう一度")
        wait_badge(page, "rate_limited")
        sent = analyze_count(limited)
        page.keyboard.insert_text("さらに")  # within Retry-After: nothing is sent
        page.wait_for_timeout(1500)
        assert analyze_count(limited) == sent
        page.locator("[data-urikomi-badge]").click()
        message = page.locator("[data-urikomi-panel] .ext-error[data-error='rate_limited']").text_content() or ""
        assert "秒ほど" in message
        shot(page, "rate-limited")
        page.close()
    finally:
        stop_server(limited)
        configured.storage("sync", {"apiBase": server.base_url})


def test_popup_key_and_length_errors(configured: Extension, server: Server, tmp_path: Path) -> None:
    digest = hashlib.sha256(b"right-key").hexdigest()
    guarded = start_server(tmp_path, {"URIKOMI_API_KEYS": digest, "URIKOMI_MAX_CHARS": "40"})
    try:
        configured.storage("sync", {"apiBase": guarded.base_url})
        page = configured.context.new_page()
        page.set_viewport_size({"width": 460, "height": 700})
        page.goto(configured.url("popup.html"))
        page.wait_for_selector("body[data-ready='true']")

        def check(text: str, state: str) -> str:
            page.fill("#draft", text)
            page.click("#check")
            page.wait_for_selector(f"body[data-state='{state}']")
            return page.locator("#results").text_content() or ""

        assert "API キーが必要です" in check(HARD_SELL, "auth_required")  # 401
        configured.storage("local", {"apiKey": "wrong-key"})
        assert "API キーが受け付けられませんでした" in check(HARD_SELL, "auth_rejected")  # 403
        assert page.locator(".ext-error__options").is_visible()  # a way to fix it
        configured.storage("local", {"apiKey": "right-key"})
        assert "売り込み" in check(HARD_SELL, "hard_sell")
        long_text = "今日は祖母のレシピで焼いたパンを並べました。" * 3
        message = check(long_text, "too_long")  # 422 with the server's limit
        assert f"{len(long_text)} 文字" in message and "40 文字以内" in message, message
        shot(page, "popup-too-long")
        page.close()
    finally:
        stop_server(guarded)
        configured.storage("local", {"apiKey": ""})
        configured.storage("sync", {"apiBase": server.base_url})
