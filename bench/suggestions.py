"""Suggestion self-consistency: does the softened draft really read as less of a hard sell?

On the hard-sell posts of the test split: analyse, take `softened_text`, analyse again. Prints the
share that falls below the caution threshold (verdict ok), the share whose hard-sell scores did not
rise, and the share that kept every number, URL and @mention. Run: `python bench/suggestions.py`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402
from app.labels import HARD_SELL_LABELS, Verdict  # noqa: E402
from app.training.corpus import load_corpus  # noqa: E402
from app.training.splits import Split, assign_splits  # noqa: E402

FACTS = re.compile(r"https?://\S+|@\w+|[0-9０-９]+")


def main() -> int:
    """Measure and print; the last line is the machine-readable summary."""
    analyzer = Analyzer.from_path(default_model_path())
    posts = load_corpus(ROOT / "training_data")
    splits = assign_splits(posts)
    hard = [p for p in posts if splits[p.id] == Split.TEST and p.hard_sell]
    below = raised = kept = 0
    worst: list[tuple[float, str, str]] = []
    for post in hard:
        before = analyzer.analyze(post.text)
        after = analyzer.analyze(before.softened_text)
        below += after.verdict == Verdict.OK
        rise = max(getattr(after.scores, l.value) - getattr(before.scores, l.value) for l in HARD_SELL_LABELS)
        raised += rise > 1e-9
        kept += all(f in before.softened_text for f in FACTS.findall(post.text))
        if after.verdict != Verdict.OK:
            worst.append((max(after.scores.discount_spam, after.scores.pushy_pitch), post.text, before.softened_text))
    n = len(hard)
    for score, text, softened in sorted(worst, reverse=True)[:5]:
        print(f"still {score:.2f}: {text[:70]!r}\n          → {softened[:70]!r}")
    print(f"hard-sell test posts: {n}; below caution after softening: {below / n:.1%}; "
          f"a hard-sell score rose: {raised}; facts kept: {kept / n:.1%}")
    print(f"suggestions: below_caution={below / n:.3f} raised={raised} facts_kept={kept / n:.3f} n={n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
