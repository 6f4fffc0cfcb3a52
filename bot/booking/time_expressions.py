"""Recognizing days, parts of the day, clock times and dates in a patient's words.

Shared by the preferred-time reader (which clauses talk about time) and the contact
reader (the digits of "Dec 3, 2025" or "1030am" are not a failed phone number).
"""
from __future__ import annotations

import re
from typing import Iterable

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
_DAY_OF_MONTH = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:,?\s*\d{4}(?!\d))?"

_PLAIN = rf"(?:{_either(DAYS + DAY_ABBREVIATIONS + PARTS_OF_DAY + RELATIVE_TIMES)})s?|{_either(TIME_PHRASES)}"
_CLOCK = (
    r"\d{1,2}(?:[:.]?[0-5]\d)?\s*[ap]\.?m\b\.?"  # 2pm, 2 pm, 10:30am, 1030am, 10 a.m.
    r"|(?:[01]?\d|2[0-3]):[0-5]\d"  # 14:30
    r"|\d{1,2}\s*o'?clock"
    r"|(?:after|before|around|until|till|til|from|between|by|at)\s+\d{1,2}(?::[0-5]\d)?(?![\d/:])"  # after 4
)
# Ambiguous words ("sun damage", "this may hurt", "April") count only next to a cue.
_DATE = (
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # 12/3, 12/3/2025
    rf"|(?:{_either(MONTHS)})\.?(?:\s*{_DAY_OF_MONTH})?{_YEAR}"  # Dec, Dec 3, December 3rd, 2025
    rf"|(?:{_AMBIGUOUS_MONTHS})\.?\s*{_DAY_OF_MONTH}{_YEAR}"  # may 3rd
    rf"|{_DAY_OF_MONTH}\s+(?:of\s+)?(?:{_ANY_MONTH})\.?{_YEAR}"  # 3 june, 3rd of December
    rf"|(?:in|early|late|mid|end\s+of|beginning\s+of|next|of)\s+(?:{_AMBIGUOUS_MONTHS})"  # in may
    rf"|(?:on|next|this|every|any)\s+(?:{_AMBIGUOUS_DAYS})"  # on sat
    rf"|(?:{_AMBIGUOUS_DAYS})\.?\s*(?:\d|morning|afternoon|evening|night)"  # sat 10am
)
_TIME = re.compile(rf"(?<!\w)(?:{_PLAIN}|{_CLOCK}|{_DATE})(?!\w)", re.IGNORECASE)


def mentions_time(text: str) -> bool:
    """Does the text name a day, a part of the day, a clock time or a date?"""
    return bool(_TIME.search(text))


def without_times(text: str) -> str:
    """The text with its time expressions replaced by spaces."""
    return _TIME.sub(" ", text)
