// A thin adapter over the web form's render.js (copied into vendor/ by pack.py): lays out one
// report for the popup and the in-page details panel, leading with the phrases and their fixes
// (verdict, then the cards with replacements and 「このままにする」), with the meters and the
// highlighted draft folded below; or one error, or the "not set up yet" notice. No rendering of
// the report itself is done here.

import {
  renderHighlightedDraft,
  renderLegend,
  renderMeters,
  renderSuggestions,
  renderVerdict,
  reportThresholds,
  summarize,
} from "../vendor/render.js";
import { FIXED_IN_OPTIONS, errorMessage } from "./strings.js";

function heading(doc, text) {
  const node = doc.createElement("h2"); // under the popup's h1 (and the panel's own title)
  node.className = "ext-heading";
  node.textContent = text;
  return node;
}

/**
 * The whole report as one <div class="ext-report" data-verdict=...>: verdict, the cards, then a
 * closed <details> with the meters and the highlighted draft.
 * `onReplace(suggestion, replacement)` edits the draft where it lives (paste box or page field);
 * `onKeep(choice, suggestion)` adds a 「このままにする」 choice.
 */
export function renderReport(
  doc,
  text,
  report,
  model,
  t,
  { onReplace = null, onKeep = null, idPrefix = "ukx", titles = false } = {},
) {
  const box = doc.createElement("div");
  box.className = "ext-report";
  box.dataset.verdict = report.verdict;
  const summary = doc.createElement("p");
  summary.className = "uk-visually-hidden";
  summary.textContent = summarize(report, t);
  const draft = renderHighlightedDraft(doc, text, report, t, { idPrefix });
  if (titles) {
    // no shared tooltip element in a page: show each mark's reason as its title
    for (const mark of draft.querySelectorAll(".uk-hl")) mark.title = mark.dataset.reason || "";
  }
  const details = doc.createElement("details");
  details.className = "ext-details";
  const label = doc.createElement("summary");
  label.className = "ext-details__summary";
  label.textContent = t("panel.details");
  details.append(
    label,
    heading(doc, t("meters.heading")),
    renderMeters(doc, report.scores, reportThresholds(report, model), t, { idPrefix }),
    heading(doc, t("highlight.heading")),
    renderLegend(doc, t),
    draft,
  );
  box.append(
    summary,
    renderVerdict(doc, report, t),
    heading(doc, t("suggestions.heading")),
    renderSuggestions(doc, report, t, { onReplace, onKeep, idPrefix, generalHeading: "h3" }),
    details,
  );
  return box;
}

/** "Not set up yet": what to do, with a button to the setup page (a notice, not an error). */
export function renderSetup(doc, t, { onOptions = null } = {}) {
  const box = doc.createElement("div");
  box.className = "ext-setup";
  box.dataset.setup = "needed";
  const title = doc.createElement("strong");
  title.className = "ext-setup__title";
  title.textContent = t("setup.title");
  const body = doc.createElement("p");
  body.textContent = t("setup.body");
  box.append(title, body);
  if (onOptions) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "button button--primary ext-setup__open";
    button.textContent = t("setup.open");
    button.addEventListener("click", onOptions);
    box.append(button);
  }
  return box;
}

/** An error box (role="alert") with an optional "open the options" button. */
export function renderError(doc, error, t, { manual = false, onOptions = null } = {}) {
  const box = doc.createElement("div");
  box.className = "ext-error";
  box.setAttribute("role", "alert");
  box.dataset.error = (error && error.kind) || "server";
  const title = doc.createElement("strong");
  title.className = "ext-error__title";
  title.textContent = t("error.title");
  const body = doc.createElement("p");
  body.className = "ext-error__body";
  body.textContent = errorMessage(error, t, { manual });
  box.append(title, body);
  if (onOptions && FIXED_IN_OPTIONS.includes(box.dataset.error)) {
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "button ext-error__options";
    button.textContent = t("panel.options");
    button.addEventListener("click", onOptions);
    box.append(button);
  }
  return box;
}
