"""Reading and validating the patient's name.

A wrong name is worse than none: reading "Thanks, Nervous!" back to a patient is
embarrassing, while a missing name only makes the form ask again. So the reader is
strict. Bare text counts as a name only when the form has just asked for it, and a cue
("I'm", "this is") counts only when a name-like word follows it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import List, Optional, cast

from bot import patterns
from bot.booking.clauses import Span, blank, clause_end, clauses, is_control, prepare
from bot.booking.contact import contact_spans
from bot.booking.vocabulary import NON_NAME_WORDS, TITLES, word_key
from bot.text import fold_typography

MAX_LENGTH = 60
MAX_WORDS = 5
_PUNCTUATION = " -'."  # besides letters and marks, the only characters a name may have
_SPACES = patterns.compile(r"\s+")
_WORD = patterns.compile(r"\S+")
# Strong cues always introduce a name; weak ones ("I'm", "it's") often do not
# ("I'm free on Saturdays"), so what follows them must look like a name, see `_after_cue`.
# Each starts a word; all but "name:" end one too.
_CUE = patterns.Delimited(
    [
        # A label, also in the languages patients here code-switch to ("Nome: ...").
        patterns.Alternative(r"(?:my\s+)?(?:name|nome|nombre|nom|pangalan|naam)\s*:", not_before=r"\w'"),
        # A correction naming the detail: "put it under my married name, Siobhan Brennan".
        patterns.Alternative(
            r"(?:(?:my|his|her|their|the)\s+)?(?:married|maiden|full|real|legal|new|correct|right)\s+name\s*[:,]?",
            not_before=r"\w'",
        ),
        patterns.Alternative(
            r"(?:(?:(?:my|his|her|their|the)\s+)?name\s+(?:is|should\s+be|to|as)|my\s+name'?s|name's|call\s+me"
            r"|me\s+llamo|mi\s+nombre\s+es|je\s+m'?appelle|mi\s+chiamo|meu\s+nome\s+(?:e|é)|ich\s+hei(?:ss|ß)e)",
            not_before=r"\w'",
            not_after=r"\w'",
        ),
        patterns.Alternative(
            r"(?P<weak>i'?m|i\s+am|this\s+is|it'?s|s?he'?s|s?he\s+is|(?:(?:my|his|her|their)\s+)?name"
            r"|(?:my|his|her|our)\s+(?:husband|wife|partner|mum|mom|mother|dad|father|son|daughter|sister|brother"
            r"|boyfriend|girlfriend|fianc[eé]e?|grandma|grandmother|grandpa|grandfather|aunt|uncle)\s*,?)",
            not_before=r"\w'",
            not_after=r"\w'",
        ),
    ],
    patterns.IGNORECASE,
)
# Capitals a writer cannot help: the start of a sentence and the pronoun I.
_AUTOMATIC_CAPITALS = patterns.Delimited(
    [
        patterns.Alternative(r"(?:^|[.!?\n])\s*\S"),
        patterns.Alternative(r"I(?:'[a-z]+|m)?", not_before=r"\w'", not_after=r"\w'"),
    ]
)


@dataclass(frozen=True)
class NameMatch:
    """A name found in a prepared message and the span (cue included) it was read from."""

    name: str
    span: Span


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] == "L"


def _is_name_char(char: str) -> bool:
    return _is_letter(char) or unicodedata.category(char)[0] == "M" or char in _PUNCTUATION


def _title_case(name: str) -> str:
    """Capitalize each word and each part after a hyphen, apostrophe or period ("O'Brien")."""
    out, capitalize = [], True
    for char in name:
        if char in _PUNCTUATION:
            out.append(char)
            capitalize = True
        elif capitalize and _is_letter(char):
            out.append(char.title())
            capitalize = False
        else:
            out.append(char)
    return "".join(out)


def _drop_full_stop(name: str) -> str:
    """'Maria Gonzalez.' ends a sentence; 'J.' and 'Jr.' are part of the name."""
    if not name.endswith("."):
        return name
    last = name.rsplit(" ", 1)[-1].rstrip(".")
    if len(last) < 2 or word_key(last) in TITLES:
        return name
    return name.rstrip(".")


def validate_name(raw: str) -> Optional[str]:
    """The cleaned name, or None when `raw` cannot be one.

    Allowed: 1-60 characters in 1-5 words of letters (any script), marks, hyphens,
    apostrophes and periods, with at least two letters and none of the words in
    `NON_NAME_WORDS`. An all-lower-case name is title-cased ("sam patel" -> "Sam Patel");
    any other casing is the patient's choice ("McDonald", "de la Cruz") and kept.
    """
    text = (raw or "").strip()
    if any(is_control(char) for char in text):
        return None
    name = _drop_full_stop(_SPACES.sub(" ", fold_typography(text)).strip())
    if name.islower():
        name = _title_case(name)
    words = name.split(" ")
    valid = (
        0 < len(name) <= MAX_LENGTH
        and len(words) <= MAX_WORDS
        and all(_is_name_char(char) for char in name)
        and sum(map(_is_letter, name)) >= 2
        and all(any(map(_is_letter, word)) for word in words)
        and not any(word_key(word) in NON_NAME_WORDS for word in words)
    )
    return name if valid else None


def _is_name_word(word: str) -> bool:
    return (
        all(_is_name_char(char) for char in word)
        and any(map(_is_letter, word))
        and word_key(word) not in NON_NAME_WORDS
        and not word.lower().endswith("'s")  # "this is Sam's mom"
    )


def _leading_name(text: str, start: int, end: int) -> Optional[NameMatch]:
    """The name made of the name-like words that open text[start:end], if they validate."""
    run_end = None
    for word in _WORD.finditer(text, start, end):
        if not _is_name_word(word.group(0)):
            break
        run_end = word.end()
    if run_end is None:
        return None
    name = validate_name(text[start:run_end])
    return NameMatch(name=name, span=(start, run_end)) if name else None


def _uses_capitals(text: str) -> bool:
    """Does the writer capitalize names? Phones capitalize sentence starts and 'I' for them."""
    return any(char.isupper() for char in _AUTOMATIC_CAPITALS.sub(" ", text))


# After a weak cue, a single word followed by one of these is a state, not a name:
# "I'm wanting to book", "I'm done with classes by 1", "it's free on Mondays".
_STATE_FOLLOWERS = frozenset({"to", "for", "with", "by", "on", "in", "at", "about", "from", "after", "before"})


def _after_cue(text: str, capitals: bool) -> Optional[NameMatch]:
    for cue in _CUE.finditer(text):
        found = _leading_name(text, cue.end(), clause_end(text, cue.end()))
        if found is None:
            continue
        if cue.group("weak") and capitals and text[found.span[0] : found.span[1]].lstrip()[:1].islower():
            continue  # "I'm nervous about CIT": whoever writes "CIT" would write "Nervous"
        if cue.group("weak") and " " not in found.name:
            following = _WORD.search(text, found.span[1], clause_end(text, found.span[1]))
            if following and word_key(following.group(0)) in _STATE_FOLLOWERS:
                continue
        return NameMatch(name=found.name, span=(cue.start(), found.span[1]))
    return None


# What may stand between a name and the contact after it: "Priya Raman 408 555 0119",
# "Olumide Bankole, o.bankole@example.com", "J. Okafor. 555-0177", and the bracket of an
# area code the number is read without ("Sofia Marchetti, (305) 555-0184").
_BEFORE_CONTACT = patterns.compile(r"[\s,;:.\-–—/|(\[]*$")
_NAME_START = patterns.compile(r"(?:^|[.!?,;:\-–—(\n])\s*$")


# Words after which a name may start without a clause boundary ("book me in pls marcus
# hill 773-555-0190"); after other words a run is the end of a sentence ("email I don't
# check often. 224 555 0193").
_BEFORE_A_NAME = frozenset(
    {"pls", "plz", "please", "me", "in", "for", "its", "is", "am", "thanks", "thx", "ok", "okay"}
)


def _after_non_name(text: str, first: patterns.Match) -> bool:
    """Whether the word before `first` is one a name may follow without a comma."""
    before = _WORD.findall(text[: first.start()])
    return bool(before) and word_key(before[-1].strip(".,!?")) in _BEFORE_A_NAME


def _capitalized(word: str) -> bool:
    return word[:1].isupper()


def _beside_contact(text: str, contacts: List[Span], capitals: bool) -> Optional[NameMatch]:
    """A name of two to four words written right before a phone number or e-mail
    address, as a clause of its own ("..., Priya Raman 408 555 0119"), or of one word
    when nothing comes before it ("andre 555-0154 text is best").

    Patients who give every detail at once rarely label the name; the contact next to it
    says what it is. From a writer who capitalizes (`capitals`), the words must be
    capitalized (a run of lower-case words before a number is a sentence); a writer who
    capitalizes nothing ("sweet book me in. nadia farah 281 555 0155") is read in lower
    case. Either way a clause boundary must come before the name ("book for Thursday
    Priya ..." is not a name) and no word may be one of `NON_NAME_WORDS`.
    """
    for start, _ in contacts:
        end = cast(patterns.Match, _BEFORE_CONTACT.search(text[:start])).start()  # matches empty: always found
        words = list(_WORD.finditer(text, max(0, end - MAX_LENGTH), end))
        run: List[patterns.Match] = []
        for word in reversed(words):
            token = word.group(0)
            cased = _capitalized(token) or not capitals
            if len(run) == 4 or not (cased and _is_name_word(token.rstrip(".,"))):
                break
            run.insert(0, word)
        while run and not (
            _NAME_START.search(text[: run[0].start()]) or (len(run) >= 2 and _after_non_name(text, run[0]))
        ):
            run.pop(0)
        if not run or (len(run) == 1 and text[: run[0].start()].strip()):
            continue  # one word is a name only as the whole of what comes before ("andre 555-0154")
        name = validate_name(text[run[0].start() : run[-1].end()])
        if name:
            return NameMatch(name=name, span=(run[0].start(), run[-1].end()))
    return None


# A message signed at its end: "..., cheers - Jack", "Thanks, Maria Lopez", "regards\nDev". The
# sign-off is whole words opening a clause: "how long does numbing take" is not signed
# "Ke" (after "ta"), nor "how much is the best package" signed "Package".
_SIGN_OFF = patterns.compile(
    r"(?:[-–—~]|(?:^|[.,!?;:\n])\s*(?:(?:ok|okay|great|perfect|awesome|kind|warm|many|all\s+the)\s+)?"
    r"(?:cheers|thanks|thank\s+you|thx|ta|regards|best|best\s+wishes|love|sincerely)\b)[\s,:]*"
    r"(?P<name>[^\W\d][\w'-]*(?:\s+[^\W\d][\w'-]*){0,2})[\s.!]*$",
    patterns.IGNORECASE,
)


def _signed(text: str, capitals: bool) -> Optional[NameMatch]:
    """The name a message is signed with, at its very end, capitalized as the writer does."""
    found = _SIGN_OFF.search(text)
    if found is None:
        return None
    words = found.group("name").split()
    if not all((_capitalized(word) or not capitals) and _is_name_word(word) for word in words):
        return None
    name = validate_name(found.group("name"))
    return NameMatch(name=name, span=found.span("name")) if name else None


# Words a bare name may end with: "Jordan Lee here", "Sam, thanks".
_TRAILING_FILLER = frozenset({"here", "thanks", "thank", "you", "thx", "please", "pls"})


def _bare(text: str) -> Optional[NameMatch]:
    """The name a patient answers with: the first clause that is more than 'hi' or 'ok'.

    Without a cue the whole clause must be the name: "any weekday after 5" is an answer
    to another question, not a patient called "Any".
    """
    start = 0
    for piece in clauses(text):
        words = piece.split()
        if words and not all(word_key(word) in NON_NAME_WORDS for word in words):
            offset = start + len(piece) - len(piece.lstrip())
            found = _leading_name(text, offset, start + len(piece))
            rest = text[found.span[1] : start + len(piece)] if found else ""
            trailing = {word_key(word) for word in _WORD.findall(rest)}
            return found if found and trailing <= _TRAILING_FILLER else None
        start += len(piece) + 1
    return None


def locate_name(text: str, *, asked: bool) -> Optional[NameMatch]:
    """The name in a prepared message (see `find_name`) and where it is."""
    contacts = contact_spans(text)
    text = blank(text, contacts)
    capitals = _uses_capitals(text)
    return (
        _after_cue(text, capitals)
        or _beside_contact(text, contacts, capitals)
        or _signed(text, capitals)
        or (_bare(text) if asked else None)
    )


def find_name(text: str, *, asked: bool) -> Optional[str]:
    """The patient's name in a message, or None.

    A cue anywhere ("my name is", "name:", "I'm", "this is", "it's", "call me") must be
    followed, in the same clause, by name-like words; reading stops at the first word
    that is not ("this is Maria calling about booking" -> "Maria"). When `asked` is True
    (the form just asked for the name) a bare answer also counts ("sam" -> "Sam");
    otherwise bare text never does, so "Saturdays" or "yes that's correct" stay
    what they are.
    """
    found = locate_name(prepare(text), asked=asked)
    return found.name if found else None


# "my last name is spelled brookes, with an e", "her first name's actually Ana": one part
# of a name already given, corrected.
_PART_CORRECTION = patterns.compile(
    r"\b(?:(?:my|his|her|their|the)\s+)?(?P<part>last|family|sur|first|given)\s*name(?:\s+is|'s|\s+should\s+be)?"
    r"(?:\s+(?:actually|really|spelled|spelt|written))*\s*[:,]?\s+(?P<word>[^\s,.;!?]+)",
    patterns.IGNORECASE,
)


def corrected_name(text: str, current: Optional[str]) -> Optional[str]:
    """The name given before (`current`) with the part the patient corrects replaced
    ("Tyler Brooks" + "my last name is spelled brookes" -> "Tyler Brookes"), or None
    when the message corrects no part of a name or there is none to correct."""
    match = _PART_CORRECTION.search(prepare(text)) if current else None
    word = validate_name(match.group("word")) if match else None
    if not (match and word and current) or " " in word:
        return None
    words = current.split(" ")
    if match.group("part").lower() in ("first", "given"):
        words[0] = word
    else:
        words[-1] = word if len(words) > 1 else words[-1] + " " + word
    return validate_name(" ".join(words))
