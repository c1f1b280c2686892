// The popup: a paste box checked through the service worker, and the result of a context-menu
// check (popup.html?pending=ID). Replacements, 「すべて適用」 and 「元に戻す」 edit the paste box
// through the browser's editing path (execCommand), as in the web form, so Ctrl+Z works too.
// The paste box is kept in storage.session (memory, cleared when the browser quits), so closing
// the popup loses nothing; before a server is set, the popup shows the setup notice.

import { cleanKeep } from "./src/api.js";
import { rangeMatches } from "./vendor/render.js";
import { cleanSites, isBuiltInHost, normalizeOrigin, permissionPattern } from "./src/sites.js";
import { translator } from "./src/strings.js";
import { renderError, renderReport, renderSetup } from "./src/view.js";

const DEBOUNCE_MS = 800;
const DRAFT_KEY = "popupDraft";
const t = translator("ja");
const $ = (id) => document.getElementById(id);
const ui = {
  form: $("form"),
  draft: $("draft"),
  status: $("status"),
  results: $("results"),
  options: $("options"),
  undo: $("undo"),
  applyAll: $("apply-all"),
  copy: $("copy"),
  site: $("site"),
  siteToggle: $("site-toggle"),
  siteOrigin: $("site-origin"),
};
const state = { seq: 0, timer: null, text: null, report: null, sites: [], origin: null, edits: 0, editing: false, statusSeq: 0 };

/** A status line; it is cleared when a later answer supersedes it (see show). */
function setStatus(message) {
  ui.status.textContent = message || "";
  state.statusSeq = state.seq;
}

function openOptions() {
  chrome.runtime.openOptionsPage();
}

function showSetup() {
  state.text = null;
  state.report = null;
  ui.applyAll.disabled = true;
  ui.results.replaceChildren(renderSetup(document, t, { onOptions: openOptions }));
  document.body.dataset.state = "setup";
}

function show(result, text, { manual = true } = {}) {
  ui.results.setAttribute("aria-busy", "false");
  if (state.statusSeq < state.seq) ui.status.textContent = ""; // superseded by this answer
  if (result && !result.ok && result.error && result.error.kind === "not_configured") {
    showSetup();
    return;
  }
  if (result && result.ok) {
    state.text = text;
    state.report = result.report;
    ui.results.replaceChildren(
      renderReport(document, text, result.report, result.model, t, { onReplace: replaceSpan, onKeep: keep, idPrefix: "popup" }),
    );
    ui.applyAll.disabled = !(typeof result.report.softened_text === "string" && result.report.softened_text !== text);
  } else {
    state.text = null;
    state.report = null;
    ui.applyAll.disabled = true;
    const error = (result && result.error) || { kind: "extension" };
    ui.results.replaceChildren(renderError(document, error, t, { manual, onOptions: openOptions }));
  }
  document.body.dataset.state = result && result.ok ? result.report.verdict : ((result && result.error) || {}).kind || "error";
}

function saveDraft() {
  chrome.storage.session.set({ [DRAFT_KEY]: ui.draft.value }).catch(() => null);
}

async function check() {
  clearTimeout(state.timer);
  const text = ui.draft.value;
  const seq = ++state.seq;
  if (!text.trim()) {
    ui.results.replaceChildren();
    ui.applyAll.disabled = true;
    document.body.dataset.state = "idle";
    return;
  }
  ui.results.setAttribute("aria-busy", "true");
  let result;
  try {
    result = await chrome.runtime.sendMessage({ type: "analyze", text });
  } catch {
    result = { ok: false, error: { kind: "extension" } };
  }
  if (seq !== state.seq) return;
  show(result, text);
}

/** Replace [start, end) of the paste box as one undoable step; the caret ends after the new text. */
function editDraft(start, end, text) {
  const area = ui.draft;
  const expected = area.value.slice(0, start) + text + area.value.slice(end);
  state.editing = true;
  area.focus();
  area.setSelectionRange(start, end);
  let done = false;
  try {
    done = text ? document.execCommand("insertText", false, text) : document.execCommand("delete");
  } catch {
    done = false;
  }
  if (!done || area.value !== expected) area.value = expected; // not undoable, but never lost
  else state.edits += 1;
  state.editing = false;
  area.setSelectionRange(start + text.length, start + text.length);
  ui.undo.disabled = state.edits === 0;
  saveDraft();
}

function replaceSpan(suggestion, replacement) {
  const current = ui.draft.value;
  if (current !== state.text || !rangeMatches(current, suggestion.span)) {
    check();
    setStatus(t("panel.stale"));
    return;
  }
  const { start_utf16: start, end_utf16: end } = suggestion.span;
  editDraft(start, end, replacement);
  check();
  setStatus(t("panel.applied"));
}

function applyAll() {
  const report = state.report;
  if (!report || typeof report.softened_text !== "string" || ui.draft.value !== state.text) return;
  editDraft(0, ui.draft.value.length, report.softened_text);
  check();
  setStatus(t("panel.appliedAll"));
}

function undo() {
  if (state.edits === 0) return;
  state.editing = true;
  ui.draft.focus();
  document.execCommand("undo");
  state.editing = false;
  state.edits -= 1;
  ui.undo.disabled = state.edits === 0;
  saveDraft();
  check();
  setStatus(t("panel.undone"));
}

async function copyDraft() {
  const text = ui.draft.value;
  if (!text.trim()) {
    setStatus(t("panel.copyEmpty"));
    return;
  }
  try {
    await navigator.clipboard.writeText(text);
    setStatus(t("panel.copied"));
  } catch {
    ui.draft.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    setStatus(t(copied ? "panel.copied" : "panel.copyFailed"));
  }
}

/** 「このままにする」: the same choices as the options page lists, sent with every later check. */
async function keep(choice, suggestion) {
  const stored = await chrome.storage.sync.get({ keep: [] });
  const kept = cleanKeep(stored.keep).filter((k) => !(k.kind === choice.kind && k.value === choice.value));
  await chrome.storage.sync.set({ keep: [...kept, choice] });
  await check();
  setStatus(t("panel.kept", { text: suggestion.span.text }));
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
    if (state.editing) return;
    ui.status.textContent = "";
    saveDraft();
    clearTimeout(state.timer);
    state.timer = setTimeout(check, DEBOUNCE_MS);
  });
  ui.draft.addEventListener("beforeinput", (event) => {
    if (state.editing) return;
    if (event.inputType === "historyUndo" && state.edits > 0) state.edits -= 1;
    else if (event.inputType === "historyRedo") state.edits += 1;
    ui.undo.disabled = state.edits === 0;
  });
  ui.options.addEventListener("click", openOptions);
  ui.undo.addEventListener("click", undo);
  ui.applyAll.addEventListener("click", applyAll);
  ui.copy.addEventListener("click", copyDraft);
  ui.siteToggle.addEventListener("change", onSiteToggle);
  const pendingId = new URLSearchParams(location.search).get("pending");
  const pending = pendingId
    ? await chrome.runtime.sendMessage({ type: "takePending", id: pendingId }).catch(() => null)
    : null;
  if (pending) {
    ui.draft.value = pending.text;
    show(pending.result, pending.text);
  } else {
    if (!pendingId) await setupSiteToggle().catch(() => {});
    const { apiBase } = await chrome.storage.sync.get({ apiBase: "" });
    const saved = await chrome.storage.session.get({ [DRAFT_KEY]: "" }).catch(() => ({}));
    if (typeof saved[DRAFT_KEY] === "string" && saved[DRAFT_KEY]) ui.draft.value = saved[DRAFT_KEY];
    if (!apiBase) showSetup();
    else if (ui.draft.value.trim()) check(); // the draft kept from the last time the popup was open
  }
  document.body.dataset.ready = "true";
}

start();
