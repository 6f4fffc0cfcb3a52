"""Every pattern applied to patient text runs in time linear in the text (issue 15).

No timing here. What bounds the work is checked instead: every such pattern is RE2's
(`bot.patterns`: one pass over the text, work per character at most proportional to the
pattern's compiled size), no module that reads patient text keeps a `re` pattern, and
every free-text reader hands its patterns a text of bounded length whatever arrives.
Adversarial messages up to the channel's cap then show each pattern and reader
finishing with a bounded result.
"""

import re
from types import ModuleType
from typing import Callable, Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions.booking
import actions.handoff
import bot.booking.clauses
import bot.booking.concern
import bot.booking.contact
import bot.booking.name
import bot.booking.time_expressions
import bot.handoffs.request
import bot.screening.phrases
import bot.sms.inbound
import bot.sms.keywords
import bot.sms.render
import bot.text
import bot.transcripts.nlu_export
import bot.transcripts.unanswered
import bot.understanding.escalation
import bot.understanding.red_flag_rules
import bot.understanding.report_guard
from bot import patterns
from bot.booking import find_concern, find_contact, find_name, find_preferred_time, read_details
from bot.booking.name import MAX_LENGTH as NAME_LENGTH
from bot.booking.preferred_time import MAX_LENGTH as TIME_LENGTH
from bot.screening import SLOTS, get_screening
from bot.settings import get_settings
from bot.text import MAX_MESSAGE_CHARS
from bot.understanding.escalation import decide
from bot.understanding.red_flag_rules import RedFlagRules

# The modules whose patterns read what patients (or their phones and carriers) send.
READING_MODULES: List[ModuleType] = [
    actions.booking, actions.handoff, bot.booking.clauses, bot.booking.concern, bot.booking.contact,
    bot.booking.name, bot.booking.time_expressions, bot.handoffs.request, bot.understanding.escalation,
    bot.understanding.red_flag_rules, bot.understanding.report_guard, bot.screening.phrases, bot.sms.inbound, bot.sms.keywords,
    bot.sms.render, bot.text, bot.transcripts.nlu_export, bot.transcripts.unanswered,
]  # fmt: skip
# NFC (which every reader applies) writes a character as at most three.
MOST_READ = 3 * MAX_MESSAGE_CHARS
# A work bound per character: RE2 compiles each pattern to a program of this many
# instructions at most, so no pattern costs more than that per character.
LARGEST_PROGRAM = 50_000


def _adversarial(unit: str, head: str = "") -> str:
    return (head + unit * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]


ADVERSARIAL = {
    "spaces": _adversarial(" "),
    "spaces, then an address": _adversarial(" ", " " * 985 + "x a@b c@d "),
    "spaces, then a number": _adversarial(" ", " " * 985 + "x 617-555-0142 "),
    "tabs and colons": _adversarial("\t:"),
    "@": _adversarial("@"),
    ".": _adversarial("."),
    "digits": _adversarial("1"),
    "digits and spaces": _adversarial("1 "),
    "letters": _adversarial("a"),
    "words": _adversarial("my face is "),
    "a@a.": _adversarial("a@a."),
    "(555)": _adversarial("(555)"),
    "(555) with spaces": _adversarial("(555) "),
    "lead-in words": _adversarial("sure, my cell is "),
    "negations": _adversarial("no fever or "),
    "accents": _adversarial("Björn é ٣ "),
}


@pytest.fixture(scope="module")
def rules() -> RedFlagRules:
    """The clinic's own patterns, loaded as the Rasa server loads them (and so registered)."""
    return RedFlagRules.from_file(get_settings().red_flags_file)


def _re_patterns(value, depth: int = 0) -> List[re.Pattern]:
    if isinstance(value, re.Pattern):
        return [value]
    if depth < 3 and isinstance(value, (list, tuple, set, frozenset)):
        return [found for item in value for found in _re_patterns(item, depth + 1)]
    if depth < 3 and isinstance(value, dict):
        return [found for item in value.values() for found in _re_patterns(item, depth + 1)]
    return []


@pytest.mark.parametrize("module", READING_MODULES, ids=lambda module: module.__name__)
def test_no_module_that_reads_patient_text_keeps_a_re_pattern(module):
    assert "re" not in vars(module), f"{module.__name__} imports re: use bot.patterns"
    assert not [found.pattern for value in vars(module).values() for found in _re_patterns(value)]


def test_every_registered_pattern_is_re2s_and_small(rules):
    registered = patterns.registered()
    clinic = [pattern for group in rules._groups for pattern in group.patterns + group.unless]
    assert clinic and set(clinic) <= set(registered)
    assert all(isinstance(pattern, patterns.Pattern) for pattern in registered)
    too_big = {
        pattern.pattern[:60]: pattern.program_size for pattern in registered if pattern.program_size > LARGEST_PROGRAM
    }
    assert not too_big


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_every_registered_pattern_reads_adversarial_text_to_the_end(rules, name):
    text = ADVERSARIAL[name]
    assert len(text) == MAX_MESSAGE_CHARS
    for pattern in patterns.registered():
        found = list(pattern.finditer(text))
        assert len(found) <= len(text) + 1
        assert all(0 <= match.start() <= match.end() <= len(text) for match in found)
        pattern.search(text)
        pattern.fullmatch(text)


@pytest.fixture(scope="module")
def readers(rules) -> Dict[str, Callable[[str], object]]:
    screening = get_screening()
    return {
        "contact": find_contact,
        "name": lambda text: find_name(text, asked=True),
        "preferred time": lambda text: find_preferred_time(text, asked=True),
        "booking details": lambda text: read_details(text, asked="contact"),
        "concern": lambda text: find_concern([text]),
        "screening": screening.interpret,
        "screening review": screening.review_conditions,
        "red-flag decision": lambda text: decide(rules, text, [{"name": "red_flag_urgent", "confidence": 0.9}], 0.9),
    }


@pytest.fixture
def longest_read(monkeypatch) -> List[int]:
    """The length of every text handed to an RE2 pattern while the test runs."""
    lengths: List[int] = []
    matches = patterns.Pattern._matches

    def recording(self, anchor, text, pos, endpos):
        lengths.append(len(text) if endpos is None else min(len(text), endpos))
        return matches(self, anchor, text, pos, endpos)

    monkeypatch.setattr(patterns.Pattern, "_matches", recording)
    return lengths


@pytest.mark.parametrize("length", [MAX_MESSAGE_CHARS, 10_000, 100_000])
@pytest.mark.parametrize("unit", ["sure, my cell is 617-555-0142 ", " ", "\ufb2c"])  # U+FB2C: three under NFC
def test_each_free_text_reader_reads_at_most_a_capped_text(readers, longest_read, length, unit):
    text = (unit * length)[:length]
    for name, read in readers.items():
        longest_read.clear()
        read(text)
        assert longest_read and max(longest_read) <= MOST_READ, name


def test_the_cap_is_the_longest_message_a_channel_lets_in():
    from bot.rasa_server.channels import rest, twilio

    assert rest.MAX_TEXT_CHARS <= MAX_MESSAGE_CHARS and twilio.MAX_TEXT_CHARS <= MAX_MESSAGE_CHARS


_FRAGMENTS = st.sampled_from(
    [" ", "  ", " " * 40, "\t", "\n", "@", ".", ":", ",", "(555)", "(555) ", "a@a.", "x a@b ", "1", "123", "617-555-0142",
     "a", "aaaa", "Sam", "my name is ", "I'm ", "sure, ", "my cell is ", "email me at ", "sat ", "Dec 3, 2025 ",
     "after 4 ", "10am", "no fever ", "my face is ", "swollen ", "nervous ", "pregnant? no ", "keloids - never ",
     "Björn ", "é", "٣", "\u0345", "\ufb2c", "'", "-", "?", "!"]
)  # fmt: skip
_ADVERSARIAL_TEXT = st.lists(_FRAGMENTS, max_size=120).map("".join).map(lambda text: text[:MAX_MESSAGE_CHARS])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ADVERSARIAL_TEXT)
def test_free_text_readers_on_adversarial_text_give_bounded_answers(readers, rules, text):
    found = {name: read(text) for name, read in readers.items()}
    assert found["name"] is None or len(found["name"]) <= NAME_LENGTH
    assert found["preferred time"] is None or len(found["preferred time"]) <= TIME_LENGTH
    contact = found["contact"].contact
    assert contact is None or (contact.kind in ("phone", "email") and len(contact.value) <= 320)
    details = found["booking details"]
    assert details.name is None or len(details.name) <= NAME_LENGTH
    assert details.preferred_time is None or len(details.preferred_time) <= TIME_LENGTH
    assert found["concern"] is None or len(found["concern"]) <= 200
    assert set(found["screening"]) <= set(SLOTS) and all(isinstance(fact, bool) for fact in found["screening"].values())
    decision = found["red-flag decision"]
    groups = {group.name for group in rules._groups} | {"unspecified"}
    assert decision.red_flag is None or set(decision.red_flag.symptoms) <= groups
