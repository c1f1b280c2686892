"""Feed benchmark: POST /v1/feed per-post cost at 50, 200 and 1,000 posts on a real server.

The cost should stay linear in the number of posts (the per-post figure flat). Posts are drawn
from the corpus in a fixed order, so the feed mixes deals and stories. Run: `python bench/feed.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

# bench/ holds http.py, which would shadow the standard library's `http` if bench/ came first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE), str(_HERE.parent)]

import httpx  # noqa: E402
from serving import ROOT, start  # noqa: E402

from app.training.corpus import load_corpus  # noqa: E402

SIZES = (50, 200, 1000)


def main() -> int:
    """Measure and print one line per size, then the summary line."""
    texts = [p.text for p in load_corpus(ROOT / "training_data")]
    process, base = start()
    per_post = {}
    try:
        with httpx.Client(base_url=base, timeout=300) as client:
            client.post("/v1/feed", json={"posts": [{"text": t} for t in texts[:20]]})  # warm-up
            for size in SIZES:
                posts = [{"id": i, "text": texts[i % len(texts)], "time": f"2026-11-{1 + i % 28:02d}T09:00:00"} for i in range(size)]
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    response = client.post("/v1/feed", json={"posts": posts})
                    times.append(time.perf_counter() - started)
                    response.raise_for_status()
                per_post[size] = statistics.median(times) / size * 1000
                summary = response.json()["summary"]
                print(f"{size:>5} posts: {per_post[size]:.2f} ms/post; promotional {summary['promotional']}, "
                      f"stories {summary['story_posts']}, duplicate groups {len(summary['near_duplicate_deals'])}")
    finally:
        process.terminate()
        process.wait(timeout=20)
    print("feed: " + " ".join(f"ms_per_post_{n}={v:.2f}" for n, v in per_post.items())
          + f" growth_1000_vs_50={per_post[1000] / per_post[50]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
