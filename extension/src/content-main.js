// The content script proper (a module loaded by content.js), active only when this page's origin
// is opted in. It puts a small badge beside the focused <textarea> or contenteditable, checks the
// text after the user pauses typing, and shows details with replacement buttons that edit the
// field in place.
//
// Never: read <input> fields (passwords among them), block typing (everything is asynchronous),
// or talk to the network itself (the service worker does, for opted-in origins only).

import { cleanKeep } from "./api.js";
import { rangeMatches, replaceUtf16 } from "../vendor/render.js";
import { translator } from "./strings.js";
import { renderError, renderReport, renderSetup } from "./view.js";

export const DEBOUNCE_MS = 800;
const t = translator("ja");
const VERDICT_ICONS = { ok: "✓", caution: "!", hard_sell: "!!" };
const ERROR_ICONS = {
  unreachable: "⚠",
  auth_required: "🔑",
  auth_rejected: "🔑",
  rate_limited: "⏳",
  too_long: "✂",
  not_configured: "⚙",
};
const BLOCK_TAGS = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE", "FOOTER",
  "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION",
  "TABLE", "TR", "UL",
]);

let enabled = false;
let started = false;
let ui = null; // { host, shadow, badge, panel, panelBody, panelStatus }
let field = null; // { el, kind: "textarea" | "editable" }
let timer = null;
let retryTimer = null;
let seq = 0;
let state = "idle"; // idle | loading | ok | caution | hard_sell | <error kind>
let last = null; // { text, result }: the last answer for the current field
let panelOpen = false;
let frame = 0;
let resizeObserver = null;
let edits = 0; // our edits of the current field on the page's undo stack
let statusSeq = 0; // the check the panel's status line was written for

// ---- which fields ------------------------------------------------------------------------

/** The field to check for a focused/typed-in node, or null: only textareas and contenteditables. */
export function fieldFor(node) {
  if (!(node instanceof Element)) return null;
  if (ui && (node === ui.host || ui.host.contains(node))) return null;
  if (node instanceof HTMLInputElement) return null; // never inputs: passwords, e-mail, search…
  if (node.closest("[data-urikomi-ignore]")) return null;
  if (node instanceof HTMLTextAreaElement) {
    return node.readOnly || node.disabled ? null : { el: node, kind: "textarea" };
  }
  if (node.isContentEditable) {
    let root = node;
    while (root.parentElement && root.parentElement.isContentEditable) root = root.parentElement;
    return { el: root, kind: "editable" };
  }
  return null;
}

function eventNode(event) {
  const path = typeof event.composedPath === "function" ? event.composedPath() : [];
  return path.length ? path[0] : event.target;
}

function isOurs(event) {
  return !!ui && typeof event.composedPath === "function" && event.composedPath().includes(ui.host);
}

// ---- text of a contenteditable, with a map back to DOM positions ---------------------------

/** The text of an editable root ("\n" for <br> and between blocks) and where each text node starts. */
export function editableModel(root) {
  let text = "";
  const parts = [];
  const breakLine = () => {
    if (text && !text.endsWith("\n")) text += "\n";
  };
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        parts.push({ node: child, start: text.length, end: text.length + child.data.length });
        text += child.data;
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const tag = child.tagName;
        if (tag === "BR") {
          text += "\n";
        } else if (tag !== "SCRIPT" && tag !== "STYLE" && tag !== "TEMPLATE") {
          const block = BLOCK_TAGS.has(tag);
          if (block) breakLine();
          walk(child);
          if (block) breakLine();
        }
      }
    }
  };
  walk(root);
  return { text, parts };
}

function domPoint(parts, offset, isEnd) {
  for (const part of parts) {
    const inside = isEnd ? part.start < offset && offset <= part.end : part.start <= offset && offset < part.end;
    if (inside) return [part.node, offset - part.start];
  }
  return null;
}

/** A DOM Range over UTF-16 offsets [start, end) of editableModel(root).text, or null. */
export function editableRange(root, start, end) {
  const { parts } = editableModel(root);
  const from = domPoint(parts, start, false);
  const to = domPoint(parts, end, true);
  if (!from || !to) return null;
  const range = root.ownerDocument.createRange();
  range.setStart(from[0], from[1]);
  range.setEnd(to[0], to[1]);
  return range;
}

function readText(target) {
  if (!target || !target.el.isConnected) return "";
  return target.kind === "textarea" ? target.el.value : editableModel(target.el).text;
}

// ---- editing in place ----------------------------------------------------------------------

const nativeValueSetter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;

/** Select [start, end) of the field (a DOM Range for a contenteditable), or false when it moved. */
function selectInField(target, start, end, expected) {
  if (target.kind === "textarea") {
    target.el.focus();
    target.el.setSelectionRange(start, end);
    return target.el.value.slice(start, end) === expected;
  }
  const range = editableRange(target.el, start, end);
  if (!range || range.toString() !== expected) return false;
  target.el.focus();
  const selection = target.el.ownerDocument.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return true;
}

/**
 * Replace [start, end) of the field with `replacement` through the browser's editing path
 * (execCommand "insertText": fires beforeinput + input, React-like frameworks notice, and the
 * page's Ctrl+Z undoes it); a direct change + `input` event when the browser refuses.
 */
function replaceInField(target, start, end, expected, replacement) {
  if (!selectInField(target, start, end, expected)) return false;
  const before = readText(target);
  let done = false;
  try {
    done = replacement
      ? document.execCommand("insertText", false, replacement)
      : document.execCommand("delete");
  } catch {
    done = false;
  }
  if (done && readText(target) !== before) {
    edits += 1;
    return true;
  }
  if (target.kind === "textarea") {
    const el = target.el;
    nativeValueSetter.call(el, replaceUtf16(el.value, start, end, replacement)); // the prototype's setter
    el.setSelectionRange(start + replacement.length, start + replacement.length);
  } else {
    const range = editableRange(target.el, start, end);
    range.deleteContents();
    const node = document.createTextNode(replacement);
    range.insertNode(node);
    const selection = document.getSelection();
    selection.removeAllRanges();
    const after = document.createRange();
    after.setStartAfter(node);
    selection.addRange(after);
  }
  target.el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertReplacementText", data: replacement }));
  return true;
}

function onReplace(suggestion, replacement) {
  if (!field || !last || !last.result || !last.result.ok) return;
  const current = readText(field);
  const span = suggestion.span;
  const applied =
    current === last.text && rangeMatches(current, span)
      ? replaceInField(field, span.start_utf16, span.end_utf16, span.text, replacement)
      : false;
  check();
  setPanelStatus(t(applied ? "panel.applied" : "panel.stale"));
}

function applyAll() {
  if (!field || !last || !last.result || !last.result.ok) return;
  const softened = last.result.report.softened_text;
  const current = readText(field);
  if (typeof softened !== "string" || current !== last.text) {
    check();
    setPanelStatus(t("panel.stale"));
    return;
  }
  const applied = replaceInField(field, 0, current.length, current, softened);
  check();
  setPanelStatus(t(applied ? "panel.appliedAll" : "panel.stale"));
}

function undo() {
  if (!field || edits === 0) return;
  field.el.focus();
  document.execCommand("undo");
  edits -= 1;
  check();
  setPanelStatus(t("panel.undone"));
}

async function copyField() {
  const text = field ? readText(field) : "";
  if (!text.trim()) {
    setPanelStatus(t("panel.copyEmpty"));
    return;
  }
  try {
    await navigator.clipboard.writeText(text);
    setPanelStatus(t("panel.copied"));
  } catch {
    setPanelStatus(t("panel.copyFailed"));
  }
}

/** 「このままにする」: stored with the options page's list (storage.sync), sent with every later check. */
async function keep(choice, suggestion) {
  const stored = await chrome.storage.sync.get({ keep: [] });
  const kept = cleanKeep(stored.keep).filter((k) => !(k.kind === choice.kind && k.value === choice.value));
  await chrome.storage.sync.set({ keep: [...kept, choice] });
  check();
  setPanelStatus(t("panel.kept", { text: suggestion.span.text }));
}

// ---- the badge and the panel (in a shadow root, so the page's CSS cannot reach them) ----------

async function loadStyles(shadow) {
  const urls = ["styles/reset.css", "vendor/style.css", "styles/panel.css"];
  const texts = await Promise.all(
    urls.map((path) =>
      fetch(chrome.runtime.getURL(path))
        .then((response) => (response.ok ? response.text() : ""))
        .catch(() => ""),
    ),
  );
  // the web form's variables live on :root; inside a shadow root they belong on :host
  const css = texts.map((text) => text.replace(/:root\b/g, ":host"));
  try {
    const sheets = css.map((text) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      return sheet;
    });
    shadow.adoptedStyleSheets = sheets; // constructed sheets: not subject to the page's style-src
  } catch {
    const style = document.createElement("style");
    style.textContent = css.join("\n");
    shadow.prepend(style);
  }
}

function buildUi() {
  const host = document.createElement("urikomi-ui");
  const shadow = host.attachShadow({ mode: "open" });
  const badge = document.createElement("button");
  badge.type = "button";
  badge.className = "ukx-badge";
  badge.dataset.urikomiBadge = "";
  badge.hidden = true;
  const icon = document.createElement("span");
  icon.className = "ukx-badge__icon";
  icon.setAttribute("aria-hidden", "true");
  const word = document.createElement("span");
  word.className = "ukx-badge__word";
  badge.append(icon, word);
  badge.addEventListener("mousedown", (event) => event.preventDefault()); // keep the caret in the field
  badge.addEventListener("click", togglePanel);

  const panel = document.createElement("div");
  panel.className = "ukx-panel";
  panel.dataset.urikomiPanel = "";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", t("panel.title"));
  panel.hidden = true;
  const head = document.createElement("div");
  head.className = "ukx-panel__head";
  const title = document.createElement("strong");
  title.className = "ukx-panel__title";
  title.textContent = t("panel.title");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button button--quiet ukx-panel__close";
  close.textContent = t("panel.close");
  close.addEventListener("click", () => closePanel(true));
  head.append(title, close);
  const panelStatus = document.createElement("p");
  panelStatus.className = "status ukx-panel__status";
  panelStatus.setAttribute("role", "status");
  panelStatus.setAttribute("aria-live", "polite");
  const panelBody = document.createElement("div");
  panelBody.className = "ukx-panel__body";
  const foot = document.createElement("div");
  foot.className = "ukx-panel__foot";
  const footButton = (name, key, handler) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `button ukx-panel__${name}`;
    button.textContent = t(key);
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the field's selection
    button.addEventListener("click", handler);
    foot.append(button);
    return button;
  };
  footButton("recheck", "panel.recheck", () => check());
  const undoButton = footButton("undo", "panel.undo", undo);
  const applyAllButton = footButton("apply-all", "panel.applyAll", applyAll);
  footButton("copy", "panel.copy", copyField);
  panel.append(head, panelStatus, panelBody, foot);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closePanel(true);
  });
  shadow.append(badge, panel);
  loadStyles(shadow);
  document.documentElement.append(host);
  return { host, shadow, badge, panel, panelBody, panelStatus, icon, word, undoButton, applyAllButton };
}

function badgeWords(current) {
  if (VERDICT_ICONS[current]) return [VERDICT_ICONS[current], t(`verdict.${current}`)];
  if (current === "idle") return ["", t("badge.idle")];
  if (current === "loading") return ["…", t("badge.loading")];
  const key = `badge.${current}`;
  const word = t(key);
  return [ERROR_ICONS[current] || "⚠", word === key ? t("badge.error") : word];
}

function setState(next) {
  state = next;
  if (!ui) ui = buildUi();
  const [icon, word] = badgeWords(next);
  ui.icon.textContent = icon;
  ui.icon.hidden = !icon;
  ui.word.textContent = word;
  ui.badge.dataset.state = next;
  delete ui.badge.dataset.stale;
  ui.badge.setAttribute("aria-label", t("badge.label", { state: word }));
  ui.badge.setAttribute("aria-expanded", String(panelOpen));
  ui.badge.hidden = !field;
  if (panelOpen) renderPanel();
  schedulePlace();
}

/** The panel's status line; cleared when a later answer supersedes it (see check). */
function setPanelStatus(message) {
  statusSeq = seq;
  if (ui) ui.panelStatus.textContent = message || "";
}

function renderPanel() {
  if (!ui) return;
  const body = ui.panelBody;
  if (state === "loading" && !last) {
    body.replaceChildren(paragraph(t("panel.loading")));
  } else if (last && last.result && last.result.ok) {
    const { report, model } = last.result;
    body.replaceChildren(
      renderReport(document, last.text, report, model, t, { onReplace, onKeep: keep, idPrefix: "urikomi", titles: true }),
    );
  } else if (last && last.result && last.result.error && last.result.error.kind === "not_configured") {
    body.replaceChildren(
      renderSetup(document, t, { onOptions: () => chrome.runtime.sendMessage({ type: "openOptions" }).catch(() => null) }),
    );
  } else if (last && last.result) {
    body.replaceChildren(
      renderError(document, last.result.error, t, {
        onOptions: () => chrome.runtime.sendMessage({ type: "openOptions" }).catch(() => null),
      }),
    );
  } else {
    body.replaceChildren(paragraph(t("panel.idle")));
  }
  ui.panel.dataset.state = state;
  const ok = Boolean(last && last.result && last.result.ok);
  ui.undoButton.disabled = edits === 0;
  ui.applyAllButton.disabled = !(ok && last.result.report.softened_text !== last.text);
}

function paragraph(text) {
  const node = document.createElement("p");
  node.className = "help";
  node.textContent = text;
  return node;
}

function togglePanel() {
  if (panelOpen) {
    closePanel(true);
    return;
  }
  panelOpen = true;
  setPanelStatus("");
  renderPanel();
  ui.panel.hidden = false;
  ui.badge.setAttribute("aria-expanded", "true");
  if (state === "idle" && readText(field).trim()) check();
  schedulePlace();
}

function closePanel(refocus) {
  panelOpen = false;
  if (!ui) return;
  ui.panel.hidden = true;
  ui.badge.setAttribute("aria-expanded", "false");
  if (refocus && field && field.el.isConnected) field.el.focus();
}

function schedulePlace() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    place();
  });
}

function place() {
  if (!ui || !field) return;
  if (!field.el.isConnected) {
    detach();
    return;
  }
  const rect = field.el.getBoundingClientRect();
  const viewWidth = document.documentElement.clientWidth || window.innerWidth;
  const viewHeight = window.innerHeight;
  const hidden = rect.width === 0 && rect.height === 0;
  ui.badge.hidden = hidden;
  if (hidden) return;
  const bw = ui.badge.offsetWidth;
  const bh = ui.badge.offsetHeight;
  const left = Math.max(4, Math.min(rect.right - bw - 6, viewWidth - bw - 4));
  const top = Math.max(4, Math.min(rect.bottom - bh - 6, viewHeight - bh - 4));
  ui.badge.style.left = `${left}px`;
  ui.badge.style.top = `${top}px`;
  if (panelOpen) {
    const width = Math.min(440, viewWidth - 16);
    const below = viewHeight - rect.bottom - 12;
    const above = rect.top - 12;
    const panelLeft = Math.max(8, Math.min(rect.right - width, viewWidth - width - 8));
    ui.panel.style.width = `${width}px`;
    ui.panel.style.left = `${panelLeft}px`;
    if (below >= 240 || below >= above) {
      ui.panel.style.top = `${Math.min(rect.bottom + 6, viewHeight - 120)}px`;
      ui.panel.style.bottom = "auto";
      ui.panel.style.maxHeight = `${Math.max(120, below)}px`;
    } else {
      ui.panel.style.top = "auto";
      ui.panel.style.bottom = `${Math.max(8, viewHeight - rect.top + 6)}px`;
      ui.panel.style.maxHeight = `${Math.max(120, above)}px`;
    }
  }
}

// ---- checking ------------------------------------------------------------------------------

function scheduleCheck(delay = DEBOUNCE_MS) {
  clearTimeout(timer);
  timer = setTimeout(check, delay);
}

async function check() {
  clearTimeout(timer);
  clearTimeout(retryTimer);
  if (!enabled || !field) return;
  const current = field;
  const text = readText(current);
  const mine = ++seq;
  if (!text.trim()) {
    last = null;
    setState("idle");
    return;
  }
  setState("loading");
  let result;
  try {
    result = await chrome.runtime.sendMessage({ type: "analyze", text });
  } catch {
    result = null;
  }
  if (!result) result = { ok: false, error: { kind: "extension" } };
  if (mine !== seq || field !== current) return; // the user moved on
  last = { text, result };
  if (statusSeq < mine && ui) ui.panelStatus.textContent = ""; // this answer supersedes the old message
  if (result.ok) {
    setState(result.report.verdict);
  } else {
    setState(result.error.kind || "error");
    if (result.error.kind === "rate_limited") {
      // respect Retry-After: nothing is sent before then, then one quiet retry
      retryTimer = setTimeout(check, (Number(result.error.retryAfter) || 10) * 1000 + 200);
    }
  }
}

// ---- focus and typing ----------------------------------------------------------------------

function attach(target) {
  if (field && field.el === target.el) return;
  detach();
  field = target;
  last = null;
  edits = 0;
  if (resizeObserver) resizeObserver.observe(target.el);
  setState("idle");
  if (readText(field).trim()) scheduleCheck();
}

function detach() {
  clearTimeout(timer);
  clearTimeout(retryTimer);
  seq += 1;
  if (field && resizeObserver) resizeObserver.unobserve(field.el);
  field = null;
  last = null;
  closePanel(false);
  if (ui) ui.badge.hidden = true;
}

function onFocusIn(event) {
  if (!enabled || isOurs(event)) return;
  const target = fieldFor(eventNode(event));
  if (target) attach(target);
}

function onFocusOut(event) {
  if (!enabled || !field || isOurs(event)) return;
  const next = event.relatedTarget;
  if (next && ui && (next === ui.host || ui.host.contains(next))) return;
  setTimeout(() => {
    if (!field) return;
    let active = document.activeElement;
    while (active && active.shadowRoot && active.shadowRoot.activeElement && active !== (ui && ui.host)) {
      active = active.shadowRoot.activeElement;
    }
    if (active === field.el || field.el.contains(active) || (ui && active === ui.host)) return;
    detach();
  }, 150);
}

function onInput(event) {
  if (!enabled) return;
  const target = fieldFor(eventNode(event));
  if (!target) return;
  attach(target);
  if (ui) ui.badge.dataset.stale = "true";
  scheduleCheck();
}

function onKeyDown(event) {
  if (event.key === "Escape" && panelOpen && !isOurs(event)) closePanel(false);
}

async function refreshEnabled() {
  const { sites } = await chrome.storage.sync.get({ sites: [] });
  const wasEnabled = enabled;
  enabled = Array.isArray(sites) && sites.includes(location.origin);
  if (wasEnabled && !enabled) detach();
  if (!wasEnabled && enabled) {
    const target = fieldFor(document.activeElement);
    if (target) attach(target);
  }
}

/** Start listening (the listeners do nothing unless this origin is opted in). */
export async function start() {
  if (started) return;
  started = true;
  await refreshEnabled();
  document.addEventListener("focusin", onFocusIn, true);
  document.addEventListener("focusout", onFocusOut, true);
  document.addEventListener("input", onInput, true);
  document.addEventListener("keydown", onKeyDown, true);
  window.addEventListener("scroll", schedulePlace, { capture: true, passive: true });
  window.addEventListener("resize", schedulePlace, { passive: true });
  if (typeof ResizeObserver === "function") resizeObserver = new ResizeObserver(schedulePlace);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "sync" && changes.sites) refreshEnabled();
  });
}
