"""What the patient wants treated, read from what they said earlier in the conversation.

The form does not ask for it (three questions are enough); when a patient has already
mentioned acne scars or fine lines, the booking request carries it for the clinic.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from bot import patterns
from bot.booking.clauses import prepare
from bot.booking.vocabulary import CONCERNS

# Each of the ways to write a concern, as whole words.
_PATTERNS: List[Tuple[patterns.Delimited, str]] = [
    (patterns.Delimited([patterns.Alternative(pattern, not_before=r"\w", not_after=r"\w")], patterns.IGNORECASE), label)
    for label, written in CONCERNS.items()
    for pattern in written
]


def _labels_in(text: str) -> List[str]:
    """Labels in reading order; where matches overlap the longest wins ("acne scars", not "scars")."""
    matches = sorted(
        (match.start(), -len(match.group(0)), match.end(), label)
        for pattern, label in _PATTERNS
        for match in pattern.finditer(text)
    )
    labels, covered = [], 0
    for start, _, end, label in matches:
        if start >= covered:
            labels.append(label)
            covered = end
    return labels


def find_concern(texts: Sequence[str]) -> Optional[str]:
    """The article's concerns the patient mentioned, e.g. "acne scars, fine lines", or None.

    Canonical labels (the keys of `CONCERNS`), first mention first, each once. All labels
    together stay well under the form's 200-character limit.
    """
    seen: Dict[str, None] = {}
    for text in texts:
        seen.update((label, None) for label in _labels_in(prepare(text)))
    return ", ".join(seen) or None
