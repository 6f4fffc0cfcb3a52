"""Reading when the patient would like to come in, in their own words.

The clinic's team books the slot by hand, so the reader does not parse dates: it keeps
the clause(s) that talk about time ("Saturdays are best") and drops the rest of the
message (the name, the phone number, "thanks!").
"""

from __future__ import annotations

from typing import Optional

from bot import patterns
from bot.booking.clauses import blank, cap, clauses, prepare, tidy
from bot.booking.contact import contact_spans
from bot.booking.name import locate_name
from bot.booking.time_expressions import mentions_time, time_expressions
from bot.booking.vocabulary import COURTESY_WORDS, word_key

MAX_LENGTH = 200
MIN_LENGTH = 2
# How a correction starts, before the new time: "actually make it", "oops, can we do",
# "change it to". Only the new time is the patient's preference.
_CORRECTION = patterns.compile(
    r"^(?:(?:no|nope|sorry|oops|wait|actually|ah|oh|hang\s+on|hold\s+on|on\s+second\s+thought|instead)[\s,]+)*"
    r"(?:(?:(?:can|could)\s+(?:we|you|i)\s+|please\s+|let'?s\s+)?"
    r"(?:make|change|switch|move|put)(?:\s+(?:it|that|the\s+time|my\s+time|me))?(?:\s+(?:to|for|down\s+for))?"
    r"|(?:(?:can|could)\s+(?:we|you|i)|let'?s)\s+(?:do|say|go\s+with))\s+",
    patterns.IGNORECASE,
)
# What a clause says about a time that no longer suits: "mondays got busy", "tuesdays I
# have pilates", "I forgot I have a standing thing on Mondays".
_RULED_OUT = patterns.compile(
    r"\b(?:busy|can'?t|cannot|not|no\s+longer|doesn'?t|don'?t|won'?t|isn'?t|aren'?t|booked|full|work|working"
    r"|off|bad|worse|out|have|has|got|forgot|standing|plans?|class|classes|meeting|commitment|conflict|clash)\b",
    patterns.IGNORECASE,
)
# "Good afternoon." opens a message; as a clause of its own it greets, it is no time.
_GREETING = patterns.compile(
    r"^(?:hi|hello|hey)?[\s,]*good\s+(?:morning|afternoon|evening|day|night)\W*$", patterns.IGNORECASE
)
_INSTEAD = patterns.compile(r"[\s,]+instead$", patterns.IGNORECASE)


def find_preferred_time(text: str, *, asked: bool, before: Optional[str] = None) -> Optional[str]:
    """When the patient would like to come in, in their words, or None.

        Returns the clauses that mention a time, without any contact details or name given in
        the same message ("I'm Priya Shah, phone 646-555-0123, Saturdays are best" ->
        "Saturdays are best"). A correction keeps only the new time: its lead-in goes
        ("actually make it Thursdays" -> "Thursdays"), and so does a clause that only names
        times of the preference it replaces (`before`) and rules them out ("..., mondays
    got busy"). When
        `asked` is True (the form just asked for times), any
        other short answer with a letter in it is the patient's preference too
        ("not sure yet, maybe later this month"), unless it is only a courtesy ("thx", "ok
        thank you"), which leaves the question open. At most 200 characters.
    """
    text = prepare(text)
    text = blank(text, contact_spans(text))
    name = locate_name(text, asked=False)
    if name:
        text = blank(text, [name.span])
    timed = [
        _without_correction(piece)
        for piece in map(tidy, clauses(text))
        if mentions_time(piece) and not _GREETING.match(piece)
    ]
    if before:
        old = time_expressions(before)
        new = [piece for piece in timed if not (time_expressions(piece) <= old and _RULED_OUT.search(piece))]
        timed = new or timed
    if timed:
        return cap(", ".join(timed), MAX_LENGTH)
    if not asked:
        return None
    answer = ", ".join(piece for piece in map(tidy, text.split("\n")) if piece)
    if MIN_LENGTH <= len(answer) <= MAX_LENGTH and any(char.isalpha() for char in answer) and not _courtesy(answer):
        return answer
    return None


def _courtesy(answer: str) -> bool:
    words = [word_key(word.strip("!.,;:?()")) for word in answer.split()]
    return all(word in COURTESY_WORDS or not any(char.isalnum() for char in word) for word in words)


def _without_correction(piece: str) -> str:
    """A time clause without the words that make it a correction."""
    rest = _INSTEAD.sub("", _CORRECTION.sub("", piece))
    return rest if mentions_time(rest) else piece
