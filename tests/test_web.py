"""The web form (GET /) in real headless Chromium against a real uvicorn serving the shipped model.

Needs Debian's chromium at /usr/bin/chromium and the `playwright` Python package (never
`playwright install`). When either is missing the tests FAIL with a message saying what to
install: they are never skipped. Screenshots of each state go to test-output/web/ (or
$URIKOMI_WEB_SCREENSHOTS).

Only verdicts of clear drafts are asserted, never exact scores: the model may be retrained.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, Server

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("URIKOMI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("URIKOMI_WEB_SCREENSHOTS", ROOT / "test-output" / "web"))

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)

HARD_SELL = "今だけ!全品50%OFF!!今すぐご来店ください!"
PUSHY = "今すぐご購入ください!"
XSS = '<script>window.__x=1</script><img src=x onerror="window.__y=1">全品半額!!'
EMOJI = "👨‍👩‍👧家族で来てね🔥🔥今だけ全品50%OFF!!"
STORY = (
    "祖父の代から三十年、毎朝この窯でパンを焼いています。"
    "先日、小さな女の子が「おじいちゃんのパンと同じ味がする」と言ってくれて、胸がいっぱいになりました。"
)
VERDICT_WORDS = {"ok": "問題なし", "caution": "やや注意", "hard_sell": "売り込み"}
SEVERITY = {"ok": 0, "caution": 1, "hard_sell": 2}


# ---- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian chromium driven by Playwright; a clear FAILURE (not a skip) when it cannot start."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the web tests need the `playwright` Python package: pip install playwright (no `playwright install`)")
    if not CHROMIUM.exists():
        pytest.fail(f"the web tests need Chromium at {CHROMIUM}: apt-get install -y chromium (Debian package)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure must be reported, not skipped
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page plus everything it did that a test may want to check."""

    page: Any
    base_url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not (url == self.base_url or url.startswith(self.base_url + "/"))]

    def assert_clean(self) -> None:
        """No request left the server's origin, no dialog, no script error, no CSP violation."""
        assert self.foreign_requests() == [], f"requests outside {self.base_url}: {self.foreign_requests()}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"
        assert self.page_errors == [], f"uncaught page errors: {self.page_errors}"
        csp = [m for m in self.console_errors if "Content Security Policy" in m or "Refused to" in m]
        assert csp == [], f"CSP violations: {csp}"


def _open_tab(browser: Any, server: Server, width: int, height: int) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    tab = Tab(page=page, base_url=server.base_url)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: tab.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: tab.page_errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(server.base_url + "/")
    page.wait_for_selector("body[data-ready='true']")
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture()
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _open_tab(browser, server, 1280, 900)


@pytest.fixture()
def phone_tab(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _open_tab(browser, server, 375, 812)


# ---- helpers -----------------------------------------------------------------------------------


def shot(tab: Tab, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path


def wait_for_report(tab: Tab) -> None:
    """Until the shown report describes exactly the textarea's current text and no request is pending."""
    tab.page.wait_for_function(
        """() => {
            const body = document.getElementById('results-body');
            const view = document.querySelector('#highlight .uk-draft__text');
            return !body.hidden && view !== null
                && view.textContent === document.getElementById('draft').value
                && document.getElementById('highlight').dataset.fresh === 'true'
                && !document.getElementById('results').hasAttribute('aria-busy');
        }"""
    )


def enter_draft(tab: Tab, text: str) -> None:
    tab.page.fill("#draft", text)
    wait_for_report(tab)


def verdict(tab: Tab) -> str:
    value = tab.page.get_attribute("#verdict .uk-verdict", "data-verdict")
    assert value is not None
    return value


def meter(tab: Tab, category: str) -> int:
    value = tab.page.get_attribute(f"#meters [data-meter='{category}']", "aria-valuenow")
    assert value is not None
    return int(value)


def marks(tab: Tab, category: str | None = None) -> list[str]:
    selector = "#highlight .uk-draft__text .uk-hl" + (f".uk-hl--{category}" if category else "")
    return tab.page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent)")


def analyze_api(server: Server, text: str, platform: str = "x") -> dict[str, Any]:
    response = httpx.post(
        f"{server.base_url}/v1/analyze", json={"text": text, "platform": platform, "lang": "ja"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def mark_point(tab: Tab, selector: str) -> tuple[float, float]:
    """The centre of the first line box of the first mark matching `selector` (in the editor's layer)."""
    point = tab.page.evaluate(
        """(selector) => {
            const mark = document.querySelector(selector);
            if (!mark) return null;
            const rect = mark.getClientRects()[0];
            return [rect.left + rect.width / 2, rect.top + rect.height / 2];
        }""",
        selector,
    )
    assert point is not None, f"no mark {selector}"
    return point[0], point[1]


def click_mark(tab: Tab, selector: str) -> None:
    """Click where a mark is drawn: the textarea on top takes the click, as it does for a user."""
    x, y = mark_point(tab, selector)
    tab.page.mouse.click(x, y)


def tab_until(tab: Tab, predicate_js: str, limit: int = 80) -> None:
    """Press Tab until document.activeElement satisfies `predicate_js` (an `el => bool` function)."""
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate(f"({predicate_js})(document.activeElement)"):
            return
    active = tab.page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"never reached {predicate_js} by Tab; focus ended on {active}")


# ---- tests -------------------------------------------------------------------------------------


def test_get_root_serves_the_form_with_a_strict_csp_and_no_store(server: Server) -> None:
    page = httpx.get(server.base_url + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == EXPECTED_CSP
    assert page.headers["cache-control"] == "no-store"
    assert "<textarea" in page.text and 'lang="ja"' in page.text
    assert "http://" not in page.text and "https://" not in page.text, "the page must not load anything external"
    assert " style=" not in page.text, "inline style attributes would be blocked by the CSP"
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, "inline scripts would be blocked by the CSP"
    for asset in ("app.js", "render.js", "i18n.js", "style.css", "favicon.svg"):
        static = httpx.get(f"{server.base_url}/static/{asset}", timeout=10)
        assert static.status_code == 200, asset
        assert static.headers["content-security-policy"] == EXPECTED_CSP, asset
        if not asset.endswith(".svg"):  # an SVG names its XML namespace with a URL; nothing is fetched
            assert "https://" not in static.text and "http://" not in static.text, f"{asset} refers to another origin"
    assert httpx.get(server.base_url + "/static/app.js").headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }


def test_typing_a_hard_sell_draft_shows_hard_sell_and_highlights_its_phrases(tab: Tab) -> None:
    shot(tab, "01-empty")
    tab.page.locator("#draft").press_sequentially(HARD_SELL)  # real key events; analysis is debounced
    wait_for_report(tab)
    analyses = [url for url in tab.requests if url.endswith("/v1/analyze")]
    assert 1 <= len(analyses) < len(HARD_SELL), "analysis while typing must be debounced, not sent per key"
    assert verdict(tab) == "hard_sell"
    assert VERDICT_WORDS["hard_sell"] in tab.page.inner_text("#verdict")
    assert tab.page.evaluate("localStorage.length + sessionStorage.length") == 0, "the draft must not be stored"
    highlighted = marks(tab)
    assert any("今だけ" in text for text in highlighted), highlighted
    assert any("50%OFF" in text for text in highlighted), highlighted
    assert marks(tab, "discount_spam") and marks(tab, "pushy_pitch")
    for category in ("discount_spam", "pushy_pitch", "story"):
        assert 0 <= meter(tab, category) <= 100
    # thresholds from GET /v1/model are marked on the meters
    assert tab.page.locator("#meters .uk-meter__mark--threshold").count() == 3
    assert tab.page.locator("#meters .uk-meter__mark--caution").count() == 2
    # the length counter comes from the response: X counts CJK as 2 of 280
    assert "/ 280" in tab.page.inner_text("#length")
    assert tab.page.get_attribute("#summary", "aria-live") == "polite"
    assert "売り込み" in tab.page.inner_text("#summary")
    # the reason appears when the pointer rests on a mark in the editor
    tab.page.mouse.move(*mark_point(tab, "#highlight .uk-hl--discount_spam"))
    assert tab.page.is_visible("#tooltip")
    assert tab.page.inner_text("#tooltip").startswith("値引きの強調")
    shot(tab, "02-hard-sell")
    tab.assert_clean()


def test_clicking_a_replacement_rewrites_that_span_and_the_pushy_score_falls(tab: Tab) -> None:
    enter_draft(tab, PUSHY)
    assert verdict(tab) == "hard_sell"
    before = meter(tab, "pushy_pitch")
    suggestion = tab.page.locator("#suggestions .uk-suggestion--pushy_pitch").first
    phrase = suggestion.locator(".uk-hl--quote").inner_text()
    assert phrase and phrase in PUSHY
    button = suggestion.locator(".uk-replacement").first
    replacement = button.get_attribute("data-replacement")
    assert replacement
    button.click()
    wait_for_report(tab)
    start = PUSHY.index(phrase)
    assert tab.page.input_value("#draft") == PUSHY[:start] + replacement + PUSHY[start + len(phrase) :]
    after = meter(tab, "pushy_pitch")
    assert after < before or SEVERITY[verdict(tab)] < SEVERITY["hard_sell"], (before, after, verdict(tab))
    shot(tab, "03-after-replacement")

    tab.page.click("#undo")
    wait_for_report(tab)
    assert tab.page.input_value("#draft") == PUSHY
    assert verdict(tab) == "hard_sell"
    assert tab.page.is_disabled("#undo")
    tab.assert_clean()


def test_apply_all_replaces_the_draft_with_softened_text_and_undo_restores_it(tab: Tab, server: Server) -> None:
    enter_draft(tab, HARD_SELL)
    before = meter(tab, "pushy_pitch")
    softened = analyze_api(server, HARD_SELL)["softened_text"]
    tab.page.click("#apply-all")
    wait_for_report(tab)
    assert tab.page.input_value("#draft") == softened
    assert meter(tab, "pushy_pitch") < before
    shot(tab, "04-after-apply-all")
    tab.page.click("#undo")
    wait_for_report(tab)
    assert tab.page.input_value("#draft") == HARD_SELL
    tab.assert_clean()


def test_an_xss_draft_renders_literally_and_runs_nothing(tab: Tab) -> None:
    enter_draft(tab, XSS)
    assert tab.page.text_content("#highlight .uk-draft__text") == XSS
    assert tab.page.evaluate("typeof window.__x") == "undefined"
    assert tab.page.evaluate("typeof window.__y") == "undefined"
    assert tab.page.locator("img").count() == 0
    assert tab.page.locator("script").count() == 1  # only /static/app.js
    assert tab.page.locator("#results script, #results img, #results [onerror]").count() == 0
    # the replacement and suggestion texts are text too
    assert tab.page.locator("#suggestions").inner_text()
    tab.page.wait_for_timeout(300)  # give a would-be onerror a chance to fire
    assert tab.page.evaluate("typeof window.__y") == "undefined"
    shot(tab, "05-xss-literal")
    tab.assert_clean()
    assert all(url.startswith(tab.base_url) for url in tab.requests)


def test_emoji_and_zwj_drafts_highlight_exactly_the_report_spans(tab: Tab, server: Server) -> None:
    with tab.page.expect_response(lambda r: r.url.endswith("/v1/analyze") and r.request.method == "POST") as info:
        tab.page.fill("#draft", EMOJI)
    report = info.value.json()
    wait_for_report(tab)
    spans = sorted(report["spans"], key=lambda s: s["start_utf16"])
    assert spans, "a clear hard-sell draft should have spans"
    for left, right in zip(spans, spans[1:], strict=False):
        assert left["end_utf16"] <= right["start_utf16"], f"test draft needs non-overlapping spans: {spans}"
    assert marks(tab) == [span["text"] for span in spans]
    offsets = tab.page.eval_on_selector_all(
        "#highlight .uk-draft__text .uk-hl", "ns => ns.map(n => [+n.dataset.startUtf16, +n.dataset.endUtf16])"
    )
    assert offsets == [[span["start_utf16"], span["end_utf16"]] for span in spans]
    assert tab.page.text_content("#highlight .uk-draft__text") == EMOJI  # the family emoji stays whole
    assert report["verdict"] == verdict(tab) == "hard_sell"
    shot(tab, "06-emoji-zwj")
    tab.assert_clean()


def test_story_spans_are_marked_calmly_with_the_fan_building_note(tab: Tab) -> None:
    enter_draft(tab, STORY)
    assert verdict(tab) in {"ok", "caution"}
    story = tab.page.locator("#highlight .uk-draft__text .uk-hl--story")
    assert story.count() >= 1
    assert "この部分はファンづくりに効いています" in story.first.get_attribute("data-reason")
    click_mark(tab, "#highlight .uk-draft__text .uk-hl--story")
    card = tab.page.locator("#card")
    card.wait_for(state="visible")
    assert "ファンづくりに効いています" in card.inner_text()
    assert card.locator(".uk-replacement").count() == 0, "a story phrase is kept, not replaced"
    shot(tab, "07-story")
    tab.assert_clean()


def test_compliance_prompts_are_shown_as_their_own_quiet_reminder(tab: Tab) -> None:
    enter_draft(tab, "期間限定!全品20%OFFです。")
    wait_for_report(tab)
    card = tab.page.locator(".uk-suggestion--compliance").first
    assert card.is_visible()
    assert "表示の確認" in card.inner_text()
    assert "法的助言ではなく" in card.inner_text()
    shot(tab, "07b-compliance")


def test_keyboard_only_flow_checks_and_applies_a_replacement(tab: Tab) -> None:
    page = tab.page
    tab_until(tab, "el => el.id === 'draft'")
    page.keyboard.type(PUSHY)
    tab_until(tab, "el => el.id === 'check'")
    page.keyboard.press("Enter")
    wait_for_report(tab)
    assert verdict(tab) == "hard_sell"
    # a finding's phrase is reachable by Tab; Enter selects it in the draft and opens its card
    tab_until(tab, "el => el.classList.contains('uk-suggestion__link')")
    phrase = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "draft"
    selected = page.evaluate("(() => { const d = document.getElementById('draft'); return d.value.slice(d.selectionStart, d.selectionEnd); })()")
    assert selected == phrase
    assert page.is_visible("#card") and phrase in page.inner_text("#card")
    tab_until(tab, "el => el.classList.contains('uk-replacement')")
    replacement = page.evaluate("document.activeElement.dataset.replacement")
    page.keyboard.press("Enter")
    wait_for_report(tab)
    assert replacement in page.input_value("#draft")
    assert page.input_value("#draft") != PUSHY
    shot(tab, "08-keyboard-after-replacement")
    tab.assert_clean()


def test_layout_holds_at_375px_without_horizontal_scroll(phone_tab: Tab) -> None:
    page = phone_tab.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone_tab, "09-phone-empty", full_page=False)
    enter_draft(phone_tab, HARD_SELL + "\n" + EMOJI + "\n" + STORY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    click_mark(phone_tab, "#highlight .uk-draft__text .uk-hl")
    assert page.is_visible("#card") and page.inner_text("#card .uk-suggestion__message")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#results-heading").scroll_into_view_if_needed()
    shot(phone_tab, "10-phone-results", full_page=False)
    page.locator("#suggestions").scroll_into_view_if_needed()
    shot(phone_tab, "11-phone-suggestions", full_page=False)
    shot(phone_tab, "12-phone-full")
    phone_tab.assert_clean()


def test_over_limit_drafts_are_flagged_by_the_length_counter(tab: Tab) -> None:
    enter_draft(tab, "朝" * 141)  # 141 CJK characters weigh 282 on X
    counter = tab.page.locator("#length .uk-length")
    assert counter.get_attribute("data-over") == "true"
    assert "上限を 2 超えています" in counter.inner_text()
    tab.page.select_option("#platform", "blog")
    wait_for_report(tab)
    tab.page.wait_for_function("() => document.querySelector('#length .uk-length').dataset.over === 'false'")
    assert "ブログ" in tab.page.inner_text("#length")
    tab.page.select_option("#platform", "x")
    tab.page.wait_for_function("() => document.querySelector('#length .uk-length').dataset.over === 'true'")
    shot(tab, "13-over-limit")
    tab.assert_clean()


def test_server_and_network_errors_are_shown_politely_in_japanese(tab: Tab) -> None:
    page = tab.page
    page.fill("#draft", "あ" * 10_001)
    page.wait_for_selector("#error:not([hidden])")
    assert "下書きが長すぎます" in page.inner_text("#error")
    shot(tab, "14-error-too-long")
    page.route("**/v1/analyze", lambda route: route.abort())
    page.fill("#draft", HARD_SELL)
    page.click("#check")
    page.wait_for_function("() => document.getElementById('error').innerText.includes('サーバーに接続できませんでした')")
    assert page.get_attribute("#error", "role") == "alert"
    assert page.locator("textarea#draft").is_visible()
    shot(tab, "15-error-network")
    page.unroute("**/v1/analyze")
    page.click("#check")
    wait_for_report(tab)
    assert page.is_hidden("#error")
    tab.assert_clean()


def test_english_switch_translates_the_page_and_is_remembered(tab: Tab) -> None:
    page = tab.page
    page.click("#lang-toggle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("#check") == "Check"
    enter_draft(tab, HARD_SELL)
    assert "Hard sell" in page.inner_text("#verdict")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    assert page.inner_text("#check") == "Check"
    assert page.evaluate("Object.keys(localStorage)") == ["urikomi.lang"]
    shot(tab, "16-english")
    page.click("#lang-toggle")
    assert page.inner_text("#check") == "チェックする"
    tab.assert_clean()


def test_copy_button_puts_the_draft_on_the_clipboard(tab: Tab) -> None:
    tab.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tab.base_url)
    enter_draft(tab, EMOJI)
    tab.page.click("#copy")
    tab.page.wait_for_function("() => document.getElementById('status').textContent.includes('コピーしました')")
    assert tab.page.evaluate("navigator.clipboard.readText()") == EMOJI
    tab.assert_clean()


# ---- feed tab ----------------------------------------------------------------------------------

FEED_DEAL = "【本日限り】全品50%OFF!!今すぐご来店ください!"
FEED_STORY_2 = (
    "今朝は雨の中、常連のおばあちゃんが傘を差して来てくださいました。"
    "「ここのあんぱんを食べないと一日が始まらない」と笑ってくれて、スタッフみんなで温かい気持ちになりました。"
)
FEED_POSTS = [
    FEED_DEAL,
    "【週末限定】全品半額!!お急ぎください!在庫限り!",
    STORY,
    "【今だけ】ポイント10倍!!今すぐチェック!",
    "【最終日】まとめ買いで30%OFF!!お見逃しなく!",
    FEED_STORY_2,
]


def open_feed_tab(tab: Tab) -> None:
    tab.page.click("#tab-feed")
    assert tab.page.get_attribute("#tab-feed", "aria-selected") == "true"
    assert tab.page.is_visible("#feed-text")


def check_feed(tab: Tab, text: str) -> None:
    """Paste `text` into the feed tab, press 「フィードを確認」 and wait for the answer."""
    tab.page.fill("#feed-text", text)
    with tab.page.expect_response(lambda r: r.url.endswith("/v1/feed") and r.request.method == "POST"):
        tab.page.click("#feed-check")
    tab.page.wait_for_function(
        "() => !document.getElementById('feed-results').hasAttribute('aria-busy')"
        " && !document.getElementById('feed-posts-section').hidden"
    )


def timeline_kinds(tab: Tab) -> list[str]:
    return tab.page.eval_on_selector_all("#feed-timeline .uk-timeline__item", "ns => ns.map(n => n.dataset.kind)")


def test_feed_tab_flags_a_deal_heavy_feed_with_a_timeline_and_advice(tab: Tab) -> None:
    page = tab.page
    open_feed_tab(tab)
    assert page.is_hidden("#draft")
    # one or more blank (or whitespace-only) lines separate posts
    text = "\n\n".join(FEED_POSTS[:3]) + "\n \n\n　\n" + "\n\n".join(FEED_POSTS[3:]) + "\n\n"
    page.fill("#feed-text", text)
    assert "6 件" in page.inner_text("#feed-count")
    shot(tab, "17-feed-input")
    check_feed(tab, text)
    requests = [url for url in tab.requests if url.endswith("/v1/feed")]
    assert len(requests) == 1
    assert page.get_attribute("#feed-verdict .uk-verdict", "data-verdict") == "too_promotional"
    assert "売り込みが多めです" in page.inner_text("#feed-verdict")
    kinds = timeline_kinds(tab)
    assert len(kinds) == 6, kinds
    assert kinds.count("promo") == 4, kinds
    assert kinds.count("story") == 2, kinds
    # colour is not the only signal: every mark has a letter and a text alternative
    letters = page.eval_on_selector_all("#feed-timeline .uk-timeline__mark", "ns => ns.map(n => n.textContent)")
    assert letters.count("売") == 4 and letters.count("話") == 2, letters
    alternatives = page.eval_on_selector_all(
        "#feed-timeline .uk-timeline__item .uk-visually-hidden", "ns => ns.map(n => n.textContent)"
    )
    assert alternatives[0] == "投稿 1:売り込み" and alternatives[2] == "投稿 3:ストーリー", alternatives
    assert "売り込み 4 件、ストーリー 2 件、その他 0 件" in page.inner_text("#feed-timeline figcaption")
    assert page.locator("#feed-legend .uk-timeline-legend__item").count() == 3
    advice = page.eval_on_selector_all("#feed-advice li", "ns => ns.map(n => n.textContent)")
    assert advice and all(line.strip() for line in advice), advice
    assert "6件のうち4件" in " ".join(advice)
    assert page.inner_text("#feed-stats [data-stat='posts'] dd") == "6 件"
    assert "67%" in page.inner_text("#feed-stats [data-stat='promotional'] dd")
    assert page.inner_text("#feed-stats [data-stat='run'] dd").endswith("件")
    assert "33%" in page.inner_text("#feed-stats [data-stat='story'] dd")
    assert "売り込みが多めです" in page.text_content("#feed-summary")
    # post by post: the texts come back in block order
    texts = page.eval_on_selector_all("#feed-posts .uk-feed-post__text", "ns => ns.map(n => n.textContent)")
    assert texts == FEED_POSTS
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0, "posts must not be stored"
    shot(tab, "18-feed-too-promotional")
    # the draft tab still holds its own state and comes back unchanged
    page.click("#tab-draft")
    assert page.is_visible("#draft") and page.is_hidden("#feed-text")
    tab.assert_clean()


def test_feed_with_a_start_date_groups_the_timeline_by_day_and_sends_iso_times(tab: Tab) -> None:
    page = tab.page
    open_feed_tab(tab)
    page.fill("#feed-start", "2024-05-01")
    page.fill("#feed-per-day", "2")
    page.fill("#feed-text", "\n\n".join(FEED_POSTS))
    with page.expect_request(lambda r: r.url.endswith("/v1/feed")) as sent:
        page.click("#feed-check")
    body = sent.value.post_data_json
    assert [post["id"] for post in body["posts"]] == ["1", "2", "3", "4", "5", "6"]
    assert [post["time"][:10] for post in body["posts"]] == ["2024-05-01"] * 2 + ["2024-05-02"] * 2 + ["2024-05-03"] * 2
    assert body["posts"][0]["time"] < body["posts"][1]["time"]
    page.wait_for_selector("#feed-body:not([hidden])")
    assert page.locator("#feed-timeline .uk-timeline__group").count() == 3
    assert page.eval_on_selector_all("#feed-timeline .uk-timeline__day", "ns => ns.map(n => n.dataset.day)") == [
        "2024-05-01",
        "2024-05-02",
        "2024-05-03",
    ]
    # two deals on 5/1 and two on 5/2: more than one promotional post a day
    assert any("1日に" in line for line in page.eval_on_selector_all("#feed-advice li", "ns => ns.map(n => n.textContent)"))
    shot(tab, "19-feed-dated")
    tab.assert_clean()


def test_feed_tabs_work_by_keyboard(tab: Tab) -> None:
    page = tab.page
    tab_until(tab, "el => el.getAttribute('role') === 'tab'")
    assert page.evaluate("document.activeElement.id") == "tab-draft"
    assert page.get_attribute("#tab-draft", "aria-selected") == "true"
    assert page.get_attribute("#panel-draft", "role") == "tabpanel"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-feed"
    assert page.get_attribute("#tab-feed", "aria-selected") == "true"
    assert page.get_attribute("#tab-draft", "aria-selected") == "false"
    assert page.is_visible("#panel-feed") and page.is_hidden("#panel-draft")
    # roving tabindex: only the selected tab is in the Tab order
    assert page.get_attribute("#tab-feed", "tabindex") == "0"
    assert page.get_attribute("#tab-draft", "tabindex") == "-1"
    page.keyboard.press("ArrowRight")  # wraps around
    assert page.evaluate("document.activeElement.id") == "tab-draft"
    assert page.is_visible("#panel-draft")
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-feed"
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.id") == "tab-draft"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "tab-feed"
    # from the selected tab, Tab goes into its panel: paste, then check with the keyboard
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "feed-text"
    page.keyboard.insert_text("\n\n".join(FEED_POSTS))
    tab_until(tab, "el => el.id === 'feed-check'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#feed-body:not([hidden])")
    assert len(timeline_kinds(tab)) == 6
    # English labels
    page.click("#lang-toggle")
    assert page.inner_text("#tab-draft") == "Draft check" and page.inner_text("#tab-feed") == "Feed"
    assert page.get_attribute(".tabs", "aria-label") == "View"
    page.wait_for_function("() => document.querySelector('#feed-verdict').innerText.includes('Too promotional')")
    assert page.inner_text("#feed-check") == "Check feed"
    shot(tab, "20-feed-english")
    page.click("#lang-toggle")
    tab.assert_clean()


def test_an_xss_block_in_the_feed_renders_literally_and_errors_sit_by_their_block(tab: Tab) -> None:
    page = tab.page
    open_feed_tab(tab)
    too_long = "あ" * 10_001
    check_feed(tab, "\n\n".join([FEED_DEAL, XSS, too_long, STORY]))
    texts = page.eval_on_selector_all("#feed-posts .uk-feed-post__text", "ns => ns.map(n => n.textContent)")
    assert texts[1] == XSS
    assert page.evaluate("typeof window.__x") == "undefined"
    assert page.evaluate("typeof window.__y") == "undefined"
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.locator("#feed-results script, #feed-results img, #feed-results [onerror]").count() == 0
    # the too-long block is reported next to its number and left out of the timeline
    failed = page.locator("#feed-posts .uk-feed-post--error")
    assert failed.count() == 1
    assert failed.get_attribute("data-post") == "3"
    assert "投稿 3" in failed.inner_text() and "長すぎます" in failed.inner_text()
    assert page.eval_on_selector_all("#feed-timeline .uk-timeline__item", "ns => ns.map(n => n.dataset.post)") == [
        "1",
        "2",
        "4",
    ]
    page.wait_for_timeout(300)  # give a would-be onerror a chance to fire
    assert page.evaluate("typeof window.__y") == "undefined"
    shot(tab, "21-feed-xss-and-error")
    tab.assert_clean()


def test_feed_with_nothing_pasted_asks_politely_without_a_request(tab: Tab) -> None:
    open_feed_tab(tab)
    tab.page.fill("#feed-text", "\n  \n\n")
    tab.page.click("#feed-check")
    tab.page.wait_for_selector("#feed-error:not([hidden])")
    assert "投稿が空です" in tab.page.inner_text("#feed-error")
    assert not [url for url in tab.requests if url.endswith("/v1/feed")]
    tab.assert_clean()


def test_feed_layout_holds_at_375px(phone_tab: Tab) -> None:
    page = phone_tab.page
    open_feed_tab(phone_tab)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone_tab, "22-phone-feed-empty", full_page=False)
    page.fill("#feed-start", "2024-05-01")
    check_feed(phone_tab, "\n\n".join(FEED_POSTS * 2))
    assert len(timeline_kinds(phone_tab)) == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#feed-results-heading").scroll_into_view_if_needed()
    shot(phone_tab, "23-phone-feed-results", full_page=False)
    shot(phone_tab, "24-phone-feed-full")
    phone_tab.assert_clean()


def long_story_then_blast() -> str:
    """The story and blast of the block tests: a long honest story, then a blast of its own."""
    from tests.test_blocks import BLAST, LONG_STORY

    return LONG_STORY + "\n\n" + BLAST


def test_a_long_draft_shows_each_sections_verdict_and_which_part_pushes(tab: Tab, server: Server) -> None:
    draft = long_story_then_blast()
    enter_draft(tab, draft)
    report = analyze_api(server, draft)
    assert tab.page.is_visible("#sections-block")
    items = tab.page.eval_on_selector_all("#sections .uk-sections__item", "nodes => nodes.map(n => n.dataset.verdict)")
    assert items == [s["verdict"] for s in report["sections"]]
    assert items[0] == "ok" and items[-1] == "hard_sell"
    summary = tab.page.inner_text("#sections .uk-sections__summary")
    assert f"{len(items)} つの段落のうち" in summary and f"{len(items)} 番目" in summary
    assert tab.page.inner_text("#verdict .uk-sections__summary") == summary, "said under the verdict too"
    shot(tab, "30-sections")
    enter_draft(tab, "新しいパンが焼き上がりました。お近くにお越しの際はのぞいてみてください。")
    assert not tab.page.is_visible("#sections-block"), "a short draft has no sections"
    tab.assert_clean()
