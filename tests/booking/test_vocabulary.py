"""The word lists hold together: keys are folded, names stay possible, labels fit."""

from bot.booking.vocabulary import CONCERNS, NON_NAME_WORDS, TIME_WORDS, word_key


def test_word_key_folds_case_apostrophes_and_periods():
    assert word_key("I'm") == "im"
    assert word_key("OK.") == "ok"


def test_lists_are_stored_as_keys():
    assert all(word == word_key(word) for word in NON_NAME_WORDS)


def test_time_words_are_never_names_but_common_first_names_are_not_listed():
    assert TIME_WORDS <= NON_NAME_WORDS
    assert {"saturdays", "morning", "tomorrow"} <= NON_NAME_WORDS
    assert not {"will", "may", "june", "april", "grace", "hope", "guy", "son", "sun", "sat"} & NON_NAME_WORDS


def test_all_concern_labels_together_fit_the_200_character_slot():
    assert len(", ".join(CONCERNS)) <= 200
