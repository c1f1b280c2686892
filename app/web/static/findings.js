// The findings list, made complete and safe to act on (used by app.js after renderSuggestions):
// - every finding is shown; with more than FOLD_AFTER of them the most important come first and
//   the rest are folded behind 「ほかN件」 (never dropped);
// - a replacement holding a placeholder （届けたい人） cannot be applied until the writer fills it
//   in: its button opens a small form whose apply button stays disabled while a field is empty;
// - an empty replacement (a hashtag or a pressure phrase that can simply go) reads 「削除する」.
// Text reaches the DOM only as textContent.

export const FOLD_AFTER = 8;
export const PLACEHOLDER = /（[^（）\n]{1,30}）/g;

const STRINGS = {
  ja: {
    more: "ほか{n}件の指摘",
    remove: "この部分を削除する",
    removeLabel: "「{from}」を削除します",
    fill: "（　）の部分を書き入れてから置き換えます",
    fillApply: "書き入れて置き換える",
    fillCancel: "やめる",
    fillHelp: "かっこの中は、あなたにしか書けない内容です。ご自身の言葉で書き入れてください。",
  },
  en: {
    more: "{n} more findings",
    remove: "Remove this phrase",
    removeLabel: "Remove “{from}”",
    fill: "Fill in the （ ） parts before replacing",
    fillApply: "Fill in and replace",
    fillCancel: "Cancel",
    fillHelp: "Only you know what goes in the brackets. Please write it in your own words.",
  },
};

export function strings(lang) {
  const table = STRINGS[lang] || STRINGS.ja;
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** The placeholders of a replacement, in order. */
export function placeholdersOf(text) {
  return String(text).match(PLACEHOLDER) || [];
}

/** `text` with its placeholders filled by `values` (in order), each trimmed. */
export function fillPlaceholders(text, values) {
  let k = 0;
  return String(text).replace(PLACEHOLDER, () => String(values[k++] ?? "").trim());
}

function weightOf(report, suggestion) {
  const span = (report.spans || []).find(
    (s) => s.start_utf16 === suggestion.span.start_utf16 && s.end_utf16 === suggestion.span.end_utf16,
  );
  const weight = span ? Number(span.weight) || 0 : 0;
  return suggestion.category === "compliance" ? weight - 1000 : weight; // reminders after findings
}

/**
 * Enhance the rendered suggestions in `container`: fold, guard placeholders, relabel removals.
 * `apply(suggestion, text)` replaces the suggestion's span with `text`.
 */
export function enhanceSuggestions(doc, container, report, lang, { apply }) {
  const s = strings(lang);
  const tied = ((report && report.suggestions) || []).filter((x) => x.span);
  const find = (item) =>
    tied.find(
      (x) =>
        String(x.span.start_utf16) === item.dataset.startUtf16 &&
        String(x.span.end_utf16) === item.dataset.endUtf16 &&
        x.id === item.dataset.suggestionId,
    ) || null;
  for (const button of container.querySelectorAll(".uk-replacement")) {
    const item = button.closest(".uk-suggestion");
    const suggestion = item ? find(item) : null;
    if (!suggestion) continue;
    const replacement = button.dataset.replacement || "";
    if (replacement === "") {
      button.textContent = s("remove");
      button.title = s("removeLabel", { from: suggestion.span.text });
    } else if (placeholdersOf(replacement).length) {
      button.dataset.needsFill = "true";
      button.title = s("fill");
      // capture on the button's own ancestor: the plain "replace now" listener never runs
      button.addEventListener(
        "click",
        (event) => {
          event.stopImmediatePropagation();
          openFillForm(doc, item, suggestion, replacement, s, apply);
        },
        { capture: true },
      );
    }
  }
  fold(doc, container, report, tied, find, s);
}

function openFillForm(doc, item, suggestion, replacement, s, apply) {
  const old = item.querySelector(".uk-fill");
  if (old) old.remove();
  const form = doc.createElement("div");
  form.className = "uk-fill";
  form.setAttribute("role", "group");
  form.setAttribute("aria-label", s("fill"));
  const help = doc.createElement("p");
  help.className = "uk-fill__help";
  help.textContent = s("fillHelp");
  const preview = doc.createElement("p");
  preview.className = "uk-fill__template";
  preview.textContent = replacement;
  form.append(help, preview);
  const inputs = placeholdersOf(replacement).map((placeholder, index) => {
    const label = doc.createElement("label");
    label.className = "uk-fill__label";
    const input = doc.createElement("input");
    input.type = "text";
    input.className = "uk-fill__input";
    input.maxLength = 120;
    input.dataset.placeholderIndex = String(index);
    input.placeholder = placeholder.slice(1, -1);
    label.append(doc.createTextNode(placeholder.slice(1, -1)), input);
    form.append(label);
    return input;
  });
  const go = doc.createElement("button");
  go.type = "button";
  go.className = "button uk-fill__apply";
  go.textContent = s("fillApply");
  go.disabled = true;
  const cancel = doc.createElement("button");
  cancel.type = "button";
  cancel.className = "button button--quiet uk-fill__cancel";
  cancel.textContent = s("fillCancel");
  const update = () => {
    go.disabled = inputs.some((input) => !input.value.trim());
  };
  for (const input of inputs) input.addEventListener("input", update);
  go.addEventListener("click", () => {
    if (inputs.some((input) => !input.value.trim())) return; // never apply a bracket left empty
    apply(suggestion, fillPlaceholders(replacement, inputs.map((input) => input.value)));
  });
  cancel.addEventListener("click", () => form.remove());
  const actions = doc.createElement("div");
  actions.className = "uk-fill__actions";
  actions.append(go, cancel);
  form.append(actions);
  item.append(form);
  if (inputs.length) inputs[0].focus();
}

function fold(doc, container, report, tied, find, s) {
  const list = container.querySelector(".uk-suggestions__list");
  if (!list) return;
  const items = [...list.children];
  if (items.length <= FOLD_AFTER) return;
  const weight = new Map(items.map((item) => [item, find(item) ? weightOf(report, find(item)) : -Infinity]));
  items.sort((a, b) => weight.get(b) - weight.get(a));
  list.replaceChildren(...items.slice(0, FOLD_AFTER));
  const rest = items.slice(FOLD_AFTER);
  const details = doc.createElement("details");
  details.className = "uk-suggestions__more";
  const summary = doc.createElement("summary");
  summary.textContent = s("more", { n: rest.length });
  const more = doc.createElement("ol");
  more.className = "uk-suggestions__list uk-suggestions__list--more";
  more.start = FOLD_AFTER + 1;
  more.append(...rest);
  details.append(summary, more);
  list.after(details);
}
