"""Training-time augmentation: the same post with ordinary hashtags appended, same labels.

Instagram shops are told to add many general tags, and the labelling guide says tag count alone is
not spam; without this, the model learns whatever tags its authors happened to use on one side of a
label. Copies are made for the train split only (dev and test stay as written), chosen by a hash
of the post id so training stays deterministic. The tags here are deliberately different from the
ones the robustness tests append, so those tests measure generalisation, not memory.
"""

from __future__ import annotations

import hashlib
import random

NEUTRAL_TAGS = (
    "#日常", "#暮らし", "#東京", "#大阪", "#福岡", "#カフェ巡り", "#週末", "#季節", "#おうち時間",
    "#今日のできごと", "#趣味", "#癒し", "#春", "#夏", "#秋", "#冬", "#散歩", "#地元", "#商店街",
    "#tokyo", "#daily", "#weekend", "#coffee", "#lifestyle", "#smallbusiness", "#photography", "#food",
)


def with_hashtags(post_id: str, text: str, copy: int = 0) -> str:
    """`text` with two to five neutral tags appended on a new line, picked by the post id and copy."""
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{post_id}\0{copy}".encode()).digest()[:8], "big"))
    tags = rng.sample(NEUTRAL_TAGS, rng.randint(2, 5))
    return f"{text}\n{' '.join(tags)}"
