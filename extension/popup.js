// The popup: a paste box checked through the service worker, and the result of a context-menu
// check (popup.html?pending=ID). Replacements edit the paste box, as in the web form.

import { rangeMatches, replaceUtf16 } from "./vendor/render.js";
import { cleanSites, isBuiltInHost, normalizeOrigin, permissionPattern } from "./src/sites.js";
import { translator } from "./src/strings.js";
import { renderError, renderReport } from "./src/view.js";

const DEBOUNCE_MS = 800;
const t = translator("ja");
const $ = (id) => document.getElementById(id);
const ui = {
  form: $("form"),
  draft: $("draft"),
  status: $("status"),
  results: $("results"),
  options: $("options"),
  site: $("site"),
  siteToggle: $("site-toggle"),
  siteOrigin: $("site-origin"),
};
const state = { seq: 0, timer: null, text: null, report: null, sites: [], origin: null };

function setStatus(message) {
  ui.status.textContent = message || "";
}

function openOptions() {
  chrome.runtime.openOptionsPage();
}

function show(result, text, { manual = true } = {}) {
  ui.results.setAttribute("aria-busy", "false");
  if (result && result.ok) {
    state.text = text;
    state.report = result.report;
    ui.results.replaceChildren(
      renderReport(document, text, result.report, result.model, t, { onReplace: replaceSpan, idPrefix: "popup" }),
    );
  } else {
    state.text = null;
    state.report = null;
    const error = (result && result.error) || { kind: "extension" };
    ui.results.replaceChildren(renderError(document, error, t, { manual, onOptions: openOptions }));
  }
  document.body.dataset.state = result && result.ok ? result.report.verdict : ((result && result.error) || {}).kind || "error";
}

async function check() {
  clearTimeout(state.timer);
  const text = ui.draft.value;
  const seq = ++state.seq;
  if (!text.trim()) {
    ui.results.replaceChildren();
    document.body.dataset.state = "idle";
    return;
  }
  ui.results.setAttribute("aria-busy", "true");
  setStatus(t("results.loading"));
  let result;
  try {
    result = await chrome.runtime.sendMessage({ type: "analyze", text });
  } catch {
    result = { ok: false, error: { kind: "extension" } };
  }
  if (seq !== state.seq) return;
  setStatus("");
  show(result, text);
}

function replaceSpan(suggestion, replacement) {
  const current = ui.draft.value;
  if (current !== state.text || !rangeMatches(current, suggestion.span)) {
    setStatus(t("panel.stale"));
    check();
    return;
  }
  const { start_utf16: start, end_utf16: end } = suggestion.span;
  ui.draft.value = replaceUtf16(current, start, end, replacement);
  ui.draft.focus();
  ui.draft.setSelectionRange(start, start + replacement.length);
  setStatus(t("panel.applied"));
  check();
}

// ---- the current site's opt-in -------------------------------------------------------------

async function setupSiteToggle() {
  let tab = null;
  try {
    [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  } catch {
    tab = null;
  }
  const origin = tab && tab.url ? normalizeOrigin(tab.url) : null;
  if (!origin || !/^https?:/.test(tab.url)) return;
  const stored = await chrome.storage.sync.get({ sites: [] });
  state.sites = cleanSites(stored.sites);
  state.origin = origin;
  ui.siteOrigin.textContent = origin;
  ui.siteToggle.checked = state.sites.includes(origin);
  ui.site.hidden = false;
}

function onSiteToggle() {
  const origin = state.origin;
  if (!origin) return;
  const on = ui.siteToggle.checked;
  state.sites = cleanSites(on ? [...state.sites, origin] : state.sites.filter((site) => site !== origin));
  // Save first: the permission prompt may close the popup; the worker registers the content
  // script as soon as the permission arrives.
  chrome.storage.sync.set({ sites: state.sites });
  if (!on) {
    setStatus("このサイトの自動チェックを止めました。");
    return;
  }
  chrome.permissions
    .request({ origins: [permissionPattern(origin)] })
    .catch(() => isBuiltInHost(origin))
    .then((granted) => {
      setStatus(
        granted
          ? "このサイトで自動チェックを有効にしました。ページを再読み込みしてください。"
          : "アクセスが許可されなかったため、自動チェックは有効になりません。",
      );
    });
}

// ---- start-up ------------------------------------------------------------------------------

async function start() {
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    check();
  });
  ui.draft.addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(check, DEBOUNCE_MS);
  });
  ui.options.addEventListener("click", openOptions);
  ui.siteToggle.addEventListener("change", onSiteToggle);
  const pendingId = new URLSearchParams(location.search).get("pending");
  if (pendingId) {
    const pending = await chrome.runtime.sendMessage({ type: "takePending", id: pendingId }).catch(() => null);
    if (pending) {
      ui.draft.value = pending.text;
      show(pending.result, pending.text);
    }
  } else {
    await setupSiteToggle().catch(() => {});
  }
  document.body.dataset.ready = "true";
}

start();
