// 「物語で書き直す」: the guided story rewrite in the web form (POST /v1/rewrite).
// Two questions (taken from the draft's story prompts), a preview with its verdict, apply, and the
// form's own 「元に戻す」 to undo. The writer's answers are used word for word; nothing is stored.
// Text reaches the DOM only as textContent.

import { renderVerdict } from "./render.js";

const MAX_ANSWER = 300;
const STRINGS = {
  ja: {
    open: "物語で書き直す",
    heading: "物語で書き直す",
    help: "二つの質問に答えると、あなたの言葉から始まる下書きを作ります。答えはそのまま使い、下書きの数字・日付・リンク・商品名は残します。",
    episode: "最近あった出来事や、お客様の一言を教えてください。",
    reason: "これを届けたい理由や、届けたい人を教えてください。",
    preview: "プレビューする",
    apply: "この下書きを使う",
    close: "閉じる",
    working: "書き直しています…",
    empty: "二つの質問の両方に答えてください。",
    ready: "プレビューを表示しました。よろしければ「この下書きを使う」を押してください。",
    applied: "物語で書き直した下書きにしました。「元に戻す」で前の下書きに戻せます。",
    counter: "{n} / 300 文字",
    previewLabel: "書き直した下書き",
  },
  en: {
    open: "Rewrite as a story",
    heading: "Rewrite as a story",
    help: "Answer two questions and get a draft that opens with your own words. Your answers are used as written; the draft's numbers, dates, links and product names stay.",
    episode: "Tell us about a recent moment, or something a customer said.",
    reason: "Why do you want to offer this, and who is it for?",
    preview: "Preview",
    apply: "Use this draft",
    close: "Close",
    working: "Rewriting…",
    empty: "Please answer both questions.",
    ready: "Here is the preview. Press “Use this draft” if you like it.",
    applied: "Your draft now opens with your story. “Undo” brings the previous draft back.",
    counter: "{n} / 300 characters",
    previewLabel: "Rewritten draft",
  },
};

function strings(lang) {
  const table = STRINGS[lang] || STRINGS.ja;
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The two questions: the draft's first two distinct story prompts, else the general ones. */
export function questionsFor(report, s) {
  const prompts = [];
  for (const suggestion of (report && report.suggestions) || []) {
    const prompt = suggestion.story_prompt;
    if (suggestion.span && prompt && !prompts.includes(prompt)) prompts.push(prompt);
  }
  return [prompts[0] || s("episode"), prompts[1] || s("reason")];
}

/**
 * Build the flow under `anchor` (the form's actions row). Hooks from app.js:
 * getDraft() → the textarea's text; getLang(); t (the page translator, for the verdict);
 * applyDraft(text) → set the draft (pushing undo) and re-check; post(path, body) → {response, payload};
 * describeError(status, payload, headers) → a polite sentence.
 */
export function initRewrite(doc, anchor, hooks) {
  const openButton = el(doc, "button", "button", "");
  openButton.type = "button";
  openButton.id = "rewrite-open";
  openButton.disabled = true;
  anchor.append(openButton);

  const panel = el(doc, "section", "rewrite");
  panel.id = "rewrite";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "rewrite-heading");
  const heading = el(doc, "h3", "rewrite__heading", "");
  heading.id = "rewrite-heading";
  const help = el(doc, "p", "help rewrite__help", "");
  const fields = ["episode", "reason"].map((name) => {
    const label = el(doc, "label", "field-label rewrite__label", "");
    label.htmlFor = `rewrite-${name}`;
    label.id = `rewrite-${name}-label`;
    const box = el(doc, "textarea", "rewrite__answer");
    box.id = `rewrite-${name}`;
    box.rows = 3;
    box.maxLength = MAX_ANSWER;
    box.setAttribute("aria-describedby", `rewrite-${name}-count`);
    const count = el(doc, "p", "help rewrite__count", "");
    count.id = `rewrite-${name}-count`;
    return { name, label, box, count };
  });
  const previewButton = el(doc, "button", "button button--primary", "");
  previewButton.type = "button";
  previewButton.id = "rewrite-preview";
  const closeButton = el(doc, "button", "button button--quiet", "");
  closeButton.type = "button";
  closeButton.id = "rewrite-close";
  const status = el(doc, "p", "status rewrite__status", "");
  status.id = "rewrite-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const result = el(doc, "div", "rewrite__result");
  result.id = "rewrite-result";
  result.hidden = true;
  const verdictBox = el(doc, "div", "rewrite__verdict");
  verdictBox.id = "rewrite-verdict";
  const previewLabel = el(doc, "p", "field-label", "");
  const previewText = el(doc, "p", "rewrite__text", "");
  previewText.id = "rewrite-text";
  const applyButton = el(doc, "button", "button button--primary", "");
  applyButton.type = "button";
  applyButton.id = "rewrite-apply";
  result.append(verdictBox, previewLabel, previewText, applyButton);
  const buttons = el(doc, "div", "actions");
  buttons.append(previewButton, closeButton);
  panel.append(heading, help);
  for (const field of fields) panel.append(field.label, field.box, field.count);
  panel.append(buttons, status, result);
  anchor.parentElement.append(panel);

  const state = { report: null, preview: null, draft: null };

  function relabel() {
    const s = strings(hooks.getLang());
    openButton.textContent = s("open");
    heading.textContent = s("heading");
    help.textContent = s("help");
    previewButton.textContent = s("preview");
    closeButton.textContent = s("close");
    applyButton.textContent = s("apply");
    previewLabel.textContent = s("previewLabel");
    const [first, second] = questionsFor(state.report, s);
    fields[0].label.textContent = first;
    fields[1].label.textContent = second;
    for (const field of fields) field.count.textContent = s("counter", { n: field.box.value.length });
  }

  function update(report) {
    state.report = report;
    openButton.disabled = !report || report.verdict === "ok";
    if (state.preview !== null && hooks.getDraft() !== state.draft) {
      result.hidden = true; // the preview no longer belongs to this draft
      state.preview = null;
    }
    relabel();
  }

  async function preview() {
    const s = strings(hooks.getLang());
    const answers = { episode: fields[0].box.value, reason: fields[1].box.value };
    if (!answers.episode.trim() || !answers.reason.trim()) {
      status.textContent = s("empty");
      return;
    }
    const draft = hooks.getDraft();
    status.textContent = s("working");
    previewButton.disabled = true;
    let response;
    let payload;
    try {
      ({ response, payload } = await hooks.post("/v1/rewrite", { text: draft, answers, lang: hooks.getLang() }));
    } catch {
      status.textContent = hooks.describeError(0, null, new Headers());
      previewButton.disabled = false;
      return;
    }
    previewButton.disabled = false;
    if (!response.ok || !payload || typeof payload.text !== "string" || !payload.report) {
      status.textContent = hooks.describeError(response.status, payload, response.headers);
      return;
    }
    state.preview = payload.text;
    state.draft = draft;
    verdictBox.replaceChildren(renderVerdict(doc, payload.report, hooks.t()));
    previewText.textContent = payload.text;
    result.hidden = false;
    status.textContent = s("ready");
  }

  function apply() {
    if (state.preview === null) return;
    const s = strings(hooks.getLang());
    hooks.applyDraft(state.preview);
    state.draft = state.preview;
    result.hidden = true;
    state.preview = null;
    panel.hidden = true;
    status.textContent = "";
    hooks.setStatus(s("applied"));
  }

  openButton.addEventListener("click", () => {
    panel.hidden = false;
    relabel();
    fields[0].box.focus();
  });
  closeButton.addEventListener("click", () => {
    panel.hidden = true;
    openButton.focus();
  });
  for (const field of fields) field.box.addEventListener("input", relabel);
  previewButton.addEventListener("click", preview);
  applyButton.addEventListener("click", apply);
  relabel();
  return { update, relabel };
}
