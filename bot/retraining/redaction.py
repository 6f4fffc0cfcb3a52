"""Contact details out of patient text before staff list it or it becomes training data.

Replaced: e-mail addresses and phone-like runs of digits (with the words that introduce
them: "call me at ..."), a name the message gives ("my name is Maria Gonzalez", a name
beside a contact), and every word of the names the same patient gave in a booking (the
handoff's name, passed in as `known_names`), wherever it appears. The readers are the
booking forms' own (bot.booking), so a contact the forms would take is one redaction
removes. Redaction errs towards removing: a lost word costs an example a little, a kept
phone number would leak into the model's training files.
"""

from __future__ import annotations

from typing import Iterable, List, Set, Tuple

from bot import patterns
from bot.booking.clauses import prepare
from bot.booking.contact import contact_spans
from bot.booking.name import locate_name

CONTACT = "[contact]"
NAME = "[name]"
_WORD = patterns.compile(r"\w+")
MIN_NAME_WORD = 2  # a one-letter initial is no name to hide, and would blank every "a"


def redact(text: str, known_names: Iterable[str] = ()) -> str:
    """`text` with contact details and names replaced by CONTACT and NAME."""
    prepared = prepare(text)
    pieces: List[str] = []
    position = 0
    for start, end, placeholder in _spans(prepared):
        if start < position:
            continue  # overlaps a span already replaced
        before = prepared[position:start]
        if before and not before[-1].isspace() and prepared[start].isspace():
            before += " "  # the span took the space before it ("call 555..."): "call [contact]", not "call[contact]"
        pieces += [before, placeholder]
        position = end
    pieces.append(prepared[position:])
    return _without_known_names("".join(pieces), known_names)


def _spans(text: str) -> List[Tuple[int, int, str]]:
    """Where to replace what, in order of where it starts."""
    spans = [(start, end, CONTACT) for start, end in contact_spans(text)]
    found = locate_name(text, asked=False)
    if found is not None:
        spans.append((*found.span, NAME))
    return sorted(spans)


def _without_known_names(text: str, names: Iterable[str]) -> str:
    words: Set[str] = {
        word.lower() for name in names for word in _WORD.findall(name or "") if len(word) >= MIN_NAME_WORD
    }
    if not words:
        return text
    return _WORD.sub(lambda match: NAME if match.group(0).lower() in words else match.group(0), text)
