"""Where the engine's batch cost goes: the batch ratio with parts of the report made free.

`bench/engine.py` measures the full report against a bare fugashi tokenisation. This asks what the
same ratio would be if one part of the report cost nothing. For that run only, the part is
replaced by a no-op (the report is then incomplete, so this is a measurement, never a product
path). The parts are:
- `without_rescore`: the softened draft is planned and applied, but its rewrite is not tokenised
  and scored again;
- `without_softened`: no softened draft (no sentence read alone, no rewrite, no re-score; only the
  names a rewrite must keep are still found);
- `scores_spans`: scores and highlighted spans only (no suggestions, post-level tip, compliance
  prompts or softened draft);
- `scores`: normalise, tokenise, encode and score (what `bench/engine.py` prints as `score µs`).

Every mode runs on the same posts as `bench/engine.py`'s mixed batch. The modes take turns round by
round, so a noisy machine slows them alike; each keeps its fastest pass, timed in this process's
CPU time (on a shared machine, noise only ever adds time, and time spent descheduled is not the
engine's). Run: `python bench/breakdown.py [--rounds 7]`; the last line is the machine-readable
summary.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from engine import WARM_UP, posts_by_length  # noqa: E402

import app.engine.analyze as analyze_module  # noqa: E402
from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402
from app.engine.catalogue import load_catalogue  # noqa: E402
from app.engine.model import load_model  # noqa: E402
from app.engine.tagger import PhraseTagger  # noqa: E402
from app.engine.tokenize import Tokenizer  # noqa: E402
from app.labels import LABELS  # noqa: E402

MODES = ("full", "without_rescore", "without_softened", "scores_spans", "scores")


def _unchanged(text: str, *_: object) -> str:
    return text


def _nothing(*_: object, **__: object) -> list[object]:
    return []


def _no_tip(*_: object, **__: object) -> None:
    return None


@contextmanager
def free_parts(mode: str) -> Iterator[None]:
    """Make the parts that `mode` leaves out cost nothing, for the duration of the block."""
    with ExitStack() as stack:
        if mode == "without_rescore":
            zeros = {label: 0.0 for label in LABELS}
            stack.enter_context(mock.patch.object(Analyzer, "hard_sell_scores", lambda self, text: zeros))
        if mode in ("without_softened", "scores_spans"):
            stack.enter_context(mock.patch.object(analyze_module, "soften", _unchanged))
        if mode == "scores_spans":
            stack.enter_context(mock.patch.object(analyze_module, "span_suggestions", _nothing))
            stack.enter_context(mock.patch.object(analyze_module, "compliance_prompts", _nothing))
            stack.enter_context(mock.patch.object(analyze_module, "post_advice", _no_tip))
        yield


def seconds(work: Callable[[str], object], texts: list[str]) -> float:
    """CPU seconds of one pass over all texts."""
    started = time.process_time()
    for text in texts:
        work(text)
    return time.process_time() - started


def main() -> int:
    """Measure every mode, interleaved round by round; print a table, then the summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed passes per mode (the fastest is kept)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    model = load_model(default_model_path())
    tokenizer = Tokenizer()
    analyzer = Analyzer(model, load_catalogue(), tokenizer, PhraseTagger.load(default_model_path()))
    short, long = posts_by_length()
    texts = short + long
    for text in WARM_UP + tuple(texts[:50]):
        analyzer.analyze(text)

    def scores_only(text: str) -> object:
        return model.score(analyzer.document(text))

    bare: list[float] = []
    timed: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.rounds):
        bare.append(seconds(tokenizer.surfaces, texts))
        for mode in MODES:
            with free_parts(mode):
                timed[mode].append(seconds(scores_only if mode == "scores" else analyzer.analyze, texts))
    bare_s = min(bare)
    ratios = {mode: min(values) / bare_s for mode, values in timed.items()}
    print(f"{len(texts)} posts ({len(short)} short, {len(long)} long), bare fugashi {bare_s / len(texts) * 1e6:.0f} µs per post")
    print(f"{'mode':<18}{'µs/post':>9}{'ratio':>7}")
    for mode in MODES:
        print(f"{mode:<18}{min(timed[mode]) / len(texts) * 1e6:>9.0f}{ratios[mode]:>7.2f}")
    print("breakdown: " + " ".join(f"{mode}={ratios[mode]:.2f}" for mode in MODES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
