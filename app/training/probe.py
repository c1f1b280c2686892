"""The real-text probe: Urikomi judged on passages from public pages that nobody here wrote.

Such text never enters the repository. A probe is a local JSON Lines file, one labelled passage a
line (`ProbeItem`); `urikomi evaluate --probe FILE` scores it by genre beside the keyword list, and
`--sources-out` writes the list of addresses and labels (no text) that lets anyone rebuild it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.engine.analyze import Analyzer
from app.labels import Label, Verdict
from app.training.baseline import keyword_labels

Genre = Literal["shop_post", "campaign", "lp_affiliate", "owner_story", "customer_thanks", "news", "article", "reference"]
ESSAY_GENRES = frozenset({"article"})  # articles, essays and columns about marketing and selling


class ProbeItem(BaseModel):
    """One real passage with labels given by the labelling guide before any model saw it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str = Field(min_length=4)
    query: str = ""
    genre: Genre
    text: str = Field(min_length=2)
    discount_spam: Literal[0, 1]
    pushy_pitch: Literal[0, 1]
    story: Literal[0, 1]
    key_phrases: list[str] = Field(default_factory=list)

    @property
    def hard_sell(self) -> bool:
        """Either hard-sell label."""
        return bool(self.discount_spam or self.pushy_pitch)

    @model_validator(mode="after")
    def _phrases_in_text(self) -> ProbeItem:
        for phrase in self.key_phrases:
            if phrase not in self.text:
                raise ValueError(f"key phrase {phrase!r} is not in the passage")
        return self


class ProbeError(ValueError):
    """The probe file cannot be read; the message names the line."""


def parse_spec(spec: str) -> tuple[str, Path]:
    """`NAME=FILE` or a bare `FILE` (named after the file's stem): a probe and what the card calls it."""
    name, sep, path = spec.partition("=")
    if not sep:
        return Path(spec).stem, Path(spec)
    if not name.strip() or not path:
        raise ProbeError(f"a probe is NAME=FILE or FILE, not {spec!r}")
    return name.strip(), Path(path)


def load_probe(path: Path) -> list[ProbeItem]:
    """Every passage of a probe file, or ProbeError naming the first bad line."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ProbeError(f"cannot read probe file {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(ProbeItem.model_validate_json(line))
        except ValidationError as exc:
            raise ProbeError(f"{path}:{number}: {exc.errors()[0]['msg']}") from exc
    if not items:
        raise ProbeError(f"{path} holds no passages")
    return items


def _detection(truth: list[bool], flagged: list[bool], story_truth: list[int], story_pred: list[int]) -> dict[str, Any]:
    """Hard-sell precision, recall, F1 and false-alarm rate; story F1 (None where undefined)."""
    tp = sum(t and f for t, f in zip(truth, flagged))
    fp = sum(f and not t for t, f in zip(truth, flagged))
    fn = sum(t and not f for t, f in zip(truth, flagged))
    negatives = sum(not t for t in truth)
    s_tp = sum(t and p for t, p in zip(story_truth, story_pred))
    s_fp = sum(p and not t for t, p in zip(story_truth, story_pred))
    s_fn = sum(t and not p for t, p in zip(story_truth, story_pred))
    return {
        "n": len(truth),
        "hard_sells": sum(truth),
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "hard_sell_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else None,
        "false_alarm_rate": round(fp / negatives, 4) if negatives else None,
        "story_f1": round(2 * s_tp / (2 * s_tp + s_fp + s_fn), 4) if s_tp + s_fp + s_fn else None,
    }


def _by_genre(
    items: list[ProbeItem], flagged: list[bool], story: list[int]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any]]:
    """Overall, per-genre and essays-only detection figures."""

    def figures(chosen: Iterable[int]) -> dict[str, Any]:
        idx = list(chosen)
        return _detection(
            [items[i].hard_sell for i in idx], [flagged[i] for i in idx], [items[i].story for i in idx], [story[i] for i in idx]
        )

    genres: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        genres[item.genre].append(i)
    essays = [i for i, item in enumerate(items) if item.genre in ESSAY_GENRES]
    return figures(range(len(items))), {g: figures(idx) for g, idx in sorted(genres.items())}, figures(essays)


def probe_metrics(analyzer: Analyzer, items: list[ProbeItem]) -> dict[str, Any]:
    """The model's and the keyword list's figures on a probe, overall, per genre and on essays."""
    reports = [analyzer.analyze(item.text) for item in items]
    flagged = [r.verdict == Verdict.HARD_SELL for r in reports]
    story = [int(Label.STORY in r.labels) for r in reports]
    overall, per_genre, essays = _by_genre(items, flagged, story)
    keywords = [keyword_labels(item.text) for item in items]
    kw_flagged = [bool(k[Label.DISCOUNT_SPAM] or k[Label.PUSHY_PITCH]) for k in keywords]
    kw_overall, _, kw_essays = _by_genre(items, kw_flagged, [k[Label.STORY] for k in keywords])
    return {
        "n": len(items),
        "overall": overall,
        "articles_and_essays": essays,
        "per_genre": per_genre,
        "keyword_baseline": {"overall": kw_overall, "articles_and_essays": kw_essays},
        "mistakes": [
            {"url": item.url, "genre": item.genre, "hard_sell": item.hard_sell, "verdict": r.verdict.value}
            for item, r in zip(items, reports)
            if (r.verdict == Verdict.HARD_SELL) != item.hard_sell
        ],
    }


def sources(items: list[ProbeItem]) -> list[dict[str, Any]]:
    """Addresses, queries, genres and labels of a probe: enough to rebuild it, no passage text."""
    return [
        {
            "url": i.url,
            "query": i.query,
            "genre": i.genre,
            "discount_spam": i.discount_spam,
            "pushy_pitch": i.pushy_pitch,
            "story": i.story,
        }
        for i in items
    ]


def write_sources(items: list[ProbeItem], path: Path) -> None:
    """The sources list as JSON Lines."""
    path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sources(items)), encoding="utf-8")


def format_probe(metrics: dict[str, Any]) -> str:
    """A readable table: overall, essays and each genre, model beside keywords where both exist."""

    def cell(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    line: Callable[[str, dict[str, Any]], str] = lambda name, f: (  # noqa: E731
        f"{name:<22} {f['n']:>4} {f['hard_sells']:>4} {cell(f['hard_sell_f1'])} {cell(f['precision'])} "
        f"{cell(f['recall'])} {cell(f['false_alarm_rate'])} {cell(f['story_f1'])}"
    )
    rows = [f"{'real-text probe':<22} {'n':>4} {'hard':>4} {'F1':>6} {'prec':>6} {'rec':>6} {'FA':>6} {'story':>6}"]
    rows.append(line("overall", metrics["overall"]))
    rows.append(line("articles and essays", metrics["articles_and_essays"]))
    rows += [line(f"  {genre}", figures) for genre, figures in metrics["per_genre"].items()]
    rows.append(line("keyword list, overall", metrics["keyword_baseline"]["overall"]))
    rows.append(line("keyword list, essays", metrics["keyword_baseline"]["articles_and_essays"]))
    return "\n".join(rows)
