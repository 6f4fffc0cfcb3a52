"""A patient saying the assistant's last answer did not help: "that didn't help", "not
helpful at all", "you didn't answer my question", "that was useless".

A class of phrasing, not a list of sentences: an optional lead-in ("sorry, but"), a
subject that can only be the answer ("that", "it", "your answer", "you": never "the
cream"), a negated verb, what the answer failed to do (help, be useful, answer the
question, make sense, be what was asked), and an optional tail ("at all", "me",
"really"). The whole message must be that and nothing more: "the numbing cream didn't
help with the pain" reports a symptom, and "it didn't help, my lips are swelling" says
more than feedback; neither matches. SMS records a match as "not helpful" on the
conversation's last answer (`bot.insights.feedback`); the message still goes to the
assistant, which answers as it would.
"""

from __future__ import annotations

import unicodedata

from bot import patterns

_LEAD = r"(?:(?:no|nope|hmm+|um+|sorry|but|well|ok|okay|honestly|sadly|unfortunately|thanks|thank you) )*"
_SUBJECT = (
    r"(?:(?:that|this|it|that's|thats|it's|its|this is|that is|it is|that was|this was|it was|"
    r"the answer|your answer|the reply|your reply|the info|the information|you) )?"
)
_NEGATION = (
    r"(?:(?:really|just|still) )?"
    r"(?:did not|didn't|didnt|does not|doesn't|doesnt|do not|don't|dont|has not|hasn't|hasnt|"
    r"was not|wasn't|wasnt|is not|isn't|isnt|not|never) "
    r"(?:(?:really|very|much|that|too|so|at all) )?"
)
_FAILED = (
    r"(?:help|helped|helpful|useful|answer (?:my|the) question|answer it|make sense|"
    r"what i (?:asked|meant|wanted|needed|was asking(?: about| for)?))"
)
_USELESS = r"(?:useless|unhelpful|no help|no use|not much help|of no help|not what i asked)"
_TAIL = r"(?: (?:me|at all|much|really|thanks|thank you|sorry|either|though|unfortunately|sadly))*"
_NOT_HELPFUL = patterns.compile(rf"^{_LEAD}(?:{_SUBJECT}{_NEGATION}{_FAILED}|{_SUBJECT}{_USELESS}){_TAIL}$")
# An apostrophe only inside a word ("didn't"); punctuation and emoji are dropped.
_WORD = patterns.compile(r"[a-z]+(?:'[a-z]+)*")
MAX_WORDS = 14  # feedback is short; a longer message says something else too


def says_not_helpful(text: str) -> bool:
    """Whether the whole of `text` says the last answer did not help."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    words = _WORD.findall(folded)
    return 0 < len(words) <= MAX_WORDS and _NOT_HELPFUL.search(" ".join(words)) is not None
