"""The keywords SMS carriers require every sender to honour: opt out, opt back in, help.

US carriers (CTIA) and Twilio treat STOP, STOPALL, UNSUBSCRIBE, CANCEL, END and QUIT as
an opt-out, START and UNSTOP as opting back in, and HELP and INFO as a request for who
is texting and how to stop. They are whole messages ("STOP", "stop please"), not words
inside a question: "how do I stop the redness" is a question for the assistant. Plain
sentences that clearly ask us to stop texting ("please stop texting me") count too,
because a patient should not need to know the keyword.

Twilio also opts numbers back in on "YES"; we do not, because "yes" answers the
assistant's own questions (the booking read-back).
"""

from __future__ import annotations

import enum
import unicodedata
from typing import List, Optional

from bot import patterns

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})

# Courtesy words around a keyword that do not change what it means.
_FILLER = frozenset({"please", "pls", "plz", "thanks", "thank", "you", "thx", "now", "ok", "okay", "just"})

_TEXTING = r"(?:text(?:ing|s)?|messag(?:e|es|ing)|sms|contact(?:ing)?|send(?:ing)? (?:me )?(?:texts|messages))"
_OPT_OUT_SENTENCES = patterns.compile(
    r"\b(?:"
    rf"stop {_TEXTING}(?: me| this number)?"  # "stop texting me", "stop messaging this number"
    rf"|(?:do not|dont|don't|never) {_TEXTING} (?:me|this number)"  # "don't text me again"
    rf"|no more {_TEXTING}"  # "no more texts"
    r"|unsubscribe me|opt (?:me )?out|(?:take|remove) (?:me|my number) (?:off|from) (?:your |the |this )?(?:list|texts|texting list)"
    r")\b"
)
# An apostrophe only inside a word ("don't"): a quoted 'STOP' is still the keyword.
_WORD = patterns.compile(r"[a-z]+(?:'[a-z]+)*")


class Keyword(enum.Enum):
    """What a whole SMS asks of the channel itself rather than of the assistant."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


def _words(text: str) -> List[str]:
    folded = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    return _WORD.findall(folded)


def classify(text: str) -> Optional[Keyword]:
    """The carrier keyword `text` is, or None when it is a message for the assistant."""
    words = _words(text)
    core = [word for word in words if word not in _FILLER]
    if len(core) == 1:
        word = core[0]
        if word in OPT_OUT_WORDS:
            return Keyword.OPT_OUT
        if word in OPT_IN_WORDS:
            return Keyword.OPT_IN
        if word in HELP_WORDS:
            return Keyword.HELP
    if _OPT_OUT_SENTENCES.search(" ".join(words)):
        return Keyword.OPT_OUT
    return None
