"""Clauses: where a negation stops."""

from bot.screening.clauses import Clause, split_clauses


def words(text):
    return [clause.words for clause in split_clauses(text)]


def test_punctuation_and_joining_words_split():
    assert words("I'm not pregnant but my skin forms keloids; no breakouts, never") == [
        ("im", "not", "pregnant"),
        ("my", "skin", "forms", "keloids"),
        ("no", "breakouts"),
        ("never",),
    ]


def test_or_does_not_split_so_a_negation_covers_the_list():
    assert words("not pregnant or nursing") == [("not", "pregnant", "or", "nursing")]


def test_texting_n_splits_only_between_words():
    assert words("im not preggo n no zits rn") == [("im", "not", "preggo"), ("no", "zits", "rn")]
    assert words("n") == [("n",)]
    assert words("and no keloids") == [("and", "no", "keloids")]


def test_a_question_mark_is_remembered_and_empty_clauses_are_dropped():
    assert split_clauses("pregnant?? no...") == [Clause(("pregnant",), True), Clause(("no",), False)]
    assert split_clauses("  ,;! ") == []


def test_a_standalone_dash_and_ampersand_split():
    assert words("keloids - never & acne: nope") == [("keloids",), ("never",), ("acne",), ("nope",)]
