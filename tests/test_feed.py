"""Queue health for scheduling tools: a feed of posts in, counts and advice out (real server)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from app.engine.analyze import Analyzer
from app.engine.feed import FeedItem, FeedLimits, longest_run, summarize

BLASTS = [
    "【本日限り】全品50%OFF!!今すぐご来店ください!",
    "＼週末セール／コート全品30%OFF!!残りわずか、お急ぎください🔥🔥",
    "フォロー&RTで抽選5名様にプレゼント!締切は今夜23:59!",
    "ｻﾏｰｾｰﾙ開催中!!全商品半額!!在庫限りなのでお早めに!!",
]
STORIES = [
    "開店して十年。最初のお客様だった田中さんが、今日はお孫さんと来てくれました。本当にありがとうございます。",
    "常連の佐藤さんが「この前のシフォン、母の誕生日に出したら喜んでくれたよ」と写真を見せてくれました。焼いてよかった。",
    "修業先で失敗ばかりしていた頃、師匠に言われた一言を今でも思い出します。今朝の食パンは、その言葉どおりに焼きました。",
    "雨の日に来てくださったお客様が、傘をたたみながら「この匂いで元気が出る」と言ってくれました。今日もがんばれます。",
]
START = datetime(2026, 11, 1, 9, 0)


def hand_made_feed() -> tuple[list[dict[str, object]], dict[str, object]]:
    """200 posts, 4 a day for 50 days: days alternate "blast, blast, blast, story" and
    "story, blast, story, story". The counts below were worked out by hand from that pattern."""
    posts = []
    for day in range(50):
        pattern = "BBBS" if day % 2 == 0 else "SBSS"
        for slot, kind in enumerate(pattern):
            pool = BLASTS if kind == "B" else STORIES
            text = pool[(day + slot) % 4]
            posts.append({"id": f"d{day}-{slot}", "text": text, "time": (START + timedelta(days=day, hours=3 * slot)).isoformat()})
    expected = {
        "posts": 200,
        "promotional": 25 * 3 + 25 * 1,  # 100
        "story_posts": 25 * 1 + 25 * 3,  # 100
        "longest_promotional_run": 3,  # BBB; a story ends each even day, the odd day starts with one
        "busy_days": 50,  # every day has at least one blast, over the limit of 1 only on BBBS days
    }
    return posts, expected


def test_feed_summary_matches_a_hand_count(client: httpx.Client) -> None:
    posts, expected = hand_made_feed()
    response = client.post("/v1/feed", json={"posts": posts})
    assert response.status_code == 200
    summary = response.json()["summary"]
    assert summary["posts"] == expected["posts"]
    assert summary["promotional"] == expected["promotional"]
    assert summary["story_posts"] == expected["story_posts"]
    assert summary["longest_promotional_run"] == expected["longest_promotional_run"]
    per_day = summary["promotional_per_day"]
    assert len(per_day) == expected["busy_days"]
    assert sorted(set(per_day.values())) == [1, 3]
    assert summary["verdict"] == "too_promotional"
    assert summary["near_duplicate_deals"]  # the same four offers come round again and again
    assert any("続いています" in advice for advice in summary["advice"])


def test_feed_of_stories_is_healthy(client: httpx.Client) -> None:
    posts = [{"id": i, "text": text} for i, text in enumerate(STORIES)]
    summary = client.post("/v1/feed", json={"posts": posts, "lang": "en"}).json()["summary"]
    assert summary["verdict"] == "healthy"
    assert summary["promotional"] == 0
    assert summary["advice"] == ["Deals and stories are in balance. Keep it up."]


def test_feed_reports_bad_posts_alone(client: httpx.Client) -> None:
    body = {"posts": [{"id": "ok", "text": STORIES[0]}, {"id": "empty", "text": ""}, {"id": "n", "text": 3}]}
    results = client.post("/v1/feed", json=body).json()["results"]
    assert [r.get("error") is None for r in results] == [True, False, False]


def test_feed_over_the_limit_is_413(client: httpx.Client) -> None:
    response = client.post("/v1/feed", json={"posts": [{"text": "a"}] * 1001})
    assert response.status_code == 413


def test_longest_run_counts_consecutive_flags() -> None:
    assert longest_run([True, True, False, True, True, True, False]) == 3
    assert longest_run([]) == 0


def test_mixed_naive_and_aware_times_do_not_break_the_feed(client: httpx.Client) -> None:
    posts = [
        {"text": BLASTS[0], "time": "2026-11-01T09:00:00"},
        {"text": STORIES[0], "time": "2026-11-01T10:00:00+09:00"},
    ]
    assert client.post("/v1/feed", json={"posts": posts}).status_code == 200


def test_summarize_in_time_order_not_input_order(analyzer: Analyzer) -> None:
    texts = [BLASTS[0], STORIES[0], BLASTS[1], BLASTS[2]]
    hours = [0, 3, 1, 2]  # in time order: blast, blast, blast, story
    items = [
        FeedItem(str(i), t, START + timedelta(hours=h), analyzer.analyze(t)) for i, (t, h) in enumerate(zip(texts, hours))
    ]
    assert summarize(items, FeedLimits(), "ja")["longest_promotional_run"] == 3
