"""Golden reports: prove that an engine change leaves the report of every corpus post as it was.

    python bench/golden.py --write FILE   # before the change: one digest per report (and per field)
    python bench/golden.py --check FILE   # after it: how many reports differ, and in which fields

Every post of training_data/posts/**/*.jsonl (field "text") is analysed with the default policy and
the report serialised whole (scores, labels, spans, sections, suggestions, softened_text, ...). The
file holds digests only, keyed by `path:line`, never draft text; the check prints keys and field
names. Reports depend on the model, so a golden file belongs to one model version: write it again
after a retraining. `--check` exits 1 when any report differs. `--jobs 2` analyses in two processes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import default_model_path  # noqa: E402
from app.engine.analyze import Analyzer  # noqa: E402

POSTS = ROOT / "training_data" / "posts"
SHOWN = 20  # differing keys printed by --check

_analyzer: Analyzer | None = None


def corpus(every: int = 1) -> Iterator[tuple[str, str]]:
    """(path:line, text) of every `every`-th corpus post, in a fixed order."""
    count = 0
    for path in sorted(POSTS.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            if count % every == 0:
                yield f"{path.relative_to(POSTS)}:{number}", json.loads(line)["text"]
            count += 1


def digest(value: Any) -> str:
    """A short, stable digest of a JSON value."""
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def _start_worker() -> None:
    global _analyzer
    _analyzer = Analyzer.from_path(default_model_path())


def fields_of(item: tuple[str, str]) -> tuple[str, dict[str, str]]:
    """The key and each report field's digest (the whole report's under "*")."""
    key, text = item
    assert _analyzer is not None
    report = _analyzer.analyze(text).model_dump(mode="json")
    found = {name: digest(value) for name, value in report.items()}
    found["*"] = digest(report)
    return key, found


def golden(every: int, jobs: int) -> dict[str, dict[str, str]]:
    """Every selected post's field digests, by key."""
    items = list(corpus(every))
    if jobs <= 1:
        _start_worker()
        return dict(map(fields_of, items))
    with Pool(jobs, initializer=_start_worker) as pool:
        return dict(pool.imap(fields_of, items, chunksize=32))


def overall(reports: dict[str, dict[str, str]]) -> str:
    """One digest over all reports, to compare two runs at a glance."""
    return digest(sorted((key, fields["*"]) for key, fields in reports.items()))


def compare(expected: dict[str, dict[str, str]], found: dict[str, dict[str, str]]) -> list[tuple[str, list[str]]]:
    """(key, differing fields) of every report that differs, is missing or is new."""
    differing = []
    for key in sorted(expected.keys() | found.keys()):
        before, after = expected.get(key), found.get(key)
        if before is None or after is None:
            differing.append((key, ["(missing)" if after is None else "(new)"]))
        elif before["*"] != after["*"]:
            differing.append((key, sorted(f for f in before.keys() | after.keys() if f != "*" and before.get(f) != after.get(f))))
    return differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, metavar="FILE", help="write the golden digests to FILE")
    action.add_argument("--check", type=Path, metavar="FILE", help="compare today's reports with FILE")
    parser.add_argument("--every", type=int, default=1, help="only every N-th post (a quick look)")
    parser.add_argument("--jobs", type=int, default=1, help="analysing processes")
    args = parser.parse_args()
    started = time.perf_counter()
    reports = golden(args.every, args.jobs)
    seconds = time.perf_counter() - started
    summary = f"{len(reports)} reports in {seconds:.0f} s, digest {overall(reports)}"
    if args.write:
        args.write.write_text(json.dumps({"every": args.every, "reports": reports}, sort_keys=True))
        print(f"wrote {summary} to {args.write}")
        return 0
    stored = json.loads(args.check.read_text())
    if stored["every"] != args.every:
        parser.error(f"{args.check} was written with --every {stored['every']}")
    differing = compare(stored["reports"], reports)
    print(summary)
    for key, fields in differing[:SHOWN]:
        print(f"  differs: {key} ({', '.join(fields)})")
    print(f"differing reports: {len(differing)} of {len(stored['reports'] | reports)} (golden digest {overall(stored['reports'])})")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
