// The web form: wires the page to POST /v1/analyze (draft tab) and POST /v1/feed (feed tab) and
// renders the answers with render.js.
// Nothing is stored anywhere except the UI language (localStorage "urikomi.lang").

import { LANGS, translator } from "./i18n.js";
import {
  attachTooltip,
  rangeMatches,
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
  replaceUtf16,
  splitFeedBlocks,
  summarize,
  summarizeFeed,
} from "./render.js";
import { enhanceSuggestions } from "./findings.js";
import { initRewrite } from "./rewrite.js";

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
  sectionsBlock: $("sections-block"),
  sections: $("sections"),
  meters: $("meters"),
  legend: $("legend"),
  highlight: $("highlight"),
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
  undoStack: [],
  timer: null,
  seq: 0,
  controller: null,
  feed: null, // {blocks, times, response} of the last feed check shown
  feedSeq: 0,
  feedController: null,
};

let t = translator(state.lang);
let rewriteFlow = null; // 「物語で書き直す」 (rewrite.js), built at start-up

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
  if (rewriteFlow) rewriteFlow.relabel();
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
  ui.applyAll.disabled = true;
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
      { text, platform: ui.platform.value, lang: state.lang },
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
  const sections = renderSections(document, report, t);
  ui.sections.replaceChildren(...(sections ? [sections] : []));
  ui.sectionsBlock.hidden = !sections;
  ui.meters.replaceChildren(renderMeters(document, report.scores, state.model, t));
  ui.highlight.replaceChildren(renderHighlightedDraft(document, text, report, t));
  ui.suggestions.replaceChildren(renderSuggestions(document, report, t, { onReplace: replaceSpan }));
  enhanceSuggestions(document, ui.suggestions, report, state.lang, { apply: replaceSpan });
  if (rewriteFlow) rewriteFlow.update(report);
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
  if (state.report) ui.meters.replaceChildren(renderMeters(document, state.report.scores, state.model, t));
}

function start() {
  rewriteFlow = initRewrite(document, ui.applyAll.parentElement, {
    getDraft: () => ui.draft.value,
    getLang: () => state.lang,
    t: () => t,
    post: (path, body) => postJson(path, body, undefined),
    describeError: (status, payload, headers) =>
      status ? errorMessage(status, payload, headers) : t("error.network"),
    applyDraft: (text) => {
      setDraft(text, null);
      analyze();
    },
    setStatus,
  });
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
  for (const tab of ui.tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", onTabKey);
  }
  ui.feedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    checkFeed();
  });
  ui.feedText.addEventListener("input", updateFeedCount);
  document.body.dataset.ready = "true";
  loadModel();
  if (ui.draft.value.trim()) analyze(); // e.g. restored by the browser on back/forward
}

start();
