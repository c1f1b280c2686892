"""Type stub of the compiled scoring kernel (app/engine/_kernel.c documents the contract)."""

from typing import Any

def score(
    text: str,
    ngrams: tuple[int, ...],
    index: bytes,
    table: Any,
    width: int,
    char_offset: int,
    word_rows: Any,
    word_starts: Any,
    word_ends: Any,
    sublinear_tf: bool,
    detail: bool,
    /,
) -> tuple[bytes, bytes, bytes, bytes]: ...

def index(keys: Any, /) -> bytes: ...

def tokens(printed: str, text: str, token_type: type[Any], /) -> list[Any] | None: ...

def word_index(terms: list[str], /) -> tuple[bytes, bytes, bytes]: ...
def word_rows(
    tokens: Any, skip_pos: str, noun_pos: str, index: bytes, points: bytes, offsets: bytes, max_length: int, /
) -> tuple[bytes, bytes, bytes]: ...
