"""Local feedback: a user's "this is / is not hard selling", kept in a SQLite file on this machine.

Off unless the operator names a file (URIKOMI_FEEDBACK_DB). The draft's text and its key phrases
are stored only when the operator also sets URIKOMI_FEEDBACK_STORE_TEXT=true; otherwise only the
labels are kept, with a keyed hash of the draft (HMAC-SHA256 under URIKOMI_FEEDBACK_HASH_KEY) when
the operator sets a key: a bare SHA-256 let anyone holding the file confirm a guessed draft. The
column keeps its old name `text_sha256` (empty when no key is set). Nothing leaves the machine.

The schema is created on every write and check, so a file deleted at run time comes back whole;
any SQLite or file-system error becomes `StoreUnavailable` (the API answers 503).
"""

from __future__ import annotations

import hashlib
import hmac
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


def _why(exc: Exception) -> str:
    """The error in a few words, without the file's path (the API shows it to callers)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class StoreUnavailable(Exception):
    """The feedback file cannot be used now (deleted directory, corrupt file, full disk...)."""


class FeedbackStore:
    """Appends judgements to one SQLite file (a connection per call: safe across threads)."""

    def __init__(self, path: Path, store_text: bool, hash_key: str = "") -> None:
        self.path = path
        self.store_text = store_text
        self._hash_key = hash_key.encode("utf-8")
        self.check()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            with db:
                db.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"the feedback store cannot be opened ({_why(exc)})") from exc
        return db

    def check(self) -> None:
        """Raise StoreUnavailable unless the file opens, holds the table and answers a query."""
        with closing(self._connect()) as db:
            try:
                db.execute("select count(*) from feedback").fetchone()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the feedback store does not answer ({_why(exc)})") from exc

    def text_hash(self, text: str) -> str:
        """HMAC-SHA256 of the draft under the operator's key; empty without a key."""
        if not self._hash_key:
            return ""
        return hmac.new(self._hash_key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def add(self, judgement: Judgement, model_version: str) -> int:
        """Store one judgement; returns its row id. Without consent no text is kept, not even the
        key phrases (pieces of the draft)."""
        phrases = list(judgement.key_phrases) if self.store_text else []
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            model_version,
            self.text_hash(judgement.text),
            judgement.text if self.store_text else None,
            judgement.platform,
            int(judgement.discount_spam),
            int(judgement.pushy_pitch),
            int(judgement.story),
            json.dumps(phrases, ensure_ascii=False),
        )
        with closing(self._connect()) as db:
            try:
                with db:
                    cursor = db.execute(
                        "insert into feedback (created, model_version, text_sha256, text, platform, discount_spam,"
                        " pushy_pitch, story, key_phrases) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the feedback store refused the write ({_why(exc)})") from exc
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
