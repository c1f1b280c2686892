"""Training-time augmentation: the same post in a different surface style, same labels.

- Ordinary hashtags appended. Instagram shops are told to add many general tags, and the labelling
  guide says tag count alone is not spam; without this, the model learns whatever tags its authors
  happened to use on one side of a label. The tags here differ from the ones the robustness tests
  append, so those tests measure generalisation, not memory.
- A quiet closing line appended (a greeting, a signature, one gentle invitation). The guide counts
  none of these as pressure or as story; without this, TF-IDF's length normalisation let a polite
  last line dilute a blast below the caution line. The robustness test appends a different line.
- An emoji and a line break after a sentence or two, the commonest decoration on Japanese
  accounts (the robustness test uses a different emoji).
- Sentence ends turned into exclamations. Joyful posts are full of 「!!」, and the guide never
  counts punctuation as pressure; but most posts the authors wrote with stacked exclamations were
  blasts, so without this a grateful post ending in 「ありがとうございます!!」 read as a hard sell.

Copies are made for the train split only (dev and test stay as written), chosen by a hash of the
post id so training stays deterministic.
"""

from __future__ import annotations

import hashlib
import random

NEUTRAL_TAGS = (
    "#日常", "#暮らし", "#東京", "#大阪", "#福岡", "#カフェ巡り", "#週末", "#季節", "#おうち時間",
    "#今日のできごと", "#趣味", "#癒し", "#春", "#夏", "#秋", "#冬", "#散歩", "#地元", "#商店街",
    "#tokyo", "#daily", "#weekend", "#coffee", "#lifestyle", "#smallbusiness", "#photography", "#food",
)


CLOSINGS = (
    "今日も一日よろしくお願いします。", "店主・佐々木", "スタッフ一同", "またのぞいてみてくださいね。",
    "ご質問はコメントでどうぞ。", "いつもありがとうございます。", "では、また明日。", "by 店長",
    "ご来店お待ちしております。", "お気軽にお問い合わせください。", "今週もがんばります。", "— 工房より",
    "営業時間は10時〜18時です。", "良い週末をお過ごしください。", "Thank you!",
)
EMOJI = ("✨", "🌸", "😊", "🍀", "☕", "🙌", "🌿", "😌", "🍞", "📷", "🌙", "💐", "🐾")
EXCLAMATIONS = ("!!", "!!!", "！！", "‼", "!!✨", "!!😊", "❗❗", "!!!🎉", "〜!!")


def _rng(post_id: str, salt: str) -> random.Random:
    """A generator seeded by the post id, so every run makes the same copies."""
    return random.Random(int.from_bytes(hashlib.sha256(f"{post_id}\0{salt}".encode()).digest()[:8], "big"))


def with_hashtags(post_id: str, text: str, copy: int = 0) -> str:
    """`text` with two to five neutral tags appended on a new line, picked by the post id and copy."""
    rng = _rng(post_id, str(copy))
    tags = rng.sample(NEUTRAL_TAGS, rng.randint(2, 5))
    return f"{text}\n{' '.join(tags)}"


def with_closing(post_id: str, text: str) -> str:
    """`text` with one quiet closing line appended, picked by the post id."""
    return f"{text}\n{_rng(post_id, 'closing').choice(CLOSINGS)}"


def with_emoji_breaks(post_id: str, text: str) -> str:
    """`text` with an emoji and a line break after one or two of its 「。」 (picked by the post id),
    the way many accounts decorate every post; a post without 「。」 gets an emoji at its end."""
    rng = _rng(post_id, "emoji")
    stops = [i for i, char in enumerate(text) if char == "。"]
    if not stops:
        return text + rng.choice(EMOJI)
    for at in sorted(rng.sample(stops, min(len(stops), rng.randint(1, 2))), reverse=True):
        text = text[: at + 1] + rng.choice(EMOJI) + "\n" + text[at + 1 :]
    return text


def with_exclamations(post_id: str, text: str, copy: int = 0) -> str:
    """`text` with one to three of its 「。」 (picked by the post id and the copy number) ending in
    stacked exclamation marks instead; a post without 「。」 gets them after its first line."""
    rng = _rng(post_id, "exclamations" if copy == 0 else f"exclamations{copy}")
    stops = [i for i, char in enumerate(text) if char == "。"]
    if not stops:
        line_end = text.find("\n")
        at = line_end if line_end > 0 else len(text)
        return text[:at] + rng.choice(EXCLAMATIONS) + text[at:]
    chosen = sorted(rng.sample(stops, min(len(stops), rng.randint(1, 3))), reverse=True)
    for at in chosen:
        text = text[:at] + rng.choice(EXCLAMATIONS) + text[at + 1 :]
    return text
