"""Suggestion self-consistency: does the softened draft really read as less of a hard sell?

On the hard-sell posts of the test split: analyse, take `softened_text`, analyse again. Prints the
share that falls below the caution threshold (verdict ok), how many read as more of a hard sell
(`soften.raises`), and the share that kept every number, URL and @mention. Run: `python bench/suggestions.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402
from app.labels import Verdict  # noqa: E402
from app.training.corpus import load_corpus  # noqa: E402
from app.training.evaluate import softening_metrics  # noqa: E402
from app.training.splits import Split, assign_splits  # noqa: E402


def main() -> int:
    """Measure and print; the last line is the machine-readable summary."""
    analyzer = Analyzer.from_path(default_model_path())
    posts = load_corpus(ROOT / "training_data")
    splits = assign_splits(posts)
    test = [p for p in posts if splits[p.id] == Split.TEST]
    result = softening_metrics(analyzer, test)
    worst = []
    for post in (p for p in test if p.hard_sell):
        softened = analyzer.analyze(post.text).softened_text
        after = analyzer.analyze(softened)
        if after.verdict != Verdict.OK:
            worst.append((max(after.scores.discount_spam, after.scores.pushy_pitch), post.text, softened))
    for score, text, softened in sorted(worst, reverse=True)[:5]:
        print(f"still {score:.2f}: {text[:70]!r}\n          → {softened[:70]!r}")
    print(f"hard-sell test posts: {result['n']}; below caution after softening: {result['below_caution']:.1%} "
          f"(pitch-only posts: {result['pitch_only_below_caution']:.1%} of {result['pitch_only_n']}); "
          f"read as more of a hard sell: {result['raised']}; a label moved up by under 0.001 or far below its caution line: "
          f"{result['small_rises']}; facts kept: {result['facts_kept']:.1%}; changed: {result['changed']:.1%}")
    print(f"suggestions: below_caution={result['below_caution']:.3f} raised={result['raised']} "
          f"facts_kept={result['facts_kept']:.3f} n={result['n']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
