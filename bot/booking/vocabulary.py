"""Every word list the booking readers use, so changing what counts as a name, a time or a
skin concern means editing this one file.

Words are stored as *keys*: lower case, without apostrophes or periods ("I'm" -> "im"),
which is how `word_key` folds a patient's word before looking it up.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, Tuple


def word_key(word: str) -> str:
    """A word as the lists below store it: lower case, no apostrophes, no periods."""
    return word.lower().replace("'", "").replace(".", "")


def _with_plurals(words: Iterable[str]) -> FrozenSet[str]:
    return frozenset(form for word in words for form in (word, word + "s"))


# --- Times ------------------------------------------------------------------------
# A word is *ambiguous* when it is also an ordinary word or a first name ("sun damage",
# "I sat", "this may hurt", "April"): it only counts as a time next to a cue such as
# "on", "next" or a number, see `bot.booking.preferred_time`.

DAYS: Tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_ABBREVIATIONS: Tuple[str, ...] = ("tue", "tues", "thu", "thur", "thurs", "fri")
AMBIGUOUS_DAY_ABBREVIATIONS: Tuple[str, ...] = ("mon", "wed", "sat", "sun")
PARTS_OF_DAY: Tuple[str, ...] = ("morning", "afternoon", "evening", "night", "noon", "lunch", "lunchtime")
RELATIVE_TIMES: Tuple[str, ...] = (
    "weekday", "weekend", "wkday", "wkend", "wknd", "today", "tonight", "tomorrow", "tmrw", "tmr", "asap", "anytime",
    "whenever", "flexible",
)  # fmt: skip
TIME_PHRASES: Tuple[str, ...] = (r"next\s+week", r"this\s+week", r"any\s+time", r"lunch\s+time", r"week\s+days?")
MONTHS: Tuple[str, ...] = (
    "january", "february", "september", "october", "november", "december", "feb", "sept", "oct", "nov", "dec",
)  # fmt: skip
AMBIGUOUS_MONTHS: Tuple[str, ...] = (
    "march", "april", "may", "june", "july", "august", "jan", "mar", "apr", "jun", "jul", "aug", "sep",
)  # fmt: skip

# A whole reply of only these is a courtesy ("thx", "ok thank you"), never a preferred time.
COURTESY_WORDS: FrozenSet[str] = frozenset(
    "thanks thank you thx ty tyvm cheers ta ok okay k kk cool great perfect lovely sure yes yeah yep no nope "
    "please pls plz bye hi hello hey so much very many".split()
)

TIME_WORDS: FrozenSet[str] = _with_plurals(DAYS + DAY_ABBREVIATIONS + PARTS_OF_DAY + RELATIVE_TIMES) | frozenset(MONTHS)

# Titles whose period belongs to the name ("Sammy Davis Jr.", "Dr. Lee").
TITLES: FrozenSet[str] = frozenset(("jr", "sr", "st", "dr", "mr", "mrs", "ms", "mx"))
# Abbreviations whose period does not end a clause ("Dec. 3", "10 a.m.", "J. R. Smith").
ABBREVIATIONS: FrozenSet[str] = TITLES | frozenset(
    ("am", "pm") + DAY_ABBREVIATIONS + AMBIGUOUS_DAY_ABBREVIATIONS + MONTHS + AMBIGUOUS_MONTHS
)

# --- Words that are never (part of) a patient's name ---------------------------------
# Deliberately left out because they are also names: will, may, june, april, grace,
# hope, guy, son, ye, ty, do, an, le, day, best, mark, bill, rose, dawn, love.

_CONVERSATION = """
yes yeah yep yup no nope nah ok okay hi hello hey hiya thanks thank thx please pls plz
sure maybe not unsure idk dunno sorry fine good great cool perfect correct right wrong
all that thats this these those is are was were be been am it its im ive id ill me my mine
myself you your we our us they them he him his she her i a an the and or but so to of in
on at for from with about by as if just also too very really still again here there what
why how who when where which can could would should does did dont cant wont need want
like looking wondering calling asking texting writing trying hoping thinking planning
going getting having interested free available busy ready happy excited nervous scared
worried curious back home away out over off later soon now anything nothing something
whatever else any every new patient client person mom mum mother dad father sister brother
daughter husband wife friend partner boyfriend girlfriend sold keen down game set done
retired sweet oops typo best hes shes theyre whos got has had have wants wanted asked needs
needed says said thinks knows doesnt didnt isnt wasnt hasnt always never usually question
questions qs use used using put under kindly much lots loads heaps again everyone guys team folks
instead most easily reached reachable mostly alright alrighty aight awesome nice spelled spelt
terrified afraid anxious frightened petrified stressed panicking panicked embarrassed confused hesitant
"""
_BOOKING = """
name number phone cell mobile email mail contact text call book booking appointment appt
consultation consult microneedling cit collagen induction therapy treatment session skin
doctor clinic pregnant nursing breastfeeding
"""
NON_NAME_WORDS: FrozenSet[str] = frozenset(_CONVERSATION.split()) | frozenset(_BOOKING.split()) | TIME_WORDS

# --- Skin concerns (the article's list) ----------------------------------------------
# Canonical label -> regular expressions for the ways patients write it. Where patterns
# overlap ("acne scars" contains "scars") the longest match wins. Active acne is not a
# CIT concern (the article rules it out), so "acne" alone is not listed.

CONCERNS: Dict[str, Tuple[str, ...]] = {
    "acne scars": (
        r"acne[\s-]+scar(?:s|ring|ing|red)?",
        r"scar(?:s|ring|ing|red)?\s+(?:from|caused\s+by|left\s+by)\s+(?:my\s+)?acne",
        r"pitted\s+scars?",
    ),
    "scars": (r"scar(?:s|ring|red)?",),  # not "scaring": "the needles are scaring me"
    "fine lines": (r"fine\s+lines?",),
    "wrinkles": (r"wrinkles?", r"wrinkly", r"wrinkels?", r"crow'?s[\s-]+feet"),
    "large pores": (r"(?:large|big|enlarged|open|visible)\s+pores?", r"pores?"),
    "uneven texture": (r"(?:uneven|rough|bumpy)\s+(?:skin\s+)?texture", r"textured?"),
    "anti-aging": (r"anti[\s-]?ag(?:e)?ing", r"ag(?:e)?ing(?:\s+skin)?", r"signs\s+of\s+ag(?:e)?ing"),
    "complexion": (r"complexion", r"dull(?:ness|\s+skin)", r"uneven\s+(?:skin\s+)?tone"),
    "sun damage": (r"sun[\s-]?damaged?(?:\s+skin)?", r"sun\s?spots?", r"photo[\s-]?damage(?:d)?"),
}
