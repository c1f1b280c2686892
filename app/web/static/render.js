// Rendering of an Urikomi report as DOM nodes. Shared by the web form and (later) the browser
// extension, so it touches no page globals: every function takes the Document to build with and
// a translator `t(key, vars)`, and returns nodes for the caller to place.
//
// Safety rule: user text (the draft, span text) and server text (messages, replacements) only
// ever reach the DOM as text nodes / textContent, never as HTML.

export const CATEGORIES = Object.freeze(["discount_spam", "pushy_pitch", "story"]);
export const HARD_SELL = Object.freeze(["discount_spam", "pushy_pitch"]);
export const VERDICTS = Object.freeze(["ok", "caution", "hard_sell"]);

const VERDICT_ICONS = { ok: "✓", caution: "!", hard_sell: "!!" };

function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function isKnownCategory(category) {
  return CATEGORIES.includes(category);
}

/** Percent (0..100, whole number) of a probability, clamped. */
export function percent(value) {
  const number = Number(value);
  if (!Number.isFinite(number)) return 0;
  return Math.round(Math.min(1, Math.max(0, number)) * 100);
}

/** `text` with the UTF-16 range [start, end) replaced by `replacement`. */
export function replaceUtf16(text, start, end, replacement) {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length)) {
    throw new RangeError("range outside the text");
  }
  return text.slice(0, start) + replacement + text.slice(end);
}

/** True when `range` (a TextRange) still points at its own text inside `text`. */
export function rangeMatches(text, range) {
  return (
    !!range &&
    Number.isInteger(range.start_utf16) &&
    Number.isInteger(range.end_utf16) &&
    range.start_utf16 >= 0 &&
    range.start_utf16 <= range.end_utf16 &&
    range.end_utf16 <= text.length &&
    text.slice(range.start_utf16, range.end_utf16) === range.text
  );
}

function priority(span) {
  return [HARD_SELL.includes(span.category) ? 1 : 0, Number(span.weight) || 0];
}

function better(a, b) {
  const [pa, wa] = priority(a);
  const [pb, wb] = priority(b);
  return pa !== pb ? pa > pb : wa > wb;
}

/**
 * Cut `text` into consecutive segments by the spans' UTF-16 offsets.
 * Each segment is {start, end, text, span} where span is null for plain text. Where spans overlap,
 * a hard-sell span wins over a story span, then the heavier one; invalid ranges are ignored.
 */
export function segmentDraft(text, spans) {
  const length = text.length;
  const valid = (spans || []).filter(
    (span) =>
      span &&
      isKnownCategory(span.category) &&
      Number.isInteger(span.start_utf16) &&
      Number.isInteger(span.end_utf16) &&
      span.start_utf16 >= 0 &&
      span.start_utf16 < span.end_utf16 &&
      span.end_utf16 <= length,
  );
  const cuts = new Set([0, length]);
  for (const span of valid) {
    cuts.add(span.start_utf16);
    cuts.add(span.end_utf16);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments = [];
  for (let k = 0; k + 1 < points.length; k += 1) {
    const start = points[k];
    const end = points[k + 1];
    let chosen = null;
    for (const span of valid) {
      if (span.start_utf16 <= start && end <= span.end_utf16 && (chosen === null || better(span, chosen))) {
        chosen = span;
      }
    }
    const last = segments[segments.length - 1];
    if (last && last.span === chosen) {
      last.end = end;
    } else {
      segments.push({ start, end, span: chosen });
    }
  }
  return segments
    .filter((segment) => segment.end > segment.start)
    .map((segment) => ({ ...segment, text: text.slice(segment.start, segment.end) }));
}

/** The suggestion tied to a span: same UTF-16 range first, else the first overlapping one of its category. */
export function suggestionForSpan(report, span) {
  const suggestions = (report && report.suggestions) || [];
  const exact = suggestions.find(
    (s) => s.span && s.span.start_utf16 === span.start_utf16 && s.span.end_utf16 === span.end_utf16,
  );
  if (exact) return exact;
  return (
    suggestions.find(
      (s) =>
        s.span &&
        s.category === span.category &&
        s.span.start_utf16 < span.end_utf16 &&
        span.start_utf16 < s.span.end_utf16,
    ) || null
  );
}

/** Why a span is marked, in words: the suggestion's message, or the story note. */
export function reasonForSpan(report, span, t) {
  const label = t(`category.${span.category}`);
  if (span.category === "story") {
    return `${label}:${t("highlight.storyNote")}`;
  }
  const suggestion = suggestionForSpan(report, span);
  return suggestion ? `${label}:${suggestion.message}` : label;
}

/**
 * The draft with its spans marked in place.
 * Returns a <div class="uk-draft"> holding the view (<div class="uk-draft__text">, marks are
 * <mark class="uk-hl uk-hl--CATEGORY" tabindex="0">) and the hidden reasons the marks are
 * described by. Each mark's textContent is exactly its span's text.
 *
 * With `editor: true` the view is the highlight layer drawn behind the editing textarea: the
 * same text, marks without letter chips, focus or descriptions (the layer is aria-hidden; the
 * textarea on top takes every click and key, and the caller maps the caret back to a mark).
 */
export function renderHighlightedDraft(doc, text, report, t, { idPrefix = "uk", editor = false } = {}) {
  const wrapper = el(doc, "div", editor ? "uk-draft uk-draft--editor" : "uk-draft");
  const view = el(doc, "div", "uk-draft__text");
  const reasons = el(doc, "div", "uk-visually-hidden");
  let index = 0;
  for (const segment of segmentDraft(text, report ? report.spans : [])) {
    if (!segment.span) {
      view.append(doc.createTextNode(segment.text));
      continue;
    }
    const span = segment.span;
    const reason = reasonForSpan(report, span, t);
    const reasonId = `${idPrefix}-reason-${index}`;
    index += 1;
    const mark = el(doc, "mark", `uk-hl uk-hl--${span.category}`, segment.text);
    mark.dataset.category = span.category;
    mark.dataset.reason = reason;
    mark.dataset.startUtf16 = String(segment.start);
    mark.dataset.endUtf16 = String(segment.end);
    if (span.rule) mark.dataset.rule = span.rule;
    if (!editor) {
      mark.tabIndex = 0;
      mark.dataset.marker = t(`marker.${span.category}`);
      mark.setAttribute("aria-describedby", reasonId);
      const hidden = el(doc, "span", "", reason);
      hidden.id = reasonId;
      reasons.append(hidden);
    }
    view.append(mark);
  }
  if (editor) {
    wrapper.append(view);
  } else {
    wrapper.append(view, reasons);
  }
  return wrapper;
}

/** A legend explaining the colour + underline + letter of each category. */
export function renderLegend(doc, t) {
  const list = el(doc, "ul", "uk-legend");
  list.setAttribute("aria-label", t("highlight.legend"));
  for (const category of CATEGORIES) {
    const item = el(doc, "li", "uk-legend__item");
    const sample = el(doc, "mark", `uk-hl uk-hl--${category} uk-hl--sample`, t(`category.${category}`));
    sample.dataset.marker = t(`marker.${category}`);
    item.append(sample);
    if (category === "story") {
      item.append(doc.createTextNode(` ${t("highlight.storyNote")}`));
    }
    list.append(item);
  }
  return list;
}

/** The verdict badge: icon + word (never colour alone), with data-verdict for machines. */
export function renderVerdict(doc, report, t) {
  const verdict = VERDICTS.includes(report.verdict) ? report.verdict : "caution";
  const box = el(doc, "div", `uk-verdict uk-verdict--${verdict}`);
  box.dataset.verdict = verdict;
  const badge = el(doc, "p", "uk-verdict__badge");
  badge.append(
    el(doc, "span", "uk-verdict__label", `${t("verdict.label")}:`),
    el(doc, "span", "uk-verdict__icon", VERDICT_ICONS[verdict]),
    el(doc, "strong", "uk-verdict__word", t(`verdict.${verdict}`)),
  );
  badge.querySelector(".uk-verdict__icon").setAttribute("aria-hidden", "true");
  box.append(badge, el(doc, "p", "uk-verdict__note", t(`verdict.${verdict}.note`)));
  return box;
}

const SECTION_EXCERPT = 36;

/**
 * A long draft's sections, each with its own verdict (never stronger than the draft's), and one
 * line that says which part is fine and which part pushes. Nothing for a short draft.
 */
export function renderSections(doc, report, t) {
  const sections = Array.isArray(report.sections) ? report.sections : [];
  if (!sections.length) return null;
  const box = el(doc, "div", "uk-sections");
  const pushing = sections
    .map((section, index) => (section.verdict === "hard_sell" ? index + 1 : 0))
    .filter(Boolean);
  const line =
    pushing.length === 0
      ? t("sections.allFine", { n: sections.length })
      : t("sections.someFine", { n: sections.length, which: pushing.join("・") });
  box.append(el(doc, "p", "uk-sections__summary", line));
  const list = el(doc, "ol", "uk-sections__list");
  for (const section of sections) {
    const verdict = VERDICTS.includes(section.verdict) ? section.verdict : "caution";
    const item = el(doc, "li", `uk-sections__item uk-sections__item--${verdict}`);
    item.dataset.verdict = verdict;
    const badge = el(doc, "span", "uk-sections__verdict");
    const icon = el(doc, "span", "uk-verdict__icon", VERDICT_ICONS[verdict]);
    icon.setAttribute("aria-hidden", "true");
    badge.append(icon, doc.createTextNode(t(`verdict.${verdict}`)));
    const flat = String(section.text || "").replace(/\s+/g, " ").trim();
    const excerpt = flat.length > SECTION_EXCERPT ? `${flat.slice(0, SECTION_EXCERPT)}…` : flat;
    item.append(badge, el(doc, "span", "uk-sections__excerpt", excerpt));
    list.append(item);
  }
  box.append(list);
  return box;
}

/**
 * A score in plain words: "weak" below the caution mark, "rather strong" up to the verdict mark,
 * "strong" from there (for story: half of its mark, then its mark). Null without thresholds.
 */
export function strengthWord(category, value, thresholds, caution) {
  if (!thresholds || !(category in thresholds)) return null;
  const cut = Number(thresholds[category]);
  const soft = category === "story" || !caution || !(category in caution) ? cut / 2 : Number(caution[category]);
  if (value >= cut) return "strong";
  if (value >= soft) return "medium";
  return "weak";
}

/** The model-shaped thresholds ({thresholds, caution_thresholds}) of a report made with a sensitivity. */
export function reportThresholds(report, model) {
  const cuts = report && report.thresholds && typeof report.thresholds === "object" ? report.thresholds : null;
  if (!cuts) return model;
  const thresholds = {};
  const caution = {};
  for (const category of CATEGORIES) {
    const cut = cuts[category];
    if (!cut || typeof cut !== "object") return model;
    thresholds[category] = Number(cut.hard_sell);
    caution[category] = Number(cut.caution);
  }
  return { thresholds, caution_thresholds: caution };
}

function level(category, value, thresholds, caution) {
  if (category === "story") {
    return thresholds && value >= thresholds[category] ? "good" : "neutral";
  }
  if (thresholds && value >= thresholds[category]) return "high";
  if (caution && value >= caution[category]) return "mid";
  return "low";
}

/**
 * Three meters (role="meter", aria-valuenow in percent) with the thresholds marked.
 * `model` is the GET /v1/model answer (thresholds, caution_thresholds) or null.
 */
export function renderMeters(doc, scores, model, t, { idPrefix = "uk" } = {}) {
  const thresholds = model && model.thresholds ? model.thresholds : null;
  const caution = model && model.caution_thresholds ? model.caution_thresholds : null;
  const list = el(doc, "div", "uk-meters");
  for (const category of CATEGORIES) {
    const value = Number(scores && scores[category]) || 0;
    const pct = percent(value);
    const row = el(doc, "div", `uk-meter uk-meter--${category}`);
    const labelId = `${idPrefix}-meter-${category}`;
    const head = el(doc, "div", "uk-meter__head");
    const label = el(doc, "span", "uk-meter__label", t(`category.${category}`));
    label.id = labelId;
    const word = strengthWord(category, value, thresholds, caution);
    const reading = el(doc, "span", "uk-meter__reading");
    if (word) {
      const strength = el(doc, "strong", `uk-meter__word uk-meter__word--${word}`, t(`meter.word.${word}`));
      strength.dataset.word = word;
      reading.append(strength, doc.createTextNode(" "));
    }
    reading.append(el(doc, "span", "uk-meter__value", `${pct}%`));
    head.append(label, reading);

    const marks = [];
    if (category === "story") {
      if (thresholds && category in thresholds) marks.push(["threshold", t("meter.storyThreshold"), thresholds[category]]);
    } else {
      if (caution && category in caution) marks.push(["caution", t("meter.caution"), caution[category]]);
      if (thresholds && category in thresholds) marks.push(["threshold", t("meter.threshold"), thresholds[category]]);
    }
    const marksText = marks.map(([, name, at]) => `${name} ${percent(at)}%`).join("、");

    const bar = el(doc, "div", `uk-meter__bar uk-meter__bar--${level(category, value, thresholds, caution)}`);
    bar.setAttribute("role", "meter");
    bar.setAttribute("aria-labelledby", labelId);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", String(pct));
    const valueText = word ? `${t(`meter.word.${word}`)}、${pct}%` : `${pct}%`;
    bar.setAttribute(
      "aria-valuetext",
      marks.length ? t("meter.valuetextMarks", { value: valueText, marks: marksText }) : t("meter.valuetext", { value: valueText }),
    );
    bar.dataset.meter = category;
    bar.dataset.value = String(value);
    const fill = el(doc, "div", "uk-meter__fill");
    fill.style.width = `${pct}%`; // CSSOM, allowed by style-src 'self' (unlike a style attribute)
    bar.append(fill);
    for (const [kind, name, at] of marks) {
      const tick = el(doc, "div", `uk-meter__mark uk-meter__mark--${kind}`);
      tick.style.left = `${percent(at)}%`;
      tick.title = `${name} ${percent(at)}%`;
      bar.append(tick);
    }
    row.append(head, bar);
    if (marks.length) {
      const legend = el(doc, "p", "uk-meter__marks");
      for (const [kind, name, at] of marks) {
        const item = el(doc, "span", `uk-meter__marks-item uk-meter__marks-item--${kind}`, `${name} ${percent(at)}%`);
        legend.append(item);
      }
      legend.setAttribute("aria-hidden", "true");
      row.append(legend);
    }
    list.append(row);
  }
  return list;
}

/**
 * What 「このままにする」 keeps for a suggestion: a compliance reminder is switched off by its rule
 * id (API `ignore`); a phrase is allowed as a term (API `allow_terms`, 1..50 characters).
 * Null when neither fits.
 */
export function keepChoiceFor(suggestion) {
  if (!suggestion || !suggestion.span) return null;
  if (suggestion.category === "compliance") {
    return /^[a-z_]+(\.[a-z_]+)*$/.test(String(suggestion.id || "")) ? { kind: "rule", value: suggestion.id } : null;
  }
  const phrase = String(suggestion.span.text || "").trim();
  return phrase && phrase.length <= 50 ? { kind: "term", value: phrase } : null;
}

/**
 * One finding as a card: its phrase (a button when `onSelect` is given, so the card links back
 * to the draft), why it was marked, one button per replacement, and 「このままにする」 when
 * `onKeep` is given. `isReady(replacement)` may return false to leave a replacement's button
 * disabled (e.g. until the writer fills in a placeholder); by default every replacement is ready.
 */
export function renderCard(
  doc,
  suggestion,
  t,
  { onReplace = null, onKeep = null, onSelect = null, isReady = () => true, id = null, heading = "p" } = {},
) {
  // compliance prompts are reminders, not hard-sell findings: they get their own quiet style
  const category =
    suggestion.category === "compliance" || isKnownCategory(suggestion.category) ? suggestion.category : "pushy_pitch";
  const item = el(doc, "li", `uk-suggestion uk-suggestion--${category}`);
  if (id) item.id = id;
  item.tabIndex = -1;
  item.dataset.suggestionId = suggestion.id || "";
  item.dataset.category = category;
  item.dataset.startUtf16 = String(suggestion.span.start_utf16);
  item.dataset.endUtf16 = String(suggestion.span.end_utf16);
  const phrase = el(doc, heading, "uk-suggestion__phrase");
  const tag = el(doc, "span", `uk-tag uk-tag--${category}`, t(`category.${category}`));
  const quoted = el(doc, "mark", `uk-hl uk-hl--${category} uk-hl--quote`, suggestion.span.text);
  quoted.dataset.marker = t(`marker.${category}`);
  if (onSelect) {
    const link = el(doc, "button", "uk-suggestion__link");
    link.type = "button";
    link.title = t("card.select");
    link.setAttribute("aria-label", t("card.selectLabel", { text: suggestion.span.text }));
    link.append(quoted);
    link.addEventListener("click", () => onSelect(suggestion));
    phrase.append(tag, doc.createTextNode(" "), link);
  } else {
    phrase.append(tag, doc.createTextNode(" "), quoted);
  }
  item.append(phrase, el(doc, "p", "uk-suggestion__message", suggestion.message));
  const replacements = suggestion.replacements || [];
  const group = el(doc, "div", "uk-suggestion__replacements");
  if (replacements.length) {
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("suggestions.group", { from: suggestion.span.text }));
    for (const replacement of replacements) {
      const button = el(doc, "button", "uk-replacement", t("suggestions.replaceWith", { text: replacement }));
      button.type = "button";
      button.dataset.replacement = replacement;
      button.title = t("suggestions.replaceLabel", { from: suggestion.span.text, to: replacement });
      button.disabled = !isReady(replacement);
      if (onReplace) button.addEventListener("click", () => onReplace(suggestion, replacement));
      group.append(button);
    }
  }
  const choice = onKeep ? keepChoiceFor(suggestion) : null;
  if (choice) {
    const keep = el(doc, "button", "uk-keep", t("card.keep"));
    keep.type = "button";
    keep.dataset.keepKind = choice.kind;
    keep.dataset.keepValue = choice.value;
    keep.title = t(choice.kind === "rule" ? "card.keepRule" : "card.keepTerm", { text: suggestion.span.text });
    keep.addEventListener("click", () => onKeep(choice, suggestion));
    group.append(keep);
  }
  if (group.childElementCount) item.append(group);
  if (suggestion.story_prompt) {
    const prompt = el(doc, "p", "uk-suggestion__prompt");
    prompt.append(el(doc, "strong", "", `${t("suggestions.prompt")}:`), doc.createTextNode(suggestion.story_prompt));
    item.append(prompt);
  }
  return item;
}

/** The span-tied suggestions of a report, in draft order. */
export function tiedSuggestions(report) {
  return ((report && report.suggestions) || []).filter((s) => s.span).sort((a, b) => a.span.start_utf16 - b.span.start_utf16);
}

/**
 * The suggestions: span-tied ones in draft order (each a card, see renderCard), then advice for
 * the whole post. `onReplace(suggestion, replacement)` is called when a replacement button is
 * used; `onKeep` and `onSelect` add 「このままにする」 and the link back to the draft.
 * `generalHeading` is the tag of the "advice for the whole post" heading (one level below the
 * caller's own heading).
 */
export function renderSuggestions(
  doc,
  report,
  t,
  { onReplace = null, onKeep = null, onSelect = null, isReady = () => true, idPrefix = "uk", generalHeading = "h4" } = {},
) {
  const box = el(doc, "div", "uk-suggestions");
  const all = (report && report.suggestions) || [];
  const tied = tiedSuggestions(report);
  const general = all.filter((s) => !s.span);
  if (!tied.length) {
    box.append(el(doc, "p", "uk-suggestions__none", t("suggestions.none")));
  }
  const list = el(doc, "ol", "uk-suggestions__list");
  tied.forEach((suggestion, index) => {
    list.append(
      renderCard(doc, suggestion, t, { onReplace, onKeep, onSelect, isReady, id: `${idPrefix}-suggestion-${index}` }),
    );
  });
  if (tied.length) box.append(list);
  if (general.length) {
    const section = el(doc, "div", "uk-suggestions__general");
    section.append(el(doc, generalHeading, "uk-suggestions__general-heading", t("suggestions.general")));
    for (const suggestion of general) {
      const category = isKnownCategory(suggestion.category) ? suggestion.category : "story";
      const item = el(doc, "div", `uk-advice uk-advice--${category}`);
      item.dataset.suggestionId = suggestion.id;
      item.append(el(doc, "p", "uk-advice__message", suggestion.message));
      for (const template of suggestion.replacements || []) {
        const block = el(doc, "div", "uk-advice__template");
        block.append(el(doc, "p", "uk-advice__template-label", `${t("suggestions.template")}:`));
        block.append(el(doc, "p", "uk-advice__template-text", template));
        item.append(block);
      }
      if (suggestion.story_prompt) item.append(el(doc, "p", "uk-suggestion__prompt", suggestion.story_prompt));
      section.append(item);
    }
    box.append(section);
  }
  return box;
}

/** The length counter from the response's `length`; `platformName` is the platform's display name. */
export function renderLength(doc, length, platformName, t) {
  const box = el(doc, "span", "uk-length");
  if (!length) {
    box.textContent = t("length.none");
    return box;
  }
  const hasLimit = length.limit !== null && length.limit !== undefined;
  const main = hasLimit
    ? t("length.count", { platform: platformName, count: length.count, limit: length.limit })
    : t("length.countNoLimit", { platform: platformName, count: length.count });
  box.append(el(doc, "span", "uk-length__count", main));
  if (length.platform === "x") box.append(el(doc, "span", "uk-length__unit", `(${t("length.unitX")})`));
  if (hasLimit) {
    if (length.over) {
      box.classList.add("uk-length--over");
      box.append(el(doc, "strong", "uk-length__over", `⚠ ${t("length.over", { n: length.count - length.limit })}`));
    } else {
      box.append(el(doc, "span", "uk-length__ok", `✓ ${t("length.ok")}`));
    }
  }
  box.dataset.over = String(!!length.over);
  return box;
}

/**
 * Show each mark's reason in `tooltip` (one shared element, role="tooltip") on hover and on
 * keyboard focus; Escape hides it. Returns a function that removes the listeners.
 */
export function attachTooltip(container, tooltip) {
  const doc = container.ownerDocument;
  const win = doc.defaultView;
  let current = null;

  function show(mark) {
    current = mark;
    tooltip.textContent = mark.dataset.reason || "";
    tooltip.dataset.category = mark.dataset.category || "";
    tooltip.hidden = false;
    const rect = mark.getBoundingClientRect();
    const viewport = doc.documentElement.clientWidth;
    const width = Math.min(tooltip.offsetWidth, viewport - 16);
    const left = Math.max(8, Math.min(rect.left, viewport - width - 8));
    tooltip.style.left = `${left + win.scrollX}px`;
    tooltip.style.top = `${rect.bottom + win.scrollY + 6}px`;
  }

  function hide() {
    current = null;
    tooltip.hidden = true;
  }

  const markOf = (event) => (event.target instanceof win.Element ? event.target.closest(".uk-hl") : null);
  const onOver = (event) => {
    const mark = markOf(event);
    if (mark && container.contains(mark)) show(mark);
  };
  const onOut = (event) => {
    const mark = markOf(event);
    if (mark && mark === current && !(event.relatedTarget && mark.contains(event.relatedTarget))) hide();
  };
  const onKey = (event) => {
    if (event.key === "Escape" && current) hide();
  };
  container.addEventListener("mouseover", onOver);
  container.addEventListener("focusin", onOver);
  container.addEventListener("mouseout", onOut);
  container.addEventListener("focusout", onOut);
  doc.addEventListener("keydown", onKey);
  return () => {
    container.removeEventListener("mouseover", onOver);
    container.removeEventListener("focusin", onOver);
    container.removeEventListener("mouseout", onOut);
    container.removeEventListener("focusout", onOut);
    doc.removeEventListener("keydown", onKey);
    hide();
  };
}

/** A one-line summary of a report for an aria-live region. */
export function summarize(report, t) {
  const scores = report.scores || {};
  return t("summary", {
    verdict: t(`verdict.${report.verdict}`),
    discount: percent(scores.discount_spam),
    pushy: percent(scores.pushy_pitch),
    story: percent(scores.story),
    n: ((report.suggestions || []).filter((s) => s.span)).length,
  });
}

// ---- feed (POST /v1/feed) ----------------------------------------------------------------------

export const FEED_KINDS = Object.freeze(["promo", "story", "other"]);
export const FEED_VERDICTS = Object.freeze(["healthy", "too_promotional"]);

const FEED_VERDICT_CLASS = { healthy: "ok", too_promotional: "hard_sell" };
const FEED_VERDICT_ICONS = { healthy: "✓", too_promotional: "!!" };

/**
 * Split pasted text into posts: one or more blank (or whitespace-only) lines end a post.
 * Returns the posts' texts with surrounding blank space trimmed; empty posts are dropped.
 */
export function splitFeedBlocks(text) {
  const blocks = [];
  let lines = [];
  const flush = () => {
    const block = lines.join("\n").trim();
    if (block) blocks.push(block);
    lines = [];
  };
  for (const line of String(text || "").split(/\r\n|\r|\n/)) {
    if (line.trim() === "") flush();
    else lines.push(line);
  }
  flush();
  return blocks;
}

/** The feed verdict badge (icon + words, never colour alone), with data-verdict for machines. */
export function renderFeedVerdict(doc, summary, t) {
  const verdict = FEED_VERDICTS.includes(summary.verdict) ? summary.verdict : "too_promotional";
  const box = el(doc, "div", `uk-verdict uk-verdict--${FEED_VERDICT_CLASS[verdict]} uk-feed-verdict`);
  box.dataset.verdict = verdict;
  const badge = el(doc, "p", "uk-verdict__badge");
  const icon = el(doc, "span", "uk-verdict__icon", FEED_VERDICT_ICONS[verdict]);
  icon.setAttribute("aria-hidden", "true");
  badge.append(
    el(doc, "span", "uk-verdict__label", `${t("verdict.label")}:`),
    icon,
    el(doc, "strong", "uk-verdict__word", t(`feed.verdict.${verdict}`)),
  );
  box.append(badge, el(doc, "p", "uk-verdict__note", t(`feed.verdict.${verdict}.note`)));
  return box;
}

/**
 * The feed's counts as a description list. `postLabel(id)` turns a post id into what the user
 * calls that post (e.g. its block number) for the repeated-offer groups.
 */
export function renderFeedStats(doc, summary, t, { postLabel = (id) => String(id) } = {}) {
  const list = el(doc, "dl", "uk-feed-stats");
  const share = (value, n) => t("feed.value.share", { pct: percent(value), n });
  const groups = Array.isArray(summary.near_duplicate_deals) ? summary.near_duplicate_deals : [];
  const rows = [
    ["posts", t("feed.stat.posts"), t("feed.value.count", { n: summary.posts })],
    ["promotional", t("feed.stat.promotional"), share(summary.promotional_share, summary.promotional)],
    ["hard_sell", t("feed.stat.hardSell"), share(summary.hard_sell_share, summary.hard_sell)],
    ["run", t("feed.stat.run"), t("feed.value.run", { n: summary.longest_promotional_run })],
    ["story", t("feed.stat.story"), share(summary.story_share, summary.story_posts)],
    [
      "duplicates",
      t("feed.stat.duplicates"),
      groups.length ? t("feed.value.groups", { n: groups.length }) : t("feed.value.groupsNone"),
    ],
  ];
  for (const [key, name, value] of rows) {
    const row = el(doc, "div", `uk-feed-stats__row uk-feed-stats__row--${key}`);
    row.dataset.stat = key;
    const dd = el(doc, "dd", "uk-feed-stats__value", value);
    if (key === "duplicates" && groups.length) {
      const detail = el(doc, "ul", "uk-feed-stats__groups");
      for (const group of groups) {
        const ids = group.map((id) => (id === null || id === undefined ? "?" : postLabel(id)));
        detail.append(el(doc, "li", "", t("feed.group", { ids: ids.join(t("feed.group.sep")) })));
      }
      dd.append(detail);
    }
    row.append(el(doc, "dt", "uk-feed-stats__name", name), dd);
    list.append(row);
  }
  return list;
}

/** The legend of the timeline marks: colour + pattern + letter for each kind. */
export function renderFeedLegend(doc, t) {
  const list = el(doc, "ul", "uk-timeline-legend");
  list.setAttribute("aria-label", t("highlight.legend"));
  for (const kind of FEED_KINDS) {
    const item = el(doc, "li", "uk-timeline-legend__item");
    const sample = el(doc, "span", `uk-timeline__mark uk-timeline__mark--${kind} uk-timeline__mark--sample`, t(`feed.marker.${kind}`));
    sample.setAttribute("aria-hidden", "true");
    item.append(sample, doc.createTextNode(t(`feed.kind.${kind}`)));
    list.append(item);
  }
  return list;
}

/** An ISO date (YYYY-MM-DD) as a short local date, e.g. 5月1日(水) / Wed, May 1. */
export function formatFeedDay(iso, lang = "ja") {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ""));
  if (!match) return String(iso || "");
  try {
    return new Intl.DateTimeFormat(lang === "en" ? "en" : "ja-JP", {
      month: "short",
      day: "numeric",
      weekday: "short",
      timeZone: "UTC",
    }).format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
  } catch {
    return String(iso);
  }
}

/**
 * The feed as a row of small squares in posting order (summary.timeline). Each mark shows a
 * letter and a pattern besides its colour, carries its post label, and reads as
 * "Post 3: Promotion" to screen readers. `labels[i]` names the i-th mark (default i + 1);
 * `days[i]` (ISO date, optional) groups the marks by day under a date heading.
 */
export function renderFeedTimeline(doc, timeline, t, { labels = null, days = null, lang = "ja", idPrefix = "uk" } = {}) {
  const kinds = (timeline || []).map((kind) => (FEED_KINDS.includes(kind) ? kind : "other"));
  const counts = Object.fromEntries(FEED_KINDS.map((kind) => [kind, kinds.filter((k) => k === kind).length]));
  const figure = el(doc, "figure", "uk-timeline");
  const caption = el(doc, "figcaption", "uk-timeline__caption", t("feed.timeline.caption", counts));
  const captionId = `${idPrefix}-timeline-caption`;
  caption.id = captionId;
  const formatDay = (iso) => formatFeedDay(iso, lang);
  const groups = [];
  kinds.forEach((kind, index) => {
    const day = days && days[index] ? days[index] : null;
    const last = groups[groups.length - 1];
    if (!last || last.day !== day) groups.push({ day, items: [] });
    groups[groups.length - 1].items.push({ kind, index });
  });
  const track = el(doc, "div", "uk-timeline__track");
  for (const group of groups) {
    const box = el(doc, "div", `uk-timeline__group${group.day ? " uk-timeline__group--day" : ""}`);
    const list = el(doc, "ol", "uk-timeline__marks");
    if (group.day) {
      const heading = el(doc, "p", "uk-timeline__day", formatDay(group.day));
      heading.dataset.day = group.day;
      box.append(heading);
      list.setAttribute("aria-label", formatDay(group.day));
    } else {
      list.setAttribute("aria-labelledby", captionId);
    }
    for (const { kind, index } of group.items) {
      const label = labels && labels[index] !== undefined ? labels[index] : String(index + 1);
      const text = t("feed.mark", { n: label, kind: t(`feed.kind.${kind}`) });
      const item = el(doc, "li", `uk-timeline__item`);
      const mark = el(doc, "span", `uk-timeline__mark uk-timeline__mark--${kind}`, t(`feed.marker.${kind}`));
      mark.setAttribute("aria-hidden", "true");
      mark.title = text;
      item.dataset.kind = kind;
      item.dataset.post = String(label);
      const number = el(doc, "span", "uk-timeline__number", label);
      number.setAttribute("aria-hidden", "true");
      item.append(mark, number, el(doc, "span", "uk-visually-hidden", text));
      list.append(item);
    }
    box.append(list);
    track.append(box);
  }
  figure.append(track, caption);
  return figure;
}

/** Every advice line of the feed summary, as a list (server text, so textContent only). */
export function renderFeedAdvice(doc, summary, t) {
  const advice = Array.isArray(summary.advice) ? summary.advice : [];
  const healthy = summary.verdict === "healthy";
  const list = el(doc, "ul", `uk-feed-advice${healthy ? " uk-feed-advice--healthy" : ""}`);
  for (const line of advice) list.append(el(doc, "li", "uk-feed-advice__item", line));
  if (!advice.length) list.append(el(doc, "li", "uk-feed-advice__item", t("feed.advice.none")));
  return list;
}

/** A one-line summary of a feed check for an aria-live region. */
export function summarizeFeed(summary, t) {
  const verdict = FEED_VERDICTS.includes(summary.verdict) ? summary.verdict : "too_promotional";
  return t("feed.summary", {
    verdict: t(`feed.verdict.${verdict}`),
    n: summary.posts,
    promo: summary.promotional,
    story: summary.story_posts,
    advice: (summary.advice || []).length,
  });
}

/**
 * Post by post: each block's number, kind (same mark as the timeline), date and text, or why it
 * could not be checked. `posts` is [{label, text, kind, day, error}]; the text is user text and
 * only ever set as textContent.
 */
export function renderFeedPosts(doc, posts, t, { lang = "ja" } = {}) {
  const list = el(doc, "ol", "uk-feed-posts");
  for (const post of posts || []) {
    const kind = FEED_KINDS.includes(post.kind) ? post.kind : null;
    const item = el(doc, "li", `uk-feed-post${post.error ? " uk-feed-post--error" : kind ? ` uk-feed-post--${kind}` : ""}`);
    item.dataset.post = String(post.label);
    if (kind) item.dataset.kind = kind;
    const head = el(doc, "p", "uk-feed-post__head");
    if (kind) {
      const mark = el(doc, "span", `uk-timeline__mark uk-timeline__mark--${kind} uk-timeline__mark--sample`, t(`feed.marker.${kind}`));
      mark.setAttribute("aria-hidden", "true");
      head.append(mark);
    }
    head.append(el(doc, "strong", "uk-feed-post__number", t("feed.post", { n: post.label })));
    if (post.day) head.append(el(doc, "span", "uk-feed-post__day", formatFeedDay(post.day, lang)));
    if (kind) head.append(el(doc, "span", "uk-feed-post__kind", t(`feed.kind.${kind}`)));
    item.append(head);
    if (post.error) {
      const error = el(doc, "p", "uk-feed-post__error", post.error);
      error.setAttribute("role", "note");
      item.append(error);
    }
    item.append(el(doc, "p", "uk-feed-post__text", post.text));
    list.append(item);
  }
  return list;
}
