// The web form: wires the page to POST /v1/analyze (draft tab) and POST /v1/feed (feed tab) and
// renders the answers with render.js.
//
// The draft is edited where it is highlighted: a layer behind the transparent textarea draws the
// marks (kept in step on every input), a click or caret move into a mark opens its card under the
// editor, and every edit the page makes goes through the browser's own editing path
// (execCommand "insertText"), so Ctrl+Z / Ctrl+Shift+Z undo and redo it.
//
// Stored in localStorage, only when the user changes them: the UI language (urikomi.lang), the
// sensitivity (urikomi.sensitivity) and the 「このままにする」 choices (urikomi.keep). The draft
// (urikomi.draft) and the last 10 checks (urikomi.history) only while the opt-in
// 「下書きをこのブラウザに保存」 is on (urikomi.autosave); turning it off deletes both.

import { LANGS, translator } from "./i18n.js";
import {
  rangeMatches,
  renderCard,
  renderHighlightedDraft,
  renderLegend,
  renderLength,
  renderMeters,
  renderSections,
  renderSuggestions,
  renderFeedAdvice,
  renderFeedLegend,
  renderFeedPosts,
  renderFeedStats,
  renderFeedTimeline,
  renderFeedVerdict,
  renderVerdict,
  reportThresholds,
  splitFeedBlocks,
  summarize,
  summarizeFeed,
  tiedSuggestions,
} from "./render.js";
import { enhanceSuggestions } from "./findings.js";
import { initRewrite } from "./rewrite.js";

const DEBOUNCE_MS = 400;
const AUTOSAVE_MS = 500;
const HISTORY_SIZE = 10;
const MAX_KEPT = 50;
const KEYS = {
  lang: "urikomi.lang",
  sensitivity: "urikomi.sensitivity",
  keep: "urikomi.keep",
  autosave: "urikomi.autosave",
  draft: "urikomi.draft",
  history: "urikomi.history",
};
const SENSITIVITIES = ["low", "default", "high"];

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("draft-form"),
  draft: $("draft"),
  field: $("editor-field"),
  highlight: $("highlight"),
  intro: $("intro"),
  exampleHard: $("example-hard"),
  exampleStory: $("example-story"),
  card: $("card"),
  platform: $("platform"),
  sensitivity: $("sensitivity"),
  length: $("length"),
  check: $("check"),
  undo: $("undo"),
  applyAll: $("apply-all"),
  copy: $("copy"),
  status: $("status"),
  langToggle: $("lang-toggle"),
  settingsToggle: $("settings-toggle"),
  settings: $("settings"),
  autosave: $("autosave"),
  history: $("history"),
  historyEmpty: $("history-empty"),
  kept: $("kept"),
  keptEmpty: $("kept-empty"),
  results: $("results"),
  error: $("error"),
  summary: $("summary"),
  empty: $("results-empty"),
  body: $("results-body"),
  verdict: $("verdict"),
  sectionsBlock: $("sections-block"),
  sections: $("sections"),
  meters: $("meters"),
  legend: $("legend"),
  suggestions: $("suggestions"),
  tooltip: $("tooltip"),
  tabs: [$("tab-draft"), $("tab-feed")],
  feedForm: $("feed-form"),
  feedText: $("feed-text"),
  feedCount: $("feed-count"),
  feedStart: $("feed-start"),
  feedPerDay: $("feed-per-day"),
  feedCheck: $("feed-check"),
  feedStatus: $("feed-status"),
  feedResults: $("feed-results"),
  feedError: $("feed-error"),
  feedSummary: $("feed-summary"),
  feedEmpty: $("feed-empty"),
  feedBody: $("feed-body"),
  feedVerdict: $("feed-verdict"),
  feedStats: $("feed-stats"),
  feedLegend: $("feed-legend"),
  feedTimeline: $("feed-timeline"),
  feedAdvice: $("feed-advice"),
  feedPostsSection: $("feed-posts-section"),
  feedPosts: $("feed-posts"),
};

const state = {
  lang: initialLang(),
  model: null, // GET /v1/model: thresholds, caution_thresholds
  report: null, // the last report shown
  analyzedText: null, // the exact text that report describes
  edits: 0, // page-made edits on the browser's undo stack (for the 「元に戻す」 button)
  fallbackUndo: [], // only when the browser refused execCommand: our own stack
  editing: false, // an edit of ours is going through the textarea: not the user typing
  composing: false, // an IME composition is open: nothing may touch the draft or send it
  cardKey: null, // "start:end" of the open card's phrase
  timer: null,
  saveTimer: null,
  seq: 0,
  controller: null,
  feed: null, // {blocks, times, response} of the last feed check shown
  feedSeq: 0,
  feedController: null,
};

let t = translator(state.lang);
let rewriteFlow = null; // 「物語で書き直す」 (rewrite.js), built at start-up

// ---- storage (only what the user chose to keep) ----------------------------------------------

function readStored(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage may be disabled
  }
}

function writeStored(key, value) {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // not saved; the page still works for this visit
  }
}

function readJson(key, fallback) {
  try {
    const value = JSON.parse(readStored(key) || "null");
    return value === null ? fallback : value;
  } catch {
    return fallback;
  }
}

function initialLang() {
  const stored = readStored(KEYS.lang);
  return LANGS.includes(stored) ? stored : "ja";
}

const autosaveOn = () => readStored(KEYS.autosave) === "on";

/** The 「このままにする」 choices: [{kind: "term"|"rule", value}], de-duplicated, valid only. */
function keptChoices() {
  const list = readJson(KEYS.keep, []);
  const seen = new Set();
  const out = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (!item || (item.kind !== "term" && item.kind !== "rule") || typeof item.value !== "string") continue;
    const value = item.value.trim();
    if (!value || value.length > 50 || seen.has(`${item.kind}:${value}`)) continue;
    if (item.kind === "rule" && !/^[a-z_]+(\.[a-z_]+)*$/.test(value)) continue;
    seen.add(`${item.kind}:${value}`);
    out.push({ kind: item.kind, value });
  }
  return out.slice(-MAX_KEPT * 2);
}

/** The request's controls: sensitivity and the kept choices as `ignore` / `allow_terms`. */
function controls() {
  const kept = keptChoices();
  return {
    sensitivity: SENSITIVITIES.includes(ui.sensitivity.value) ? ui.sensitivity.value : "default",
    ignore: kept.filter((k) => k.kind === "rule").map((k) => k.value).slice(-MAX_KEPT),
    allow_terms: kept.filter((k) => k.kind === "term").map((k) => k.value).slice(-MAX_KEPT),
  };
}

// ---- language ------------------------------------------------------------------------------

function applyLang() {
  t = translator(state.lang);
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  document.title = t("page.title");
  const other = state.lang === "ja" ? "en" : "ja";
  ui.langToggle.textContent = t("lang.switch");
  ui.langToggle.lang = other;
  ui.langToggle.setAttribute("aria-label", t("lang.switch.label"));
  ui.legend.replaceChildren(renderLegend(document, t));
  ui.feedLegend.replaceChildren(renderFeedLegend(document, t));
  updateFeedCount();
  renderSettings();
  if (rewriteFlow) rewriteFlow.relabel();
}

function toggleLang() {
  state.lang = state.lang === "ja" ? "en" : "ja";
  writeStored(KEYS.lang, state.lang);
  applyLang();
  if (ui.draft.value.trim()) analyze();
  else renderLengthInfo(null);
  if (state.feed) checkFeed(); // advice comes from the server in the chosen language
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
  ui.verdict.replaceChildren();
  ui.applyAll.disabled = true;
  closeCard();
  renderLayer();
  renderLengthInfo(null);
  fillError(ui.error, message);
}

/** Show a polite error (a title and the message, as text) in `box`. */
function fillError(box, message) {
  const title = document.createElement("strong");
  title.className = "error__title";
  title.textContent = t("error.title");
  const body = document.createElement("p");
  body.className = "error__body";
  body.textContent = message;
  box.replaceChildren(title, body);
  box.hidden = false;
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
  if (state.composing) return; // compositionend schedules it
  state.timer = window.setTimeout(analyze, DEBOUNCE_MS);
}

/** POST JSON to this server; the parsed body, or null when the answer is not JSON. Network errors throw. */
async function postJson(path, body, signal) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
    signal,
    credentials: "same-origin",
    cache: "no-store",
  });
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  return { response, payload };
}

async function analyze() {
  window.clearTimeout(state.timer);
  if (state.composing) return; // never interrupt an IME composition; compositionend re-checks
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
    ({ response, payload } = await postJson(
      "/v1/analyze",
      { text, platform: ui.platform.value, lang: state.lang, ...controls() },
      controller.signal,
    ));
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
  remember(text, payload);
}

function clearResults() {
  state.report = null;
  if (rewriteFlow) rewriteFlow.update(null);
  state.analyzedText = null;
  ui.results.removeAttribute("aria-busy");
  clearError();
  ui.body.hidden = true;
  ui.empty.hidden = false;
  ui.summary.textContent = "";
  ui.verdict.replaceChildren();
  ui.applyAll.disabled = true;
  closeCard();
  renderLayer();
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
  const sections = renderSections(document, report, t);
  ui.verdict.replaceChildren(renderVerdict(document, report, t));
  if (sections) {
    // a long draft: which part pushes, right under the verdict (the list is in the results)
    ui.verdict.append(sections.querySelector(".uk-sections__summary").cloneNode(true));
  }
  ui.sections.replaceChildren(...(sections ? [sections] : []));
  ui.sectionsBlock.hidden = !sections;
  ui.meters.replaceChildren(renderMeters(document, report.scores, reportThresholds(report, state.model), t));
  ui.suggestions.replaceChildren(
    renderSuggestions(document, report, t, { onReplace: replaceSpan, onKeep: keep, onSelect: selectPhrase }),
  );
  enhanceSuggestions(document, ui.suggestions, report, state.lang, { apply: replaceSpan });
  if (rewriteFlow) rewriteFlow.update(report);
  renderLengthInfo(report.length || null);
  ui.applyAll.disabled = !(typeof report.softened_text === "string" && report.softened_text !== text);
  ui.summary.textContent = summarize(report, t);
  renderLayer();
  refreshCard();
}

// ---- the editor: highlight layer, auto height, card ----------------------------------------

/** Draw the marks of the shown report behind the textarea, or the plain text when it is stale. */
function renderLayer() {
  const text = ui.draft.value;
  const fresh = state.report && state.analyzedText === text;
  ui.highlight.replaceChildren(renderHighlightedDraft(document, text, fresh ? state.report : null, t, { editor: true }));
  ui.highlight.dataset.fresh = String(Boolean(fresh)); // the marks describe exactly this text
  ui.intro.hidden = text.length > 0;
  fitEditor();
}

/** The textarea grows with its text (so the layer never has to follow a scroll position). */
function fitEditor() {
  const area = ui.draft;
  area.style.height = "auto";
  const borders = area.offsetHeight - area.clientHeight;
  area.style.height = `${area.scrollHeight + borders}px`;
}

/** The finding under UTF-16 offset `pos` of the shown report: {suggestion} or {span} (story), or null. */
function findingAt(pos) {
  const report = state.report;
  if (!report || state.analyzedText !== ui.draft.value) return null;
  const inside = (r) => r.start_utf16 <= pos && pos <= r.end_utf16 && r.start_utf16 < r.end_utf16;
  const suggestion = tiedSuggestions(report).find((s) => inside(s.span));
  if (suggestion) return { suggestion };
  const span = (report.spans || []).find((s) => s.category === "story" && inside(s));
  return span ? { span } : null;
}

function closeCard() {
  state.cardKey = null;
  ui.card.hidden = true;
  ui.card.replaceChildren();
  for (const item of ui.suggestions.querySelectorAll(".uk-suggestion[data-active]")) delete item.dataset.active;
}

/** Open the card of the finding under the caret (after a click, a tap or a caret move). */
function openCardAtCaret() {
  const area = ui.draft;
  ui.tooltip.hidden = true; // the card says the same, next to the phrase
  if (state.composing || area.selectionStart !== area.selectionEnd) return;
  const pos = area.selectionStart;
  const finding = findingAt(pos);
  if (!finding) {
    closeCard();
    return;
  }
  openCard(finding);
  if (touchOnly()) {
    // on a phone the card may sit under the on-screen keyboard: the reason shows at the finger too
    const mark = [...ui.highlight.querySelectorAll(".uk-hl")].find(
      (m) => Number(m.dataset.startUtf16) <= pos && pos <= Number(m.dataset.endUtf16),
    );
    if (mark) showTooltip(mark);
  }
}

function openCard(finding) {
  const range = finding.suggestion ? finding.suggestion.span : finding.span;
  state.cardKey = `${range.start_utf16}:${range.end_utf16}`;
  const box = document.createElement("section");
  box.className = "card";
  box.setAttribute("aria-labelledby", "card-heading");
  const head = document.createElement("div");
  head.className = "card__head";
  const heading = document.createElement("h2"); // the editor panel has no heading above it
  heading.id = "card-heading";
  heading.className = "card__heading";
  heading.tabIndex = -1;
  heading.textContent = t("card.heading");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button button--small button--quiet card__close";
  close.textContent = t("card.close");
  close.addEventListener("click", () => {
    closeCard();
    ui.draft.focus({ preventScroll: true });
  });
  head.append(heading, close);
  const list = document.createElement("ul");
  list.className = "uk-suggestions__list card__list";
  if (finding.suggestion) {
    list.append(
      renderCard(document, finding.suggestion, t, {
        onReplace: replaceSpan,
        onKeep: keep,
        onSelect: selectPhrase,
        id: "card-finding",
        heading: "p",
      }),
    );
  } else {
    const item = document.createElement("li");
    item.className = "uk-suggestion uk-suggestion--story";
    item.id = "card-finding";
    const phrase = document.createElement("p");
    phrase.className = "uk-suggestion__phrase";
    const tag = document.createElement("span");
    tag.className = "uk-tag uk-tag--story";
    tag.textContent = t("category.story");
    const quoted = document.createElement("mark");
    quoted.className = "uk-hl uk-hl--story uk-hl--quote";
    quoted.dataset.marker = t("marker.story");
    quoted.textContent = finding.span.text;
    phrase.append(tag, document.createTextNode(" "), quoted);
    const message = document.createElement("p");
    message.className = "uk-suggestion__message";
    message.textContent = t("card.story");
    item.append(phrase, message);
    list.append(item);
  }
  box.append(head, list);
  ui.card.replaceChildren(box);
  ui.card.hidden = false;
  for (const item of ui.suggestions.querySelectorAll(".uk-suggestion")) {
    if (`${item.dataset.startUtf16}:${item.dataset.endUtf16}` === state.cardKey) item.dataset.active = "true";
    else delete item.dataset.active;
  }
}

/** After a new report: keep the card open on the same finding if it is still there. */
function refreshCard() {
  if (!state.cardKey) return;
  const [start] = state.cardKey.split(":").map(Number);
  const finding = findingAt(start);
  if (finding) openCard(finding);
  else closeCard();
}

/** The card's phrase links back: select it in the draft. */
function selectPhrase(suggestion) {
  if (ui.draft.value !== state.analyzedText || !rangeMatches(ui.draft.value, suggestion.span)) return;
  ui.draft.focus({ preventScroll: true });
  ui.draft.setSelectionRange(suggestion.span.start_utf16, suggestion.span.end_utf16);
  openCard({ suggestion });
}

/** Show a mark's reason when the pointer rests on it (the textarea is on top of the layer). */
function onEditorPointer(event) {
  if (event.pointerType === "touch") return;
  const marks = ui.highlight.querySelectorAll(".uk-hl");
  let found = null;
  for (const mark of marks) {
    for (const rect of mark.getClientRects()) {
      if (event.clientX >= rect.left && event.clientX <= rect.right && event.clientY >= rect.top && event.clientY <= rect.bottom) {
        found = mark;
      }
    }
  }
  if (!found) {
    ui.tooltip.hidden = true;
    return;
  }
  showTooltip(found);
}

/** The reason of a mark of the layer, in the shared tooltip just under the mark. */
function showTooltip(mark) {
  ui.tooltip.textContent = mark.dataset.reason || "";
  ui.tooltip.dataset.category = mark.dataset.category || "";
  ui.tooltip.hidden = false;
  const rect = mark.getClientRects()[0];
  const viewport = document.documentElement.clientWidth;
  const width = Math.min(ui.tooltip.offsetWidth, viewport - 16);
  ui.tooltip.style.left = `${Math.max(8, Math.min(rect.left, viewport - width - 8)) + window.scrollX}px`;
  ui.tooltip.style.top = `${rect.bottom + window.scrollY + 6}px`;
}

// ---- editing (through the browser's editing path, so its undo stack holds every step) --------

/** Phones and tablets: editing must not focus the textarea (that opens the on-screen keyboard). */
const touchOnly = () => window.matchMedia("(hover: none) and (pointer: coarse)").matches;

/**
 * Replace UTF-16 [start, end) of the draft with `text` as one undoable step, then leave the caret
 * at `caret` (default: after the new text). On a desktop the editor keeps (or gets) the focus; on
 * a touch screen the focus goes back where it was and the keyboard is never opened.
 */
function editDraft(start, end, text, caret = null) {
  const area = ui.draft;
  const before = area.value;
  const expected = before.slice(0, start) + text + before.slice(end);
  const returnTo = document.activeElement;
  const quiet = touchOnly();
  const mode = area.getAttribute("inputmode");
  if (quiet) area.setAttribute("inputmode", "none");
  state.editing = true;
  area.focus({ preventScroll: true });
  area.setSelectionRange(start, end);
  let done = false;
  try {
    done = text ? document.execCommand("insertText", false, text) : document.execCommand("delete");
  } catch {
    done = false;
  }
  if (!done || area.value !== expected) {
    state.fallbackUndo.push(before);
    area.value = expected;
  } else {
    state.edits += 1;
  }
  state.editing = false;
  const at = caret === null ? start + text.length : caret;
  area.setSelectionRange(at, at);
  if (quiet) {
    if (mode === null) area.removeAttribute("inputmode");
    else area.setAttribute("inputmode", mode);
    area.blur();
    const back = returnTo && returnTo !== area && returnTo !== document.body && returnTo.isConnected ? returnTo : ui.status;
    if (back === ui.status) ui.status.tabIndex = -1; // the status says what happened; focusable by script only
    back.focus({ preventScroll: true });
  }
  ui.undo.disabled = state.edits + state.fallbackUndo.length === 0;
  afterDraftChange();
}

function afterDraftChange() {
  renderLayer();
  scheduleSave();
}

function replaceSpan(suggestion, replacement) {
  const current = ui.draft.value;
  if (current !== state.analyzedText || !rangeMatches(current, suggestion.span)) {
    setStatus(t("status.stale"));
    analyze();
    return;
  }
  const { start_utf16: start, end_utf16: end } = suggestion.span;
  closeCard();
  editDraft(start, end, replacement);
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
  closeCard();
  editDraft(0, ui.draft.value.length, report.softened_text);
  setStatus(t("status.appliedAll"));
  analyze();
}

function undo() {
  const area = ui.draft;
  if (state.fallbackUndo.length) {
    area.value = state.fallbackUndo.pop();
  } else if (state.edits > 0) {
    state.editing = true;
    area.focus({ preventScroll: true });
    document.execCommand("undo");
    state.editing = false;
    state.edits -= 1;
  } else {
    return;
  }
  ui.undo.disabled = state.edits + state.fallbackUndo.length === 0;
  if (ui.undo.disabled && document.activeElement === ui.undo) area.focus(); // the focused button just became disabled
  setStatus(t("status.undone"));
  afterDraftChange();
  analyze();
}

/** The keyboard's own undo/redo in the textarea moves our count of undoable page edits too. */
function onBeforeInput(event) {
  if (state.editing) return;
  if (event.inputType === "historyUndo" && state.edits > 0) state.edits -= 1;
  else if (event.inputType === "historyRedo") state.edits += 1;
  ui.undo.disabled = state.edits + state.fallbackUndo.length === 0;
}

function onDraftInput(event) {
  if (state.editing) return;
  ui.tooltip.hidden = true;
  renderLayer();
  if (event.isComposing || state.composing) return;
  setStatus("");
  scheduleAnalyze();
  scheduleSave();
}

function tryExample(key) {
  editDraft(0, ui.draft.value.length, t(key), 0);
  setStatus(t("status.example"));
  analyze();
}

async function copyDraft() {
  const text = ui.draft.value;
  if (!text.trim()) {
    setStatus(t("status.copyEmpty"));
    return;
  }
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

// ---- 「このままにする」, autosave, history, settings panel -----------------------------------------

function keep(choice, suggestion) {
  const kept = keptChoices().filter((k) => !(k.kind === choice.kind && k.value === choice.value));
  kept.push(choice);
  writeStored(KEYS.keep, JSON.stringify(kept));
  closeCard();
  renderSettings();
  setStatus(t("status.kept", { text: suggestion.span.text }));
  analyze();
}

function unkeep(choice) {
  const kept = keptChoices().filter((k) => !(k.kind === choice.kind && k.value === choice.value));
  writeStored(KEYS.keep, kept.length ? JSON.stringify(kept) : null);
  renderSettings();
  if (ui.draft.value.trim()) analyze();
}

function scheduleSave() {
  if (!autosaveOn()) return;
  window.clearTimeout(state.saveTimer);
  state.saveTimer = window.setTimeout(() => {
    if (autosaveOn()) writeStored(KEYS.draft, ui.draft.value || null);
  }, AUTOSAVE_MS);
}

/** With autosave on: keep the draft and add this check to the last 10. */
function remember(text, report) {
  if (!autosaveOn()) return;
  writeStored(KEYS.draft, text);
  const history = readJson(KEYS.history, []).filter((item) => item && typeof item.text === "string" && item.text !== text);
  history.unshift({ text, verdict: report.verdict, at: new Date().toISOString() });
  writeStored(KEYS.history, JSON.stringify(history.slice(0, HISTORY_SIZE)));
  renderSettings();
}

function setAutosave(on) {
  if (on) {
    writeStored(KEYS.autosave, "on");
    if (state.report && state.analyzedText === ui.draft.value) remember(ui.draft.value, state.report);
    else scheduleSave();
  } else {
    window.clearTimeout(state.saveTimer);
    for (const key of [KEYS.autosave, KEYS.draft, KEYS.history]) writeStored(key, null);
  }
  renderSettings();
}

function formatWhen(iso) {
  try {
    return new Intl.DateTimeFormat(state.lang === "en" ? "en" : "ja-JP", { dateStyle: "short", timeStyle: "short" }).format(
      new Date(iso),
    );
  } catch {
    return String(iso);
  }
}

function renderSettings() {
  const on = autosaveOn();
  ui.autosave.checked = on;
  const history = on ? readJson(KEYS.history, []).filter((item) => item && typeof item.text === "string") : [];
  ui.history.replaceChildren(
    ...history.map((item) => {
      const li = document.createElement("li");
      li.className = "settings__item";
      const text = document.createElement("span");
      text.className = "settings__text";
      const verdict = ["ok", "caution", "hard_sell"].includes(item.verdict) ? t(`verdict.${item.verdict}`) : "";
      const flat = item.text.replace(/\s+/g, " ").trim();
      text.textContent = `${formatWhen(item.at)} ${verdict}:${flat.length > 40 ? `${flat.slice(0, 40)}…` : flat}`;
      const open = document.createElement("button");
      open.type = "button";
      open.className = "button button--small";
      open.textContent = t("settings.history.open");
      open.setAttribute("aria-label", t("settings.history.openLabel", { when: formatWhen(item.at) }));
      open.addEventListener("click", () => {
        editDraft(0, ui.draft.value.length, item.text, 0);
        analyze();
      });
      li.append(text, open);
      return li;
    }),
  );
  ui.historyEmpty.dataset.i18n = on ? "settings.history.none" : "settings.history.off";
  ui.historyEmpty.textContent = t(ui.historyEmpty.dataset.i18n);
  ui.historyEmpty.hidden = history.length > 0;
  const kept = keptChoices();
  ui.kept.replaceChildren(
    ...kept.map((choice) => {
      const li = document.createElement("li");
      li.className = "settings__item";
      li.dataset.keepKind = choice.kind;
      li.dataset.keepValue = choice.value;
      const text = document.createElement("span");
      text.className = "settings__text";
      text.textContent = t(choice.kind === "rule" ? "settings.kept.rule" : "settings.kept.term", { value: choice.value });
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button--small";
      remove.textContent = t("settings.kept.remove");
      remove.setAttribute("aria-label", t("settings.kept.removeLabel", { value: choice.value }));
      remove.addEventListener("click", () => unkeep(choice));
      li.append(text, remove);
      return li;
    }),
  );
  ui.keptEmpty.hidden = kept.length > 0;
}

function toggleSettings() {
  const open = ui.settings.hidden;
  ui.settings.hidden = !open;
  ui.settingsToggle.setAttribute("aria-expanded", String(open));
  if (open) renderSettings();
}

// ---- tabs ----------------------------------------------------------------------------------

function selectTab(tab, { focus = false } = {}) {
  for (const other of ui.tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  ui.tooltip.hidden = true;
  if (focus) tab.focus();
}

function onTabKey(event) {
  const index = ui.tabs.indexOf(event.target);
  if (index < 0) return;
  let next = null;
  if (event.key === "ArrowRight") next = ui.tabs[(index + 1) % ui.tabs.length];
  else if (event.key === "ArrowLeft") next = ui.tabs[(index - 1 + ui.tabs.length) % ui.tabs.length];
  else if (event.key === "Home") next = ui.tabs[0];
  else if (event.key === "End") next = ui.tabs[ui.tabs.length - 1];
  if (!next) return;
  event.preventDefault();
  selectTab(next, { focus: true });
}

// ---- feed ----------------------------------------------------------------------------------

function updateFeedCount() {
  const n = splitFeedBlocks(ui.feedText.value).length;
  ui.feedCount.textContent = n ? t("feed.count", { n }) : t("feed.count.none");
}

/** ISO times (no zone, read as UTC by the server) for `count` posts, or null without a start date. */
function feedTimes(count) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ui.feedStart.value || "");
  if (!match) return null;
  let perDay = Math.round(Number(ui.feedPerDay.value));
  if (!Number.isFinite(perDay) || perDay < 1) perDay = 1;
  perDay = Math.min(perDay, 12);
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const day = Math.floor(i / perDay);
    const minutes = 9 * 60 + Math.round(((i % perDay) * 12 * 60) / perDay); // spread over 9:00–21:00
    const when = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + day, 0, minutes));
    times.push(when.toISOString().slice(0, 19));
  }
  return times;
}

function postErrorText(error) {
  const detail = String(error || "");
  if (/empty or only whitespace/.test(detail)) return t("feed.postError.empty");
  const long = /text is (\d+) characters long; the limit is (\d+)/.exec(detail);
  if (long) return t("feed.postError.tooLong", { count: long[1], limit: long[2] });
  return t("feed.postError.other", { detail });
}

function showFeedError(message) {
  state.feed = null;
  ui.feedBody.hidden = true;
  ui.feedEmpty.hidden = true;
  ui.feedSummary.textContent = "";
  fillError(ui.feedError, message);
}

async function checkFeed() {
  const blocks = splitFeedBlocks(ui.feedText.value);
  if (state.feedController) state.feedController.abort();
  const seq = ++state.feedSeq;
  if (!blocks.length) {
    ui.feedPostsSection.hidden = true;
    state.feedController = null;
    ui.feedResults.removeAttribute("aria-busy");
    ui.feedStatus.textContent = "";
    showFeedError(t("feed.error.empty"));
    return;
  }
  const times = feedTimes(blocks.length);
  const posts = blocks.map((text, i) => (times ? { id: String(i + 1), text, time: times[i] } : { id: String(i + 1), text }));
  const controller = new AbortController();
  state.feedController = controller;
  ui.feedResults.setAttribute("aria-busy", "true");
  ui.feedStatus.textContent = t("feed.checking");
  let response;
  let payload = null;
  try {
    ({ response, payload } = await postJson("/v1/feed", { posts, lang: state.lang }, controller.signal));
  } catch (error) {
    if (error && error.name === "AbortError") return;
    if (seq !== state.feedSeq) return;
    ui.feedResults.removeAttribute("aria-busy");
    ui.feedStatus.textContent = "";
    showFeedError(t("error.network"));
    return;
  }
  if (seq !== state.feedSeq) return;
  state.feedController = null;
  ui.feedResults.removeAttribute("aria-busy");
  ui.feedStatus.textContent = "";
  if (!response.ok || !payload || typeof payload !== "object" || !Array.isArray(payload.results)) {
    showFeedError(response.status === 413 ? t("feed.error.tooMany") : errorMessage(response.status, payload, response.headers));
    return;
  }
  showFeed(blocks, times, payload);
  ui.feedStatus.textContent = t("feed.done");
  revealFeedResults();
}

/** On a one-column (phone) layout the results sit below the form: bring their heading into view. */
function revealFeedResults() {
  if (!window.matchMedia("(max-width: 899px)").matches) return;
  const heading = document.getElementById("feed-results-heading");
  if (heading.getBoundingClientRect().top < window.innerHeight * 0.4) return; // already well in view
  heading.scrollIntoView({ block: "start" });
}

function showFeed(blocks, times, payload) {
  state.feed = { blocks, times, payload };
  ui.feedError.hidden = true;
  ui.feedError.replaceChildren();
  ui.feedEmpty.hidden = true;
  const summary = payload.summary || null;
  // the summary's timeline covers the posts that could be checked, in the order sent
  const checked = [];
  blocks.forEach((_, i) => {
    const result = payload.results[i];
    if (result && typeof result === "object" && typeof result.error !== "string") checked.push(i);
  });
  const kinds = new Map();
  if (summary && Array.isArray(summary.timeline) && summary.timeline.length === checked.length) {
    checked.forEach((i, k) => kinds.set(i, summary.timeline[k]));
  }
  const posts = blocks.map((text, i) => {
    const result = payload.results[i] || {};
    const failed = typeof result.error === "string";
    return {
      label: String(i + 1),
      text,
      day: times ? times[i].slice(0, 10) : null,
      kind: failed ? null : kinds.get(i) || null,
      verdict: failed ? null : result.verdict || null,
      error: failed ? postErrorText(result.error) : null,
    };
  });
  ui.feedPosts.replaceChildren(renderFeedPosts(document, posts, t, { lang: state.lang }));
  ui.feedPostsSection.hidden = false;
  if (!summary) {
    showFeedError(t("feed.error.noSummary"));
    state.feed = { blocks, times, payload };
    return;
  }
  ui.feedVerdict.replaceChildren(renderFeedVerdict(document, summary, t));
  ui.feedStats.replaceChildren(renderFeedStats(document, summary, t));
  ui.feedTimeline.replaceChildren(
    renderFeedTimeline(document, summary.timeline, t, {
      labels: checked.map((i) => String(i + 1)),
      days: times ? checked.map((i) => times[i].slice(0, 10)) : null,
      lang: state.lang,
      idPrefix: "feed",
    }),
  );
  ui.feedAdvice.replaceChildren(renderFeedAdvice(document, summary, t));
  ui.feedBody.hidden = false;
  ui.feedSummary.textContent = summarizeFeed(summary, t);
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
  if (state.report) {
    ui.meters.replaceChildren(renderMeters(document, state.report.scores, reportThresholds(state.report, state.model), t));
  }
}

function start() {
  const sensitivity = readStored(KEYS.sensitivity);
  if (SENSITIVITIES.includes(sensitivity)) ui.sensitivity.value = sensitivity;
  rewriteFlow = initRewrite(document, ui.applyAll.parentElement, {
    getDraft: () => ui.draft.value,
    getLang: () => state.lang,
    t: () => t,
    post: (path, body) => postJson(path, body, undefined),
    describeError: (status, payload, headers) =>
      status ? errorMessage(status, payload, headers) : t("error.network"),
    applyDraft: (text) => {
      closeCard();
      editDraft(0, ui.draft.value.length, text); // one undoable step: Ctrl+Z brings the draft back
      analyze();
    },
    setStatus,
  });
  applyLang();
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    analyze();
  });
  ui.draft.addEventListener("input", onDraftInput);
  ui.draft.addEventListener("beforeinput", onBeforeInput);
  ui.draft.addEventListener("compositionstart", () => {
    state.composing = true;
    window.clearTimeout(state.timer);
  });
  ui.draft.addEventListener("compositionend", () => {
    state.composing = false;
    renderLayer();
    scheduleAnalyze();
    scheduleSave();
  });
  ui.draft.addEventListener("click", openCardAtCaret);
  ui.draft.addEventListener("keyup", (event) => {
    if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") openCardAtCaret();
  });
  ui.draft.addEventListener("mousemove", onEditorPointer);
  ui.draft.addEventListener("mouseleave", () => {
    ui.tooltip.hidden = true;
  });
  window.addEventListener("resize", fitEditor);
  ui.platform.addEventListener("change", () => {
    if (ui.draft.value.trim()) analyze();
    else renderLengthInfo(null);
  });
  ui.sensitivity.addEventListener("change", () => {
    writeStored(KEYS.sensitivity, ui.sensitivity.value === "default" ? null : ui.sensitivity.value);
    if (ui.draft.value.trim()) analyze();
  });
  ui.undo.addEventListener("click", undo);
  ui.applyAll.addEventListener("click", applyAll);
  ui.copy.addEventListener("click", copyDraft);
  ui.exampleHard.addEventListener("click", () => tryExample("example.hardSellText"));
  ui.exampleStory.addEventListener("click", () => tryExample("example.storyText"));
  ui.langToggle.addEventListener("click", toggleLang);
  ui.settingsToggle.addEventListener("click", toggleSettings);
  ui.autosave.addEventListener("change", () => setAutosave(ui.autosave.checked));
  for (const tab of ui.tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", onTabKey);
  }
  ui.feedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    checkFeed();
  });
  ui.feedText.addEventListener("input", updateFeedCount);
  if (autosaveOn() && !ui.draft.value) {
    const saved = readStored(KEYS.draft);
    if (saved) {
      ui.draft.value = saved; // a restore, not an edit: nothing to undo
      setStatus(t("status.restored"));
    }
  }
  renderLayer();
  document.body.dataset.ready = "true";
  loadModel();
  if (ui.draft.value.trim()) analyze(); // restored, or by the browser on back/forward
}

start();
