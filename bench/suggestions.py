"""Suggestion self-consistency and the fix loop, on the test split's hard sells.

Prints the softened-draft figures (share below caution, rises, facts kept) and the fix-loop figures
of `app.training.fixes`: highlight precision and recall against the annotated key phrases, every
one-click replacement applied alone (highlighted by the checker? lowering its category's score?
adding a word?), softened drafts re-checked (highlighted, words added, facts lost, rises) and the
guided story rewrite with the fixed answer pairs (ok with the story label, facts kept). Every figure
is measured on the model in `URIKOMI_MODEL_PATH` (or the shipped one), so it can be re-run after
retraining. Run: `python bench/suggestions.py [--examples] [--record]`; `--record` stores the figures
in the model's metadata and rewrites the model card's softening and fix-loop tables (weights untouched).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402
from app.training import fixes  # noqa: E402
from app.training.corpus import load_corpus  # noqa: E402
from app.training.evaluate import softening_metrics  # noqa: E402
from app.training.model_card import record_softening  # noqa: E402
from app.training.splits import Split, assign_splits  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Measure and print; the last line is the machine-readable summary."""
    args = sys.argv[1:] if argv is None else argv
    show, record = "--examples" in args, "--record" in args
    analyzer = Analyzer.from_path(default_model_path())
    posts = load_corpus(ROOT / "training_data")
    splits = assign_splits(posts)
    test = [p for p in posts if splits[p.id] == Split.TEST]
    result = softening_metrics(analyzer, test)
    loop = result["fix_loop"]
    if record:
        record_softening(default_model_path(), result)
    h, r, s, g = loop["highlights"], loop["replacements"], loop["softened"], loop["guided_rewrite"]
    print(f"hard-sell test posts: {result['n']}; below caution after softening: {result['below_caution']:.1%} "
          f"(pitch-only posts: {result['pitch_only_below_caution']:.1%} of {result['pitch_only_n']}); "
          f"read as more of a hard sell: {result['raised']}; facts kept: {result['facts_kept']:.1%}; changed: {result['changed']:.1%}")
    print(f"highlights: precision {h['precision']:.3f} over {h['spans']} spans (catch-all {h['catch_all_share']:.1%} of them, "
          f"precision {h['catch_all_precision']:.3f}); recall {h['recall']:.3f} of {h['key_phrases']} key phrases "
          f"({h['recall_with_facts']:.3f} counting the {h['fact_key_phrases']} that are only a price or a date)")
    print(f"one-click replacements applied alone: {r['n']}; highlighted by the checker: {r['highlighted']}; "
          f"not lowering their category's score: {r['not_lowered']}; adding a word: {r['inventing']}")
    print(f"softened drafts: {s['n']}; highlighted where the tool wrote: {s['highlighted']}; adding a word: {s['inventing']}; "
          f"losing a fact: {s['lost_facts']}; rising: {s['raised']}")
    print(f"guided story rewrites: {g['n']}; ok with the story label: {g['ok_story']:.1%}; every fact kept: {g['facts_kept']:.1%}; "
          f"adding a word: {g['inventing']}")
    if show:
        hard = [p for p in test if p.hard_sell]
        for line in fixes.replacement_metrics(analyzer, hard).examples[:20]:
            print("  replacement:", line)
        for line in fixes.guided_rewrite_metrics(analyzer, hard, fixes.load_story_answers()).examples[:10]:
            print("  rewrite:", line)
    print(f"suggestions: below_caution={result['below_caution']:.3f} raised={result['raised']} facts_kept={result['facts_kept']:.3f} "
          f"n={result['n']} precision={h['precision']:.3f} recall={h['recall']:.3f} replacements_highlighted={r['highlighted']} "
          f"not_lowered={r['not_lowered']} softened_highlighted={s['highlighted']} inventing={r['inventing'] + s['inventing']} "
          f"lost_facts={s['lost_facts']} rewrite_ok_story={g['ok_story']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
