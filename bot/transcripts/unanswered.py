"""Which patient messages the bot could not answer, and grouping them by similar text.

Staff read the groups to see what patients ask that the bot does not know; a developer
turns them into training data (`bot.transcripts.nlu_export`). Grouping is greedy and
deterministic: the same messages always give the same groups in the same order, so an
export can be compared with the last one.

Bounded, whatever arrives. A flood of made-up texts (each one different, each one
unanswered) must not make the console page, the export or the memory they need grow
with it. So messages are counted as they stream in, per distinct text, for at most
MAX_TRACKED texts: when that many are counted, the half seen least often (then longest
ago) is forgotten. Only the MAX_GROUPED texts seen most often (then most recently) are
grouped, which also bounds the grouping's time (it compares texts pairwise). Below
those numbers nothing is left out and the result does not depend on the order of the
messages; above them, texts seen once are what goes first, and a warning says how many
messages were left out.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from bot import patterns
from bot.text import normalize
from bot.transcripts.events import PatientMessage

logger = logging.getLogger(__name__)

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
_WORD = patterns.compile(r"\w+(?:'\w+)*")
# Distinct texts grouped, shown and exported: far more than staff read in a month, and
# grouped in well under a second (the grouping compares each text with every group).
MAX_GROUPED = 500
# Distinct texts counted while the messages stream in (each at most 2,000 characters,
# the channels' cap: a few megabytes at most).
MAX_TRACKED = 4 * MAX_GROUPED
# Distinct senders counted per text: "how many patients asked" without a flood of one
# text from made-up senders growing memory.
MAX_SENDERS_COUNTED = 1000


@dataclass(frozen=True)
class UnansweredMessage:
    """One patient message the bot fell back on, was unsure about, or could not cover."""

    sender_id: str
    text: str
    at: datetime
    reason: str  # one of REASONS
    event_id: Optional[int] = None  # the tracker store's row: the console links it to its conversation


@dataclass(frozen=True)
class UnansweredText:
    """One distinct text of a group (case, spacing and punctuation folded): how often it came,
    from how many patients, and the latest message with it (its sender and event)."""

    text: str
    key: str  # `fold_key(text)`: the same for every way of writing it
    count: int
    patients: int  # distinct senders, counted up to MAX_SENDERS_COUNTED
    sender_id: str
    event_id: Optional[int]


@dataclass(frozen=True)
class UnansweredGroup:
    """Messages with similar text: `texts` are the distinct ones (case, spacing and
    punctuation folded), most frequent first; `example` is the first of them."""

    example: str
    texts: Tuple[str, ...]
    count: int
    reasons: Dict[str, int]
    last_at: datetime
    variants: Tuple[UnansweredText, ...] = ()  # `texts`, each with its counts and latest message


def reason_for(message: PatientMessage) -> Optional[str]:
    """Why `message` went unanswered, or None if the bot understood it (or it was a button)."""
    if message.is_payload or not message.text.strip():
        return None
    if message.intent in _INTENT_REASONS:
        return _INTENT_REASONS[message.intent]
    if message.confidence is not None and message.confidence < UNSURE_BELOW:
        return "unsure"
    return None


def fold_key(text: str) -> str:
    """What identical texts share once case, spacing and punctuation are folded: their words,
    space-separated (or the folded text, if it has none)."""
    folded = normalize(text)
    return " ".join(_WORD.findall(folded)) or folded


def group_similar(messages: Iterable[UnansweredMessage]) -> List[UnansweredGroup]:
    """Groups of similar messages, most frequent first (then the most recent first).

    Identical texts (after folding) always share a group. The other texts join, in order
    of frequency, the group whose first text they are most similar to, if at least
    SIMILAR_AT_LEAST; comparing with that first text rather than with everything in the
    group keeps one group from drifting across topics. `messages` is read once, as it
    streams; only the MAX_GROUPED most frequent texts are grouped (module docstring).
    """
    tally = _Tally()
    for message in messages:
        tally.add(message)
    groups: List[List[_Variant]] = []
    for variant in tally.most_frequent(MAX_GROUPED):
        best = max(groups, key=lambda group: _jaccard(variant.words, group[0].words), default=None)
        if best is not None and _jaccard(variant.words, best[0].words) >= SIMILAR_AT_LEAST:
            best.append(variant)
        else:
            groups.append([variant])
    return sorted((_group(group) for group in groups), key=lambda g: (-g.count, -g.last_at.timestamp(), g.example))


class _Variant:
    """The messages whose text folds to one key: counted, never kept, so a flood of one
    text costs no more memory than one message."""

    def __init__(self, key: str) -> None:
        self.key = key  # the folded text's words, space-separated (or the folded text, if it has none)
        self.count = 0
        self.reasons: Counter = Counter()
        self.text = ""  # the most recent way a patient wrote it (on a tie, the later message)
        self._latest: Tuple[float, int] = (float("-inf"), -1)  # (when, arrival) of that message
        self.last_at: datetime = datetime.min
        self.senders: Set[str] = set()
        self.sender_id = ""
        self.event_id: Optional[int] = None

    @cached_property
    def words(self) -> FrozenSet[str]:
        """The key's content words; worked out only for the texts that are grouped."""
        return _content_words(_WORD.findall(self.key))

    def add(self, message: UnansweredMessage, arrival: int) -> None:
        self.count += 1
        self.reasons[message.reason] += 1
        latest = (message.at.timestamp(), arrival)
        if len(self.senders) < MAX_SENDERS_COUNTED:
            self.senders.add(message.sender_id)
        if latest > self._latest:
            self._latest, self.text, self.last_at = latest, message.text, message.at
            self.sender_id, self.event_id = message.sender_id, message.event_id

    def rank(self) -> Tuple[int, float, str]:
        """Seen most often first, then most recently."""
        return -self.count, -self._latest[0], self.key


class _Tally:
    """Messages counted per folded text, for at most MAX_TRACKED texts (module docstring)."""

    def __init__(self) -> None:
        self._variants: Dict[str, _Variant] = {}
        self._arrivals = 0

    def __len__(self) -> int:
        """How many distinct texts are counted."""
        return len(self._variants)

    def add(self, message: UnansweredMessage) -> None:
        key = fold_key(message.text)
        variant = self._variants.get(key)
        if variant is None:
            if len(self._variants) >= MAX_TRACKED:
                self._variants = {kept.key: kept for kept in self._ranked()[: MAX_TRACKED // 2]}
            variant = self._variants[key] = _Variant(key)
        variant.add(message, self._arrivals)
        self._arrivals += 1

    def most_frequent(self, limit: int) -> List[_Variant]:
        """The `limit` texts seen most often (then most recently), in that order; a warning
        when that leaves messages out."""
        kept = self._ranked()[:limit]
        left_out = self._arrivals - sum(variant.count for variant in kept)
        if left_out:
            logger.warning(
                "Unanswered messages: %d left out; only the %d texts seen most often are grouped", left_out, limit
            )
        return kept

    def _ranked(self) -> List[_Variant]:
        return sorted(self._variants.values(), key=_Variant.rank)


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
    shared = len(a & b)  # the union's size follows, without building it
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def _group(variants: List[_Variant]) -> UnansweredGroup:
    reasons: Counter = sum((variant.reasons for variant in variants), Counter())
    texts = tuple(variant.text for variant in variants)
    return UnansweredGroup(
        example=texts[0],
        texts=texts,
        count=sum(variant.count for variant in variants),
        reasons={reason: reasons[reason] for reason in REASONS if reasons[reason]},
        last_at=max(variant.last_at for variant in variants),
        variants=tuple(
            UnansweredText(v.text, v.key, v.count, len(v.senders), v.sender_id, v.event_id) for v in variants
        ),
    )
