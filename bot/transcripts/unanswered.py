"""Which patient messages the bot could not answer, and grouping them by similar text.

Staff read the groups to see what patients ask that the bot does not know; a developer
turns them into training data (`bot.transcripts.nlu_export`). Grouping is greedy and
deterministic: the same messages always give the same groups in the same order, so an
export can be compared with the last one.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from bot.text import normalize
from bot.transcripts.events import PatientMessage

UNSURE_BELOW = 0.6  # top intent confidence below this (but not a fallback) counts as unsure
# Every reason, in the order the console and the export list them.
REASONS: Tuple[str, ...] = ("fallback", "unsure", "out_of_scope", "not_covered")
_INTENT_REASONS = {"nlu_fallback": "fallback", "out_of_scope": "out_of_scope", "faq_not_covered": "not_covered"}

SIMILAR_AT_LEAST = 0.5  # Jaccard similarity of content words that puts two texts in one group
# Words that carry no topic: without them "how much is it" and "how much does it cost"
# differ in what matters ("cost"), not in grammar.
STOP_WORDS = frozenset(
    "a about am an and any are as at be been can could did do does for from get got had has have hello hey hi how i "
    "i'm if in is it it's me my of on or please so that the there this to was we what what's when where which who "
    "why will with would you your".split()
)
_WORD = re.compile(r"\w+(?:'\w+)*")


@dataclass(frozen=True)
class UnansweredMessage:
    """One patient message the bot fell back on, was unsure about, or could not cover."""

    sender_id: str
    text: str
    at: datetime
    reason: str  # one of REASONS


@dataclass(frozen=True)
class UnansweredGroup:
    """Messages with similar text: `texts` are the distinct ones (case, spacing and
    punctuation folded), most frequent first; `example` is the first of them."""

    example: str
    texts: Tuple[str, ...]
    count: int
    reasons: Dict[str, int]
    last_at: datetime


def reason_for(message: PatientMessage) -> Optional[str]:
    """Why `message` went unanswered, or None if the bot understood it (or it was a button)."""
    if message.is_payload or not message.text.strip():
        return None
    if message.intent in _INTENT_REASONS:
        return _INTENT_REASONS[message.intent]
    if message.confidence is not None and message.confidence < UNSURE_BELOW:
        return "unsure"
    return None


def group_similar(messages: Sequence[UnansweredMessage]) -> List[UnansweredGroup]:
    """Groups of similar messages, most frequent first (then the most recent first).

    Identical texts (after folding) always share a group. The other texts join, in order
    of frequency, the group whose first text they are most similar to, if at least
    SIMILAR_AT_LEAST; comparing with that first text rather than with everything in the
    group keeps one group from drifting across topics.
    """
    variants = sorted(_variants(messages), key=_Variant.rank)
    groups: List[List[_Variant]] = []
    for variant in variants:
        best = max(groups, key=lambda group: _jaccard(variant.words, group[0].words), default=None)
        if best is not None and _jaccard(variant.words, best[0].words) >= SIMILAR_AT_LEAST:
            best.append(variant)
        else:
            groups.append([variant])
    return sorted((_group(group) for group in groups), key=lambda g: (-g.count, -g.last_at.timestamp(), g.example))


@dataclass
class _Variant:
    """The messages whose text folds to one key."""

    key: str
    words: FrozenSet[str]
    messages: List[UnansweredMessage]

    @property
    def last_at(self) -> datetime:
        return max(message.at for message in self.messages)

    @property
    def text(self) -> str:
        """The most recent way a patient wrote it (on a tie, the later message)."""
        return max(enumerate(self.messages), key=lambda item: (item[1].at, item[0]))[1].text

    def rank(self) -> Tuple[int, float, str]:
        return -len(self.messages), -self.last_at.timestamp(), self.key


def _variants(messages: Sequence[UnansweredMessage]) -> List[_Variant]:
    by_key: Dict[str, _Variant] = {}
    for message in messages:
        folded = normalize(message.text)
        words = _WORD.findall(folded)
        key = " ".join(words) or folded
        variant = by_key.get(key)
        if variant is None:
            variant = by_key[key] = _Variant(key, _content_words(words), [])
        variant.messages.append(message)
    return list(by_key.values())


def _content_words(words: Sequence[str]) -> FrozenSet[str]:
    """The words that carry the topic, plurals folded ("prices" matches "price"); all
    words when every one is a stop word."""
    content = [word for word in words if word not in STOP_WORDS] or list(words)
    return frozenset(_singular(word) for word in content)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _group(variants: List[_Variant]) -> UnansweredGroup:
    messages = [message for variant in variants for message in variant.messages]
    reasons = Counter(message.reason for message in messages)
    texts = tuple(variant.text for variant in variants)
    return UnansweredGroup(
        example=texts[0],
        texts=texts,
        count=len(messages),
        reasons={reason: reasons[reason] for reason in REASONS if reasons[reason]},
        last_at=max(variant.last_at for variant in variants),
    )
