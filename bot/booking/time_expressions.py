"""Recognizing days, parts of the day, clock times and dates in a patient's words.

Shared by the preferred-time reader (which clauses talk about time) and the contact
reader (the digits of "Dec 3, 2025" or "1030am" are not a failed phone number).
"""

from __future__ import annotations

from typing import FrozenSet, Iterable

from bot import patterns
from bot.booking.vocabulary import (
    AMBIGUOUS_DAY_ABBREVIATIONS,
    AMBIGUOUS_MONTHS,
    DAY_ABBREVIATIONS,
    DAYS,
    MONTHS,
    PARTS_OF_DAY,
    RELATIVE_TIMES,
    TIME_PHRASES,
)


def _either(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_AMBIGUOUS_DAYS = _either(AMBIGUOUS_DAY_ABBREVIATIONS)
_AMBIGUOUS_MONTHS = _either(AMBIGUOUS_MONTHS)
_ANY_MONTH = _either(MONTHS + AMBIGUOUS_MONTHS)
_DAY_OF_MONTH = r"\d{1,2}(?:st|nd|rd|th)?"
# A year ends an expression, so what follows it is no word character (see `_TIME`); after
# a day of the month it comes past a comma or a space ("Dec 3 2025", never "Dec 32025").
_YEAR = r"(?:,?\s*\d{4})?"
_YEAR_AFTER_DAY = r"(?:(?:,\s*|\s+)\d{4})?"

_PLAIN = rf"(?:{_either(DAYS + DAY_ABBREVIATIONS + PARTS_OF_DAY + RELATIVE_TIMES)})s?|{_either(TIME_PHRASES)}"
_CLOCK = (
    r"\d{1,2}(?:[:.]?[0-5]\d)?\s*[ap]\.?m\b\.?"  # 2pm, 2 pm, 10:30am, 1030am, 10 a.m.
    r"|(?:[01]?\d|2[0-3]):[0-5]\d"  # 14:30
    r"|\d{1,2}\s*o'?clock"
)
# "after 4", but not the start of "after 4/5" or "at 4:3" (see `_TIME`).
_CLOCK_AFTER = r"(?:after|before|around|until|till|til|from|between|by|at)\s+\d{1,2}(?::[0-5]\d)?"
# Ambiguous words ("sun damage", "this may hurt", "April") count only next to a cue.
_DATE = (
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # 12/3, 12/3/2025
    rf"|(?:{_either(MONTHS)})\.?(?:\s*{_DAY_OF_MONTH}{_YEAR_AFTER_DAY}|{_YEAR})"  # Dec, Dec 3, December 3rd, 2025
    rf"|(?:{_AMBIGUOUS_MONTHS})\.?\s*{_DAY_OF_MONTH}{_YEAR_AFTER_DAY}"  # may 3rd
    rf"|{_DAY_OF_MONTH}\s+(?:of\s+)?(?:{_ANY_MONTH})\.?{_YEAR}"  # 3 june, 3rd of December
    rf"|(?:in|early|late|mid|end\s+of|beginning\s+of|next|of)\s+(?:{_AMBIGUOUS_MONTHS})"  # in may
    rf"|(?:on|next|this|every|any)\s+(?:{_AMBIGUOUS_DAYS})"  # on sat
    rf"|(?:{_AMBIGUOUS_DAYS})\.?\s*(?:\d|morning|afternoon|evening|night)"  # sat 10am
)
# Whole words only ("sat", not "satisfied"); "after 4" is not followed by "/" or ":" either.
_TIME = patterns.Delimited(
    [
        patterns.Alternative(f"{_PLAIN}|{_CLOCK}", not_before=r"\w", not_after=r"\w"),
        patterns.Alternative(_CLOCK_AFTER, not_before=r"\w", not_after=r"\w/:"),
        patterns.Alternative(_DATE, not_before=r"\w", not_after=r"\w"),
    ],
    patterns.IGNORECASE,
)


def mentions_time(text: str) -> bool:
    """Does the text name a day, a part of the day, a clock time or a date?"""
    return _TIME.search(text) is not None


def without_times(text: str) -> str:
    """The text with its time expressions replaced by spaces."""
    return _TIME.sub(" ", text)


def time_expressions(text: str) -> FrozenSet[str]:
    """The time expressions the text names, folded ("Mondays" and "monday" are one)."""
    return frozenset(" ".join(match.group(0).lower().rstrip("s").split()) for match in _TIME.finditer(text))
