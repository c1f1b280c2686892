"""The labels Urikomi scores, defined once."""

from enum import StrEnum


class Label(StrEnum):
    """A post-level label; values are the wire names used in reports and training data."""

    DISCOUNT_SPAM = "discount_spam"
    PUSHY_PITCH = "pushy_pitch"
    STORY = "story"


LABELS: tuple[Label, ...] = (Label.DISCOUNT_SPAM, Label.PUSHY_PITCH, Label.STORY)
HARD_SELL_LABELS: tuple[Label, ...] = (Label.DISCOUNT_SPAM, Label.PUSHY_PITCH)


class Verdict(StrEnum):
    """The one-word summary of a report."""

    OK = "ok"
    CAUTION = "caution"
    HARD_SELL = "hard_sell"
