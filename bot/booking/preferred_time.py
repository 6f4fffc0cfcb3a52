"""Reading when the patient would like to come in, in their own words.

The clinic's team books the slot by hand, so the reader does not parse dates: it keeps
the clause(s) that talk about time ("Saturdays are best") and drops the rest of the
message (the name, the phone number, "thanks!").
"""
from __future__ import annotations

from typing import Optional

from bot.booking.clauses import blank, cap, clauses, prepare, tidy
from bot.booking.contact import contact_spans
from bot.booking.name import locate_name
from bot.booking.time_expressions import mentions_time

MAX_LENGTH = 200
MIN_LENGTH = 2


def find_preferred_time(text: str, *, asked: bool) -> Optional[str]:
    """When the patient would like to come in, in their words, or None.

    Returns the clauses that mention a time, without any contact details or name given in
    the same message ("I'm Priya Shah, phone 646-555-0123, Saturdays are best" ->
    "Saturdays are best"). When `asked` is True (the form just asked for times), any
    other short answer with a letter in it is the patient's preference too
    ("not sure yet, maybe later this month"). At most 200 characters.
    """
    text = prepare(text)
    text = blank(text, contact_spans(text))
    name = locate_name(text, asked=False)
    if name:
        text = blank(text, [name.span])
    timed = [piece for piece in map(tidy, clauses(text)) if mentions_time(piece)]
    if timed:
        return cap(", ".join(timed), MAX_LENGTH)
    if not asked:
        return None
    answer = ", ".join(piece for piece in map(tidy, text.split("\n")) if piece)
    if MIN_LENGTH <= len(answer) <= MAX_LENGTH and any(char.isalpha() for char in answer):
        return answer
    return None
