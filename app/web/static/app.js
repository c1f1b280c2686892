// The web form: wires the page to POST /v1/analyze and renders reports with render.js.
// Nothing is stored anywhere except the UI language (localStorage "urikomi.lang").

import { LANGS, translator } from "./i18n.js";
import {
  attachTooltip,
  rangeMatches,
  renderHighlightedDraft,
  renderLegend,
  renderLength,
  renderMeters,
  renderSuggestions,
  renderVerdict,
  replaceUtf16,
  summarize,
} from "./render.js";

const DEBOUNCE_MS = 400;
const LANG_KEY = "urikomi.lang";

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("draft-form"),
  draft: $("draft"),
  platform: $("platform"),
  length: $("length"),
  check: $("check"),
  undo: $("undo"),
  applyAll: $("apply-all"),
  copy: $("copy"),
  status: $("status"),
  langToggle: $("lang-toggle"),
  results: $("results"),
  error: $("error"),
  summary: $("summary"),
  empty: $("results-empty"),
  body: $("results-body"),
  verdict: $("verdict"),
  meters: $("meters"),
  legend: $("legend"),
  highlight: $("highlight"),
  suggestions: $("suggestions"),
  tooltip: $("tooltip"),
};

const state = {
  lang: initialLang(),
  model: null, // GET /v1/model: thresholds, caution_thresholds
  report: null, // the last report shown
  analyzedText: null, // the exact text that report describes
  undoStack: [],
  timer: null,
  seq: 0,
  controller: null,
};

let t = translator(state.lang);

function initialLang() {
  try {
    const stored = window.localStorage.getItem(LANG_KEY);
    if (LANGS.includes(stored)) return stored;
  } catch {
    // storage may be disabled; Japanese it is
  }
  return "ja";
}

// ---- language ------------------------------------------------------------------------------

function applyLang() {
  t = translator(state.lang);
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  document.title = t("page.title");
  const other = state.lang === "ja" ? "en" : "ja";
  ui.langToggle.textContent = t("lang.switch");
  ui.langToggle.lang = other;
  ui.langToggle.setAttribute("aria-label", t("lang.switch.label"));
  ui.legend.replaceChildren(renderLegend(document, t));
}

function toggleLang() {
  state.lang = state.lang === "ja" ? "en" : "ja";
  try {
    window.localStorage.setItem(LANG_KEY, state.lang);
  } catch {
    // not saved; the switch still works for this visit
  }
  applyLang();
  if (ui.draft.value.trim()) analyze();
  else renderLengthInfo(null);
}

// ---- status and errors ---------------------------------------------------------------------

function setStatus(message) {
  ui.status.textContent = message || "";
}

function showError(message) {
  // the last report no longer describes the draft: hide it rather than show stale results
  state.report = null;
  state.analyzedText = null;
  ui.body.hidden = true;
  ui.empty.hidden = true;
  ui.summary.textContent = "";
  ui.applyAll.disabled = true;
  renderLengthInfo(null);
  ui.error.replaceChildren();
  const title = document.createElement("strong");
  title.className = "error__title";
  title.textContent = t("error.title");
  const body = document.createElement("p");
  body.className = "error__body";
  body.textContent = message;
  ui.error.append(title, body);
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.replaceChildren();
}

function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => (item && typeof item.msg === "string" ? item.msg : String(item))).join(" / ");
  }
  return "";
}

/** A polite Japanese (or English) sentence for a failed response. */
function errorMessage(status, payload, headers) {
  const detail = detailText(payload && payload.detail);
  if (status === 422) {
    if (/empty or only whitespace/.test(detail)) return t("error.empty");
    const long = /text is (\d+) characters long; the limit is (\d+)/.exec(detail);
    if (long) return t("error.tooLong", { count: long[1], limit: long[2] });
    return t("error.invalid", { detail: detail || status });
  }
  if (status === 413) return t("error.tooLarge");
  if (status === 429) return t("error.rate", { seconds: headers.get("retry-after") || "10" });
  if (status === 401 || status === 403) return t("error.auth");
  if (status === 503) return t("error.loading");
  return t("error.server", { status });
}

// ---- analysis ------------------------------------------------------------------------------

function scheduleAnalyze() {
  window.clearTimeout(state.timer);
  state.timer = window.setTimeout(analyze, DEBOUNCE_MS);
}

async function analyze() {
  window.clearTimeout(state.timer);
  const text = ui.draft.value;
  if (state.controller) state.controller.abort();
  const seq = ++state.seq;
  if (!text.trim()) {
    state.controller = null;
    clearResults();
    return;
  }
  const controller = new AbortController();
  state.controller = controller;
  ui.results.setAttribute("aria-busy", "true");
  let response;
  let payload = null;
  try {
    response = await fetch("/v1/analyze", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text, platform: ui.platform.value, lang: state.lang }),
      signal: controller.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
  } catch (error) {
    if (error && error.name === "AbortError") return;
    if (seq !== state.seq) return;
    ui.results.removeAttribute("aria-busy");
    showError(t("error.network"));
    return;
  }
  if (seq !== state.seq) return; // a newer request is on its way
  ui.results.removeAttribute("aria-busy");
  state.controller = null;
  if (!response.ok || !payload || typeof payload !== "object" || !payload.scores) {
    showError(errorMessage(response.status, payload, response.headers));
    return;
  }
  clearError();
  showReport(text, payload);
}

function clearResults() {
  state.report = null;
  state.analyzedText = null;
  ui.results.removeAttribute("aria-busy");
  clearError();
  ui.body.hidden = true;
  ui.empty.hidden = false;
  ui.summary.textContent = "";
  ui.applyAll.disabled = true;
  renderLengthInfo(null);
}

function renderLengthInfo(length) {
  const option = ui.platform.selectedOptions[0];
  ui.length.replaceChildren(renderLength(document, length, option ? option.textContent : "", t));
}

function showReport(text, report) {
  state.report = report;
  state.analyzedText = text;
  ui.empty.hidden = true;
  ui.body.hidden = false;
  ui.verdict.replaceChildren(renderVerdict(document, report, t));
  ui.meters.replaceChildren(renderMeters(document, report.scores, state.model, t));
  ui.highlight.replaceChildren(renderHighlightedDraft(document, text, report, t));
  ui.suggestions.replaceChildren(renderSuggestions(document, report, t, { onReplace: replaceSpan }));
  renderLengthInfo(report.length || null);
  ui.applyAll.disabled = !(typeof report.softened_text === "string" && report.softened_text !== text);
  ui.summary.textContent = summarize(report, t);
}

// ---- editing -------------------------------------------------------------------------------

function setDraft(text, selection) {
  state.undoStack.push(ui.draft.value);
  ui.undo.disabled = false;
  ui.draft.value = text;
  if (selection) {
    ui.draft.focus();
    ui.draft.setSelectionRange(selection[0], selection[1]);
  }
}

function replaceSpan(suggestion, replacement) {
  const current = ui.draft.value;
  if (current !== state.analyzedText || !rangeMatches(current, suggestion.span)) {
    setStatus(t("status.stale"));
    analyze();
    return;
  }
  const { start_utf16: start, end_utf16: end } = suggestion.span;
  setDraft(replaceUtf16(current, start, end, replacement), [start, start + replacement.length]);
  setStatus(t("status.applied"));
  analyze();
}

function applyAll() {
  const report = state.report;
  if (!report || typeof report.softened_text !== "string") return;
  if (ui.draft.value !== state.analyzedText) {
    setStatus(t("status.stale"));
    analyze();
    return;
  }
  setDraft(report.softened_text, null);
  setStatus(t("status.appliedAll"));
  analyze();
}

function undo() {
  if (!state.undoStack.length) return;
  ui.draft.value = state.undoStack.pop();
  ui.undo.disabled = state.undoStack.length === 0;
  if (ui.undo.disabled) ui.draft.focus(); // the focused button just became disabled
  setStatus(t("status.undone"));
  analyze();
}

async function copyDraft() {
  const text = ui.draft.value;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard API");
    await navigator.clipboard.writeText(text);
    setStatus(t("status.copied"));
    return;
  } catch {
    // fall back to selecting the textarea and the legacy copy command
  }
  const { selectionStart, selectionEnd } = ui.draft;
  ui.draft.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  ui.draft.setSelectionRange(selectionStart, selectionEnd);
  setStatus(t(copied ? "status.copied" : "status.copyFailed"));
}

// ---- start-up ------------------------------------------------------------------------------

async function loadModel() {
  try {
    const response = await fetch("/v1/model", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const payload = await response.json();
    if (!payload || typeof payload.thresholds !== "object") throw new Error("no thresholds");
    state.model = { thresholds: payload.thresholds, caution_thresholds: payload.caution_thresholds || {} };
  } catch {
    state.model = null;
    setStatus(t("error.model"));
  }
  if (state.report) ui.meters.replaceChildren(renderMeters(document, state.report.scores, state.model, t));
}

function start() {
  applyLang();
  attachTooltip(ui.highlight, ui.tooltip);
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    analyze();
  });
  ui.draft.addEventListener("input", () => {
    setStatus("");
    scheduleAnalyze();
  });
  ui.platform.addEventListener("change", () => {
    if (ui.draft.value.trim()) analyze();
    else renderLengthInfo(null);
  });
  ui.undo.addEventListener("click", undo);
  ui.applyAll.addEventListener("click", applyAll);
  ui.copy.addEventListener("click", copyDraft);
  ui.langToggle.addEventListener("click", toggleLang);
  document.body.dataset.ready = "true";
  loadModel();
  if (ui.draft.value.trim()) analyze(); // e.g. restored by the browser on back/forward
}

start();
