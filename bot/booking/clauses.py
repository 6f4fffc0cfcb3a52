"""Preparing a patient's message for the booking readers and cutting it into clauses.

Patients often give several details in one message ("I'm Priya Shah, phone
646-555-0123, Saturdays are best"); each reader looks at the clause its detail is in.
Readers also *blank* what another reader owns (a phone number, a name) so that, say,
the preferred-time reader does not return "phone 646-555-0123" as a time. Blanking
keeps the text's length, so spans found by one reader stay valid for the next.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Iterator, List, Tuple

from bot import patterns
from bot.booking.vocabulary import ABBREVIATIONS, word_key
from bot.text import fold_typography

MAX_SCAN = 1000
"""Characters of a message the readers look at; a real answer is far shorter, and the cap
keeps an absurd paste (10k characters) from costing the action server time."""

Span = Tuple[int, int]

_SPACES = patterns.compile(r"[^\S\n]+")
# A mark that ends a clause, or a run of other characters up to a space or a mark: a run
# may end with a clause-ending period or colon (see `_cuts`).
_CUT = patterns.compile(r"(?P<mark>[,;!?\n])|[^\s,;!?]+")
_LEADING_JOIN = patterns.compile(r"^(?:and|but|plus|also|so|&)\s+", patterns.IGNORECASE)


def is_control(char: str) -> bool:
    """Control and invisible format characters (Unicode Cc, Cf), which no answer needs."""
    return unicodedata.category(char) in ("Cc", "Cf")


def prepare(text: str) -> str:
    """The first `MAX_SCAN` characters, folded, with line breaks as the only control character."""
    text = fold_typography((text or "")[:MAX_SCAN]).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(" " if char != "\n" and is_control(char) else char for char in text)


def _cuts(text: str) -> Iterator[int]:
    """Positions of the characters that end a clause.

    A period ends one only when followed by a space or the end and not closing an
    initial or abbreviation; a colon only when followed by a space ("14:30" is a time).
    """
    for match in _CUT.finditer(text):
        if match.group("mark") is not None:
            yield match.start()
            continue
        run, end = match.group(), match.end()
        if end < len(text) and not text[end].isspace():
            continue  # a run followed by a mark: the mark cuts
        if run.endswith(":"):
            yield end - 1
        elif run.endswith("."):
            key = word_key(run[:-1].strip("(\"'"))
            if not ((len(key) == 1 and key.isalpha()) or key in ABBREVIATIONS):
                yield end - 1


def clauses(text: str) -> List[str]:
    """The text cut at clause ends (the cutting characters are dropped)."""
    pieces, start = [], 0
    for cut in _cuts(text):
        pieces.append(text[start:cut])
        start = cut + 1
    pieces.append(text[start:])
    return pieces


def clause_end(text: str, start: int) -> int:
    """Where the clause running through `start` ends."""
    return next((cut for cut in _cuts(text) if cut >= start), len(text))


def blank(text: str, spans: Iterable[Span]) -> str:
    """Replace each span by a line break padded to the same length: a clause end, offsets kept."""
    for start, end in spans:
        if end > start:
            text = text[:start] + "\n" + " " * (end - start - 1) + text[end:]
    return text


def tidy(piece: str) -> str:
    """A clause as the patient's own words: single spaces, no dangling separators or 'and'."""
    piece = _SPACES.sub(" ", piece).strip(" \n,;:-")
    return _LEADING_JOIN.sub("", piece).strip(" \n,;:-")


def cap(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when there is one."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else text[:limit]).rstrip(" ,;:-")
