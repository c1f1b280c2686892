"""Engine benchmark: analysis cost per post ÷ bare fugashi tokenisation cost, load time, peak RSS.

Ratios are measured in one run on the same posts, so a shared, noisy machine affects both sides
alike. Run: `python bench/engine.py` (prints a table, then the summary line last).
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402
from app.engine.catalogue import load_catalogue  # noqa: E402
from app.engine.model import load_model  # noqa: E402
from app.engine.tagger import PhraseTagger  # noqa: E402
from app.engine.tokenize import Tokenizer  # noqa: E402
from app.training.corpus import load_corpus  # noqa: E402

SHORT_CHARS = (100, 180)
LONG_CHARS = 400
WARM_UP = (
    "【本日限り】全品50%OFF!!今すぐご来店ください!",
    "開店して十年。最初のお客様だった田中さんが、今日はお孫さんと来てくれました。",
    "ｳｨﾝﾀｰｾｰﾙ!!ｺｰﾄ全品３０％ＯＦＦ 在庫限り👉 example.com/shop",
)
ROUNDS = 5
SINGLE_REPEATS = 30


def posts_by_length() -> tuple[list[str], list[str]]:
    """X-length posts (about 140 characters) and blog-length posts from the corpus."""
    texts = [p.text for p in load_corpus(ROOT / "training_data")]
    short = [t for t in texts if SHORT_CHARS[0] <= len(t) <= SHORT_CHARS[1]][:300]
    long = [t for t in texts if len(t) >= LONG_CHARS][:100]
    return short, long


def best_per_post(work: Callable[[list[str]], object], texts: list[str]) -> float:
    """Seconds per post: the median of several timed rounds over all texts."""
    times = []
    for _ in range(ROUNDS):
        gc.collect()
        started = time.perf_counter()
        work(texts)
        times.append((time.perf_counter() - started) / len(texts))
    return statistics.median(times)


def main() -> int:
    """Measure and print; the last line is the machine-readable summary."""
    started = time.perf_counter()
    model = load_model(default_model_path())
    catalogue = load_catalogue()
    load_s = time.perf_counter() - started
    tokenizer = Tokenizer()
    analyzer = Analyzer(model, catalogue, tokenizer, PhraseTagger.load(default_model_path()))
    for text in WARM_UP:
        analyzer.analyze(text)
    # what one serving process holds: model, tokenizer, catalogue, after real analyses
    # (measured before the corpus used for timing is loaded into this process)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    short, long = posts_by_length()

    def tokenize_only(texts: list[str]) -> None:
        for text in texts:
            tokenizer.surfaces(text)

    def analyze_all(texts: list[str]) -> None:
        for text in texts:
            analyzer.analyze(text)

    def score_only(texts: list[str]) -> None:
        for text in texts:
            model.score(analyzer.document(text))

    analyze_all(short[:20])  # warm caches (fold table, regexes)
    rows = {}
    for name, texts in (("short", short), ("long", long), ("mixed", short + long)):
        bare = best_per_post(tokenize_only, texts)
        full = best_per_post(analyze_all, texts)
        scored = best_per_post(score_only, texts)
        rows[name] = {"posts": len(texts), "tokenize_us": bare * 1e6, "score_us": scored * 1e6, "analyze_us": full * 1e6, "ratio": full / bare}
    # a single call: one 140-character post at a time, repeated so the timer's own cost vanishes
    single = [t for t in short if 130 <= len(t) <= 150][:40] or short[:40]
    ratios, single_bare, single_full = [], [], []
    by_verdict: dict[str, list[float]] = {}
    for text in single:
        bare = best_per_post(tokenize_only, [text] * SINGLE_REPEATS)
        full = best_per_post(analyze_all, [text] * SINGLE_REPEATS)
        single_bare.append(bare)
        single_full.append(full)
        ratios.append(full / bare)
        by_verdict.setdefault(analyzer.analyze(text).verdict.value, []).append(full / bare)
    single_ratio = statistics.median(ratios)
    print(f"{'set':<8}{'posts':>6}{'tokenize µs':>13}{'score µs':>10}{'analyze µs':>12}{'ratio':>7}")
    for name, row in rows.items():
        print(f"{name:<8}{row['posts']:>6}{row['tokenize_us']:>13.1f}{row['score_us']:>10.1f}{row['analyze_us']:>12.1f}{row['ratio']:>7.2f}")
    print(
        f"single 140-char call: tokenize {statistics.median(single_bare) * 1e6:.1f} µs, "
        f"analyze {statistics.median(single_full) * 1e6:.1f} µs (median over {len(single)} posts)"
    )
    # an ok draft needs no phrase search, suggestions or softened draft: say what each verdict costs
    print("single calls by verdict: " + ", ".join(
        f"{verdict} n={len(values)} median ratio {statistics.median(values):.1f}" for verdict, values in sorted(by_verdict.items())
    ))
    print(json.dumps({"model_version": model.version, "load_s": round(load_s, 3), "rss_mb": round(rss_mb, 1)}))
    print(
        f"engine: single_ratio={single_ratio:.2f} batch_ratio={rows['mixed']['ratio']:.2f} "
        f"load_s={load_s:.3f} rss_mb={rss_mb:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
