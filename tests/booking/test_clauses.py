"""Messages are cut into clauses the way a reader splits them, and blanking keeps offsets."""

import pytest

from bot.booking.clauses import MAX_SCAN, blank, cap, clause_end, clauses, prepare, tidy


def test_prepare_caps_folds_and_keeps_only_line_breaks():
    assert prepare("I\u2019m\tSam\r\nSat\x00urday\u200b") == "I'm Sam\nSat urday "
    assert len(prepare("x" * 10_000)) == MAX_SCAN
    assert prepare(None) == ""


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I'm Priya Shah, phone 646, Saturdays", ["I'm Priya Shah", " phone 646", " Saturdays"]),
        ("a; b! c? d\ne", ["a", " b", " c", " d", "e"]),
        ("consult: I'm Sam", ["consult", " I'm Sam"]),
        ("at 14:30. Thanks", ["at 14:30", " Thanks"]),
        ("J. R. Smith", ["J. R. Smith"]),
        ("Dec. 3 at 10 a.m. please", ["Dec. 3 at 10 a.m. please"]),
        ("Sam,Lee. Bye", ["Sam", "Lee", " Bye"]),
        ("Maria Gonzalez.", ["Maria Gonzalez", ""]),
    ],
)
def test_clauses(text, expected):
    assert clauses(text) == expected


def test_clause_end_is_the_next_cut_or_the_end():
    assert clause_end("I'm Sam, hi", 4) == 7
    assert clause_end("I'm Sam", 4) == 7


def test_blank_keeps_offsets_and_ends_the_clause():
    text = "call 617-555-0142 tomorrow"
    blanked = blank(text, [(5, 17)])
    assert len(blanked) == len(text)
    assert [tidy(piece) for piece in clauses(blanked)] == ["call", "tomorrow"]


@pytest.mark.parametrize(
    "piece, expected",
    [(" and  Saturdays are best ", "Saturdays are best"), (", : ", ""), ("but - mornings;", "mornings")],
)
def test_tidy(piece, expected):
    assert tidy(piece) == expected


def test_cap_cuts_at_a_word_boundary():
    assert cap("short", 200) == "short"
    assert cap("one two three", 8) == "one two"
    assert cap("x" * 300, 200) == "x" * 200
