"""Reading a patient's reply to the read-back of their request: yes, no, or neither.

Patients confirm in their own words ("perfect, go ahead", "ya all good", "yes that's all
correct thanks", "👍"), and a yes with a "but" is not one ("ok but the number's wrong"):
only a reply that agrees and raises nothing confirms, since a confirmed request goes to
staff as it stands. Anything that is neither (a question, a new detail) is for the form
to handle.
"""

from __future__ import annotations

from typing import Optional

from bot import patterns
from bot.booking.clauses import prepare

# What a reply that agrees starts with.
_YES = patterns.compile(
    r"^\W*(?:"
    r"y|ye[sa]+h?|yep+|yup|ya+h?|yh|ok(?:ay)?|k+|sure|perfect|great|lovely|brilliant|fab|awesome|cool|fine"
    r"|correct|right|exactly|absolutely|definitely|confirm(?:ed)?|spot\s+on|aye|yas+|yeh|yee+|ja|oui|si|sim|isso"
    r"|claro|vale|certo|correto|exato|exacto|perfeito|perfecto|listo|confirmad[oa]|confirmo|d'?accord|genau|richtig"
    r"|(?:sounds|looks|seems)\s+(?:good|great|right|fine|perfect|correct)"
    r"|(?:that'?s|thats|that\s+is|it'?s|its|they'?re|all|everything'?s?|everything\s+is)\s+(?:all\s+)?"
    r"(?:good|right|correct|fine|perfect|it|ok(?:ay)?)"
    r"|go\s+(?:ahead|for\s+it)|do\s+it|send\s+it|submit(?:\s+it)?|book\s+it|please\s+do"
    r")\b",
    patterns.IGNORECASE,
)
# A reply may lead with something else and agree after it ("Everything looks right.
# Thank you!", "grand so, go ahead").
_AGREES = patterns.compile(
    r"\b(?:(?:looks?|sounds?|seems?|is|are|all|everything'?s?)\s+(?:all\s+)?(?:good|right|correct|fine|perfect)"
    r"|go\s+ahead|go\s+for\s+it|(?:that'?s|thats)\s+(?:right|correct|it)|spot\s+on|pode\s+mandar"
    r"|(?:please\s+)?proceed|in\s+order|send\s+it(?:\s+off)?)\b",
    patterns.IGNORECASE,
)
_YES_SIGNS = (
    "\N{THUMBS UP SIGN}",
    "\N{WHITE HEAVY CHECK MARK}",
    "\N{OK HAND SIGN}",
    "s\N{LATIN SMALL LETTER I WITH ACUTE}",
)
# What a reply that disagrees starts with.
_NO = patterns.compile(
    r"^\W*(?:n|no+|nope|nah|na|not\s+(?:quite|really|right|correct)|wrong|incorrect|wait|hold\s+on|hang\s+on"
    r"|actually|oops|(?:that'?s|thats|that\s+is|it'?s|its)\s+(?:not\s+(?:right|correct)|wrong|incorrect))\b",
    patterns.IGNORECASE,
)
# Anything in a reply that raises a change: it is not a plain yes.
_RESERVATION = patterns.compile(
    r"\b(?:but|except|although|though|however|change|changed|wrong|incorrect|mistake|typo|actually|wait|instead"
    r"|not|isn'?t|no)\b|\?",
    patterns.IGNORECASE,
)


def read_confirmation(text: str) -> Optional[bool]:
    """True for a plain yes, False for a no (or a start at correcting), None otherwise."""
    text = prepare(text)
    if _NO.search(text):
        return False
    agrees = _YES.search(text) or _AGREES.search(text) or text.strip().lower().startswith(_YES_SIGNS)
    if agrees and not _RESERVATION.search(text):
        return True
    return None
