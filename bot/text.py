"""Text folding shared by the checks that compare text as a person reads it.

Curly quotes, long dashes, case and runs of whitespace vary between a patient's phone,
the clinic's article and our YAML files without changing what the text says.
"""

import unicodedata
from datetime import timedelta

from bot import patterns

MAX_MESSAGE_CHARS = 2000
"""The longest message a channel lets in (the website's; an SMS is at most 1,600 characters).
Readers of free text look at no more, so a pasted page costs them no more than that."""

# Phones type curly apostrophes and quotes and long dashes; we match them straight.
_TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
     "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-"}
)  # fmt: skip
_SPACES = patterns.compile(r"\s+")


def fold_typography(text: str) -> str:
    """Compose accents (NFC) and straighten curly quotes, apostrophes and dashes."""
    return unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)


def normalize(text: str) -> str:
    """Lower-case, straighten quotes and dashes, and fold whitespace."""
    return _SPACES.sub(" ", fold_typography(text or "")).strip().lower()


def waited(duration: timedelta) -> str:
    """A duration as staff say it (a patient's wait, the time to a first staff action): 'under a minute', '12 min', '2 h 5 min', '3 days'."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days = hours // 24
    return "1 day" if days == 1 else f"{days} days"
