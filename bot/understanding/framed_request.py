"""A request inside a message that, read whole, does something else.

"r u a bot? i want a human" reads as a question about the assistant; "I prefer speak
with a human person please. My phone is 555-0105, name Lucía" and "can someone call my
husband, hes mike, 602 555 0165" read as details given (`inform`), because a phone
number and a name outweigh every other word. Either way the request (a person, a
booking, a screening) was lost: the patient got the assistant's self-description, or a
booking form they did not ask for.

So when the whole message's intent is one that only frames a request (`FRAMING`), its
pieces are read again with the details taken out (`request_pieces`): each sentence, and
the whole. A piece that is confidently a request (`REQUESTS`) decides the intent; the
details stay in the message for the form that the request starts, which reads them.
Details with a question ("Priya Raman, 555-213-0045 - oh wait, is the consultation
free?") are the question too (`asks`): a form reads the details whatever the intent, and
answers the question as well.
"""

from __future__ import annotations

from typing import List

from bot.booking.clauses import blank, prepare
from bot.booking.contact import contact_spans
from bot.booking.name import locate_name
from bot.patterns import compile as compile_pattern
from bot.understanding.question_parts import answerable, asks_a_question

# What a message can be, read whole, while it carries a request.
FRAMING = frozenset({"inform", "bot_challenge", "greet", "thank", "affirm"})
# What a patient asks the clinic to do.
REQUESTS = frozenset({"request_human", "request_booking", "check_eligibility"})
# How sure a piece must be of its request: as sure as each half of two questions must be
# (bot.understanding.question_parts.PART_CONFIDENCE), so that one measured bar decides both.
REQUEST_CONFIDENCE = 0.6


def asks(whole_intent: str, piece: str, intent: str, in_form: bool = False) -> bool:
    """Whether a piece's own intent decides the message's: a request (never inside a
    form, where "please call me on ..." gives the form its contact), or a question asked
    beside details."""
    if intent in REQUESTS:
        return not in_form
    return whole_intent == "inform" and asks_a_question(piece) and answerable(intent)


_SENTENCE = compile_pattern(r"[^.!?\n]+[.!?]*")


def request_pieces(text: str) -> List[str]:
    """The message without its contact details and name, then each sentence of that.

    Empty when the message has no more than one piece, which the whole reading covered.
    """
    text = prepare(text)
    spans = contact_spans(text)
    name = locate_name(blank(text, spans), asked=False)
    if name:
        spans.append(name.span)
    rest = blank(text, spans)
    sentences = [piece for piece in map(_tidy, _SENTENCE.findall(rest)) if any(char.isalpha() for char in piece)]
    whole = _tidy(rest)
    pieces = ([whole] if spans and any(char.isalpha() for char in whole) else []) + (
        sentences if len(sentences) > 1 else []
    )
    return list(dict.fromkeys(pieces))


def _tidy(piece: str) -> str:
    return " ".join(piece.split()).strip(" ,;:-")
