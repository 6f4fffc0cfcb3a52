"""bot.patterns: RE2 with `re`'s meaning, and what it refuses.

`re` is the reference here: each check compares the wrapper with the standard library on
the same pattern and text.
"""

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import patterns
from bot.patterns import IGNORECASE, Alternative, Delimited, PatternError

# Characters where RE2 and `re` could part: non-ASCII letters and digits, letters that
# IGNORECASE folds to ASCII ones, a letter newer than Python's Unicode tables, Unicode
# spaces, U+0345 (which folds to a Greek letter), apostrophes, marks our patterns use.
_TRICKY = "aAiIkKsSzZ09_ éÉöß٣３²ſ\u212aİı\U00010570\u0345\u00a0\u2028\u3000\t\n'.,:;!?@()-/"
_TEXT = st.text(alphabet=st.sampled_from(_TRICKY), max_size=40)


def _all_characters() -> str:
    return "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)


@pytest.mark.parametrize("escape", [r"\w", r"\d", r"\s", r"\W", r"\D", r"\S"])
def test_perl_classes_mean_what_they_mean_in_re_on_every_character(escape):
    text = _all_characters()
    for pattern in (escape + "+", escape + "+|_x", escape + "+|[0-9]x"):  # read with stand-ins, as it is, digits kept
        ours = [match.span() for match in patterns.compile(pattern).finditer(text)]
        assert ours == [match.span() for match in re.finditer(pattern, text)]


def test_the_letters_ignorecase_folds_to_ascii_are_the_ones_read_as_ascii():
    text = "".join(char for char in _all_characters() if not char.isascii())
    assert {match.group() for match in re.finditer("[a-z]", text, re.IGNORECASE)} == set(patterns._ASCII_FOLDS)
    assert all(re.fullmatch(ascii, char, re.IGNORECASE) for char, ascii in patterns._ASCII_FOLDS.items())


@pytest.mark.parametrize(
    "pattern",
    [r"[\w-]+", r"[^\w']+", r"[^\S\n]+", r"[\d\s().+-]*\d[\d\s().+-]*", r"[^\s<>(),;:\[\]\"]*@[^\s<>(),;:\[\]\"]*",
     r"\b(but|though)\b", r"\w+(?:'\w+)*", r"\brn\b", r"(?:^|[.!?\n])\s*\S", r"x{,2}y", r"[]a]+", r"\S+", r"[\W']+",
     r"[\D\s]+", r"\b\d+\b", r"\bday\s*\d+\b", r"\b[a-z]+\b", r"\bkiss\b", r"[^\w]+_?"],
)  # fmt: skip
@pytest.mark.parametrize("flags", [0, IGNORECASE])
@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_finditer_sub_and_split_agree_with_re(pattern, flags, text):
    ours, theirs = patterns.compile(pattern, flags), re.compile(pattern, flags)
    assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
    assert ours.sub("#", text) == theirs.sub("#", text)
    assert ours.split(text) == theirs.split(text)
    assert ours.findall(text) == theirs.findall(text)


def test_a_word_boundary_is_unicode_as_in_re():
    # "rn" (right now) is a time cue; it is not a word in "Björn".
    assert patterns.compile(r"\brn\b").search("björn larsson") is None
    assert patterns.compile(r"\brn\b").search("hurts rn").span() == (6, 8)
    assert patterns.compile(r"\bcaf\w*").search("un café").group() == "café"


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, pos=st.integers(0, 45), endpos=st.integers(0, 45))
def test_pos_and_endpos_as_in_re(text, pos, endpos):
    for pattern in (r"\w+\W*$", r"^\s*\w", r"\b\w", r"[.!?]\s*$"):
        ours, theirs = patterns.compile(pattern), re.compile(pattern)
        for method in ("search", "match", "fullmatch"):
            found = getattr(ours, method)(text, pos, endpos)
            expected = getattr(theirs, method)(text, pos, endpos)
            assert (found and found.span()) == (expected and expected.span()), (pattern, method)


def test_groups_read_as_in_re():
    text = "call me at 617"
    ours = patterns.compile(r"(?P<verb>call)\s+(me)(?P<none>x)?").search(text)
    theirs = re.compile(r"(?P<verb>call)\s+(me)(?P<none>x)?").search(text)
    assert ours.group() == theirs.group() and ours.group("verb", 2) == theirs.group("verb", 2)
    assert ours.groups() == theirs.groups() and ours.groupdict("-") == theirs.groupdict("-")
    assert ours.span("verb") == theirs.span("verb") and ours.start(3) == theirs.start(3) == -1


def test_a_replacement_names_no_group_but_may_be_a_function():
    pattern = patterns.compile(r"\]([(\[{])")
    assert pattern.sub(lambda found: "] " + found.group(1), "[a](b) [c]{d}") == "[a] (b) [c] {d}"
    with pytest.raises(ValueError, match="function"):
        pattern.sub(r"] \1", "[a](b)")


def test_lone_surrogates_are_read_without_failing():
    found = patterns.compile(r"\w+").search("\ud800abc")
    assert found.span() == (1, 4) and found.group() == "abc"


@pytest.mark.parametrize(
    "pattern, reason",
    [
        (r"(?<!no )fever", r"\(\?<!"),
        (r"fever(?! free)", r"\(\?!"),
        (r"(?=a)a", r"\(\?="),
        (r"(a)\1", "backreference"),
        (r"\bfi\u00e8vre\b", "non-ASCII letter"),
        (r"\bred_flag\b", '"_"'),
        (r"(unclosed", "missing"),
        (r"\u12", "bad escape"),
    ],
)
def test_what_re2_cannot_match_in_linear_time_is_refused_naming_the_pattern(pattern, reason):
    with pytest.raises(PatternError, match=reason) as raised:
        patterns.compile(pattern)
    assert repr(pattern) in str(raised.value)


def test_only_ignorecase_is_a_flag():
    with pytest.raises(ValueError, match="IGNORECASE"):
        patterns.compile("a", re.MULTILINE)


def test_a_class_with_w_is_not_case_folded_as_in_re():
    # U+0345 is no word character, but folds to a Greek letter: RE2 alone would fold the class.
    assert patterns.compile(r"[^\w']", IGNORECASE).match("\u0345")
    assert not patterns.compile(r"[\w-]", IGNORECASE).match("\u0345")
    with pytest.raises(PatternError, match="letter"):
        patterns.compile(r"[\wé]", IGNORECASE)


# The lookaround shapes the readers had, and their `Delimited` forms.
_DELIMITED = [
    (
        r"(?<!\w)(?:scars?|acne\s+scars?|sat)(?!\w)",
        [Alternative(r"scars?|acne\s+scars?|sat", r"\w", r"\w")],
        IGNORECASE,
    ),
    (
        r"(?<![\w'])(?:(?P<strong>(?:my\s+)?name\s*:)|(?:my\s+)?name\s+is(?![\w'])|(?P<weak>i'?m|it'?s)(?![\w']))",
        [
            Alternative(r"(?P<strong>(?:my\s+)?name\s*:)", r"\w'"),
            Alternative(r"(?:my\s+)?name\s+is", r"\w'", r"\w'"),
            Alternative(r"(?P<weak>i'?m|it'?s)", r"\w'", r"\w'"),
        ],
        IGNORECASE,
    ),
    (
        r"(?:^|[.!?\n])\s*\S|(?<![\w'])I(?:'[a-z]+|m)?(?![\w'])",
        [Alternative(r"(?:^|[.!?\n])\s*\S"), Alternative(r"I(?:'[a-z]+|m)?", r"\w'", r"\w'")],
        0,
    ),
    (
        r"(?<!\w)(?:sat|at\s+\d{1,2}(?::[0-5]\d)?(?![\d/:])|\d{1,2}/\d{1,2})(?!\w)",
        [
            Alternative("sat", r"\w", r"\w"),
            Alternative(r"at\s+\d{1,2}(?::[0-5]\d)?", r"\w", r"\w/:"),
            Alternative(r"\d{1,2}/\d{1,2}", r"\w", r"\w"),
        ],
        IGNORECASE,
    ),  # fmt: skip
]
_WORDY = st.lists(
    st.sampled_from(["sat", "scar", "scars", "acne", "name", "my", "is", "i'm", "it's", "I", "I'm", "Im", "at", "4",
                     "4:30", "4/5", ":", "x", "é", "'", " ", " ", "  ", ".", "!", "\n", "-", "_", "\u0345"]),
    max_size=14,
).map("".join)  # fmt: skip


@pytest.mark.parametrize("lookaround, alternatives, flags", _DELIMITED)
@settings(max_examples=400, deadline=None)
@given(text=st.one_of(_WORDY, _TEXT))
def test_delimited_finds_what_re_finds_with_lookaround(lookaround, alternatives, flags, text):
    ours, theirs = Delimited(alternatives, flags), re.compile(lookaround, flags)
    assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)]
    assert ours.sub(" ", text) == theirs.sub(" ", text)
    for found, expected in zip(ours.finditer(text), theirs.finditer(text)):
        assert found.group() == expected.group()
        for name in theirs.groupindex:
            assert found.group(name) == expected.group(name)


def test_registered_lists_the_patterns_in_use():
    pattern = patterns.compile(r"fever")
    assert pattern in patterns.registered()
