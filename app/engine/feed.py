"""Queue health: the whole feed in view, because a deal blast every day drives followers away even
when each post alone looks tolerable. Pure functions over reports already computed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from app.engine.catalogue import Lang
from app.engine.similarity import similar_groups
from app.labels import Label, Verdict
from app.schemas import Report


@dataclass(frozen=True)
class FeedLimits:
    """When a feed counts as too promotional (operators can change each; see the README)."""

    max_promo_share: float = 0.3
    max_promo_run: int = 2
    max_promo_per_day: int = 1
    min_story_share: float = 0.3
    near_duplicate: float = 0.6


@dataclass(frozen=True)
class FeedItem:
    """One scheduled or recent post with its report."""

    id: str | None
    text: str
    time: datetime | None
    report: Report


def is_promotional(report: Report) -> bool:
    """A deal or a pitch: a hard_sell verdict, or a discount label even without pressure."""
    return report.verdict == Verdict.HARD_SELL or Label.DISCOUNT_SPAM in report.labels


def longest_run(flags: list[bool]) -> int:
    """Length of the longest run of True."""
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


def near_duplicate_groups(items: list[FeedItem], threshold: float) -> list[list[str | None]]:
    """Promotional posts that repeat the same offer (character 5-gram Jaccard ≥ threshold), by id."""
    promos = [item for item in items if is_promotional(item.report)]
    return [[promos[i].id for i in group] for group in similar_groups([p.text for p in promos], threshold)]


def summarize(items: list[FeedItem], limits: FeedLimits, lang: Lang) -> dict[str, object]:
    """Counts, the verdict and plain-language advice for a feed (in time order when times are given)."""
    timed = all(item.time is not None for item in items)
    ordered = sorted(items, key=lambda i: i.time or datetime.min) if timed else list(items)
    flags = [is_promotional(item.report) for item in ordered]
    n = len(ordered)
    promos = sum(flags)
    stories = sum(Label.STORY in item.report.labels for item in ordered)
    per_day = Counter(item.time.date().isoformat() for item, flag in zip(ordered, flags) if flag and item.time)
    summary: dict[str, object] = {
        "posts": n,
        "promotional": promos,
        "promotional_share": round(promos / n, 4),
        "hard_sell": sum(item.report.verdict == Verdict.HARD_SELL for item in ordered),
        "hard_sell_share": round(sum(item.report.verdict == Verdict.HARD_SELL for item in ordered) / n, 4),
        "longest_promotional_run": longest_run(flags),
        "promotional_per_day": dict(sorted(per_day.items())),
        "story_posts": stories,
        "story_share": round(stories / n, 4),
        "near_duplicate_deals": near_duplicate_groups(ordered, limits.near_duplicate),
        "timeline": ["promo" if flag else ("story" if Label.STORY in item.report.labels else "other") for item, flag in zip(ordered, flags)],
    }
    problems = _problems(summary, limits, per_day, lang)
    summary["verdict"] = "too_promotional" if problems else "healthy"
    summary["advice"] = problems or [_HEALTHY[lang]]
    return summary


_HEALTHY = {
    "ja": "売り込みとストーリーのバランスがとれています。この調子で続けてみてください。",
    "en": "Deals and stories are in balance. Keep it up.",
}


def _problems(summary: dict[str, object], limits: FeedLimits, per_day: Counter[str], lang: Lang) -> list[str]:
    """Plain-language advice for each limit the feed breaks."""
    n = int(summary["posts"])  # type: ignore[call-overload]
    promos = int(summary["promotional"])  # type: ignore[call-overload]
    run = int(summary["longest_promotional_run"])  # type: ignore[call-overload]
    duplicates = summary["near_duplicate_deals"]
    ja = lang == "ja"
    advice = []
    if promos / n > limits.max_promo_share:
        advice.append(
            f"{n}件のうち{promos}件が割引・売り込みの投稿です。間にストーリーの投稿を挟んでみてください。"
            if ja
            else f"{promos} of the {n} posts are deals or pitches; move a story post between them."
        )
    if run > limits.max_promo_run:
        advice.append(
            f"売り込みの投稿が{run}件続いています。続けるのは{limits.max_promo_run}件までにしましょう。"
            if ja
            else f"{run} promotional posts in a row; keep runs to {limits.max_promo_run} at most."
        )
    busy = [day for day, count in per_day.items() if count > limits.max_promo_per_day]
    if busy:
        advice.append(
            f"{len(busy)}日で、1日に{limits.max_promo_per_day}件を超える売り込み投稿があります(例: {busy[0]})。"
            if ja
            else f"On {len(busy)} day(s) there is more than {limits.max_promo_per_day} promotional post (e.g. {busy[0]})."
        )
    if isinstance(duplicates, list) and duplicates:
        advice.append(
            f"同じ内容の告知が{len(duplicates)}組あります。繰り返すより、一度きちんと伝えるほうが届きます。"
            if ja
            else f"{len(duplicates)} group(s) of posts repeat the same offer; say it once, well."
        )
    if int(summary["story_posts"]) / n < limits.min_story_share:  # type: ignore[call-overload]
        advice.append(
            "物語やお客様の声を伝える投稿が少なめです。作り手の思いや、お客様とのやりとりを書いてみませんか。"
            if ja
            else "Few posts tell a story or pass on a customer's voice; share the people behind the product."
        )
    return advice
