"""Text is compared as a person reads it."""

from datetime import timedelta

import pytest

from bot.text import normalize, waited


def test_normalize_folds_quotes_case_and_space():
    assert normalize("  I CAN\u2019T\n\tbreathe ") == "i can't breathe"


def test_normalize_straightens_long_dashes_and_accepts_none():
    assert normalize("at home\u2014the best") == "at home-the best"
    assert normalize(None) == ""


@pytest.mark.parametrize(
    "seconds, said",
    [(0, "under a minute"), (59, "under a minute"), (60, "1 min"), (59 * 60, "59 min"), (3600, "1 h"),
     (3600 + 5 * 60, "1 h 5 min"), (23 * 3600 + 59 * 60, "23 h 59 min"), (24 * 3600, "1 day"), (3 * 86400 + 5, "3 days")],
)  # fmt: skip
def test_a_wait_reads_as_staff_say_it(seconds, said):
    assert waited(timedelta(seconds=seconds)) == said
