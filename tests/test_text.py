"""Text is compared as a person reads it."""

from bot.text import normalize


def test_normalize_folds_quotes_case_and_space():
    assert normalize("  I CAN\u2019T\n\tbreathe ") == "i can't breathe"


def test_normalize_straightens_long_dashes_and_accepts_none():
    assert normalize("at home\u2014the best") == "at home-the best"
    assert normalize(None) == ""
