"""The phrase tagger: how likely a reader is to mark each token as part of a phrase that sells.

A logistic model over each token's words, part of speech and neighbours, the catalogue families
that match it and the hard-sell model's own contribution to it, learned from the annotated key
phrases of the train split's hard sells (`app/training/tagger.py`). The catch-all highlights (a
phrase the model flags and no catalogue family knows) are shown only where it says a reader would
mark them: the model weighs 「この」「あなた」「まだ」 in pitches, a reader marks the phrase that sells.

Stored as plain data beside the model (`tagger.json`: feature names and weights), never pickled.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.engine.explain import char_density, is_break
from app.engine.features import Document
from app.engine.model import ModelLoadError, Scored
from app.engine.regions import Regions
from app.engine.tokenize import Token
from app.labels import HARD_SELL_LABELS, LABELS, Label

TAGGER_FILE = "tagger.json"
FORMAT = 1
WINDOW = 2  # neighbours on each side whose words are features


@dataclass(frozen=True)
class TokenContext:
    """What the tagger reads about one draft: its tokens, each hard-sell label's contribution to
    each token and the draft's probability for the label, and the families that match each token."""

    text: str
    tokens: Sequence[Token]
    scores: Mapping[Label, Sequence[float]]
    probabilities: Mapping[Label, float]
    families: Mapping[str, list[tuple[int, int]]]


def _char_type(surface: str) -> str:
    """The script of a token's first character (digit, Latin, katakana, hiragana, kanji, other)."""
    char = surface[:1]
    if not char:
        return "E"
    if char.isdigit():
        return "D"
    if char.isascii() and char.isalpha():
        return "A"
    if "\u30a0" <= char <= "\u30ff":
        return "K"
    if "\u3040" <= char <= "\u309f":
        return "H"
    if "\u4e00" <= char <= "\u9fff":
        return "C"
    return "S"


def _word(token: Token) -> str:
    return token.lemma.split("-")[0] or token.surface


class TokenFeatures:
    """The features of one draft's tokens, computed token by token on request: the gate asks about
    the tokens of a few catch-all phrases, so most of a draft is never featurised."""

    def __init__(self, context: TokenContext) -> None:
        self.context = context
        self._families = [(family_id, Regions(regions)) for family_id, regions in sorted(context.families.items()) if regions]
        self._tops = {label: max([0.0, *context.scores[label]]) or 1e-6 for label in HARD_SELL_LABELS}

    def __len__(self) -> int:
        return len(self.context.tokens)

    def at(self, k: int) -> dict[str, float]:
        """Token k's features (names are stable strings; values are counts or scores)."""
        context, tokens = self.context, self.context.tokens
        n = len(tokens)
        token = tokens[k]
        features: dict[str, float] = {}
        for offset in range(-WINDOW, WINDOW + 1):
            j = k + offset
            if 0 <= j < n:
                other = tokens[j]
                features[f"{offset}w={other.surface}"] = 1.0
                features[f"{offset}l={_word(other)}"] = 1.0
                features[f"{offset}p={other.pos}"] = 1.0
            else:
                features[f"{offset}w=<>"] = 1.0
        before = tokens[k - 1].pos if k else "<>"
        after = tokens[k + 1].pos if k + 1 < n else "<>"
        features[f"p-1p0={before}{token.pos}"] = 1.0
        features[f"p0p1={token.pos}{after}"] = 1.0
        features[f"ct={_char_type(token.surface)}"] = 1.0
        for label in HARD_SELL_LABELS:
            scores = context.scores[label]
            score = scores[k]
            features[f"{label.value}_s"] = score
            features[f"{label.value}_share"] = max(0.0, score) / self._tops[label]
            features[f"{label.value}_pos"] = 1.0 if score > 0 else 0.0
            features[f"{label.value}_prob"] = context.probabilities[label]
            features[f"{label.value}_ctx"] = sum(scores[max(0, k - 2) : k + 3])
        families = [family_id for family_id, regions in self._families if regions.overlaps(token.start, token.end)]
        for family_id in families:
            features[f"fam={family_id}"] = 1.0
        features["infam"] = 1.0 if families else 0.0
        features["brk"] = 1.0 if is_break(token) else 0.0
        line_start = context.text.rfind("\n", 0, token.start) + 1
        features["linepos"] = min(1.0, (token.start - line_start) / 40)
        return {name: value for name, value in features.items() if value}


def token_features(context: TokenContext) -> list[dict[str, float]]:
    """Every token's features (training reads them all)."""
    features = TokenFeatures(context)
    return [features.at(k) for k in range(len(features))]


class TokenScores(Protocol):
    """Per-token probabilities, looked up by token index (a list, or computed on request)."""

    def __getitem__(self, k: int, /) -> float: ...


class TokenProbabilities:
    """A draft's tagger probabilities, each computed the first time it is asked for."""

    def __init__(self, tagger: PhraseTagger, context: TokenContext) -> None:
        self._tagger = tagger
        self._features = TokenFeatures(context)
        self._known: dict[int, float] = {}

    def __getitem__(self, k: int, /) -> float:
        if k not in self._known:
            self._known[k] = self._tagger.probability(self._features.at(k))
        return self._known[k]


@dataclass(frozen=True)
class PhraseTagger:
    """A trained tagger: a weight per feature name and an intercept."""

    weights: Mapping[str, float]
    intercept: float

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that a reader marks the token with these features as part of a selling phrase."""
        weights = self.weights
        z = self.intercept + sum(weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def probabilities(self, context: TokenContext) -> list[float]:
        """Every token's probability, in order."""
        return [self.probability(features) for features in token_features(context)]

    def on_request(self, context: TokenContext) -> TokenProbabilities:
        """The probabilities, each computed when first asked for (what serving uses)."""
        return TokenProbabilities(self, context)

    def save(self, model_dir: Path) -> None:
        """Write `tagger.json` (names sorted, weights rounded to 6 decimals: diffable and stable)."""
        data = {
            "format": FORMAT,
            "intercept": round(self.intercept, 6),
            "weights": {name: round(w, 6) for name, w in sorted(self.weights.items()) if round(w, 6) != 0.0},
        }
        (model_dir / TAGGER_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, model_dir: Path) -> PhraseTagger | None:
        """The tagger beside the model, or None for a model directory without one."""
        path = model_dir / TAGGER_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError(f"not a format-{FORMAT} tagger")
            weights = {str(k): float(v) for k, v in data["weights"].items()}
            intercept = float(data["intercept"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"{path} is unreadable or corrupt ({type(exc).__name__}: {exc})") from exc
        if not all(math.isfinite(w) for w in weights.values()) or not math.isfinite(intercept):
            raise ModelLoadError(f"{path}: weights hold NaN or infinite values")
        return cls(weights, intercept)


def context_for(doc: Document, scored: Scored, families: Mapping[str, list[tuple[int, int]]]) -> TokenContext:
    """The tagger's view of an analysed draft: each hard-sell label's contribution summed per token."""
    length = len(doc.normalized.text)
    scores: dict[Label, list[float]] = {}
    for label in HARD_SELL_LABELS:
        sums = char_density(length, scored.starts, scored.ends, scored.contributions[LABELS.index(label)]).tolist()
        scores[label] = [sums[t.end] - sums[t.start] for t in doc.tokens]
    probabilities = {label: scored.probabilities[label] for label in HARD_SELL_LABELS}
    return TokenContext(doc.normalized.text, doc.tokens, scores, probabilities, families)
