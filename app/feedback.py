"""Local feedback: a user's "this is / is not hard selling", kept in a SQLite file on this machine.

Off unless the operator names a file (URIKOMI_FEEDBACK_DB). The draft's text is stored only when
the operator also sets URIKOMI_FEEDBACK_STORE_TEXT=true; otherwise only its SHA-256 and the labels
are kept, which is enough to count disagreements but not to retrain. Nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.training.corpus import Kind, Post

_SCHEMA = """
create table if not exists feedback (
    id integer primary key autoincrement,
    created text not null,
    model_version text not null,
    text_sha256 text not null,
    text text,
    platform text not null,
    discount_spam integer not null,
    pushy_pitch integer not null,
    story integer not null,
    key_phrases text not null
)
"""


@dataclass(frozen=True)
class Judgement:
    """What the user says about one draft."""

    text: str
    platform: str
    discount_spam: bool
    pushy_pitch: bool
    story: bool
    key_phrases: tuple[str, ...]


class FeedbackStore:
    """Appends judgements to one SQLite file (a connection per call: safe across threads)."""

    def __init__(self, path: Path, store_text: bool) -> None:
        self.path = path
        self.store_text = store_text
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as db, db:
            db.execute(_SCHEMA)

    def add(self, judgement: Judgement, model_version: str) -> int:
        """Store one judgement; returns its row id."""
        with closing(sqlite3.connect(self.path)) as db, db:
            cursor = db.execute(
                "insert into feedback (created, model_version, text_sha256, text, platform, discount_spam,"
                " pushy_pitch, story, key_phrases) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    model_version,
                    hashlib.sha256(judgement.text.encode("utf-8")).hexdigest(),
                    judgement.text if self.store_text else None,
                    judgement.platform,
                    int(judgement.discount_spam),
                    int(judgement.pushy_pitch),
                    int(judgement.story),
                    json.dumps(list(judgement.key_phrases), ensure_ascii=False),
                ),
            )
            return int(cursor.lastrowid or 0)


def feedback_posts(path: Path) -> Iterator[Post]:
    """Training posts from the judgements that kept their text (the others cannot be learned from)."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "select id, text, platform, discount_spam, pushy_pitch, story, key_phrases from feedback"
            " where text is not null order by id"
        ).fetchall()
    for row_id, text, platform, discount, pushy, story, phrases in rows:
        hard = bool(discount or pushy)
        kind = Kind.HARD_SELL if hard and not story else Kind.MIXED if hard else Kind.STORY if story else Kind.NOTICE
        yield Post(
            id=f"feedback-{row_id}",
            text=text,
            discount_spam=1 if discount else 0,
            pushy_pitch=1 if pushy else 0,
            story=1 if story else 0,
            kind=kind,
            domain="feedback",
            platform=platform,
            key_phrases=json.loads(phrases) if hard else [],
        )
