"""Plain-word phrases: how the director's word lists are read and found in messages."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.screening.phrases import ConditionWords, Phrase, PhraseSet, is_mark, tokens


def test_tokens_fold_case_apostrophes_and_curly_quotes():
    assert tokens("I\u2019m NOT preggo, don't worry!") == ["im", "not", "preggo", ",", "dont", "worry", "!"]


def test_a_dash_between_spaces_is_a_mark_but_a_hyphen_joins_nothing():
    assert tokens("keloids - never") == ["keloids", "-", "never"]
    assert tokens("acne-prone skin") == ["acne", "prone", "skin"]
    assert tokens("pregnant \u2014 no") == ["pregnant", "-", "no"]


def test_marks_and_words_are_told_apart():
    assert [is_mark(t) for t in tokens("yes, & no?!")] == [False, True, True, False, True]


def test_a_plain_phrase_matches_whole_words_only():
    phrase = Phrase.parse("Raised scars that grow")
    assert phrase == Phrase(("raised", "scars", "that", "grow"))
    words = tokens("I get raised scars that grow")
    assert phrase.end_at(words, 2) == 6
    assert phrase.end_at(words, 1) is None
    assert Phrase.parse("zit").end_at(tokens("zither"), 0) is None


def test_a_trailing_star_means_any_ending():
    phrase = Phrase.parse("pregnan*")
    assert phrase.open_ending
    assert all(phrase.end_at([word], 0) == 1 for word in ("pregnant", "pregnancy", "pregnan"))
    assert phrase.end_at(["preg"], 0) is None
    assert Phrase.parse("acne scar*").end_at(tokens("acne scarring"), 0) == 2


def test_degree_words_between_a_phrases_words_are_skipped():
    """ "cuts heal totally normal, flat little scars" says "heal normal" and "flat scars"."""
    words = tokens("cuts heal totally normal, flat little scars")
    assert PhraseSet.parse(["heal normal", "flat scars"]).spans(words) == [(1, 4), (5, 8)]
    assert Phrase.parse("skins clear").end_at(tokens("skin's pretty clear"), 0) == 3
    assert Phrase.parse("heal normal").end_at(tokens("heal not normal"), 0) is None  # only degree words
    assert Phrase.parse("acne").end_at(tokens("really acne"), 0) is None  # never before the first word


@pytest.mark.parametrize(
    "written, problem",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("preg*nant", "very end"),
        ("*", "empty"),
        ("pregnan *", "without a space"),
        ("pr*", "at least 3 letters"),
        ("pregnant?", "without punctuation"),
        ("keloids - never", "without punctuation"),
    ],
)
def test_bad_phrases_say_what_is_wrong(written, problem):
    with pytest.raises(ValueError, match=problem):
        Phrase.parse(written)


def test_a_phrase_set_names_the_bad_entry():
    with pytest.raises(ValueError, match="'p\\*'"):
        PhraseSet.parse(["pregnant", "p*"])


def test_spans_are_sorted_distinct_and_cover_every_occurrence():
    found = PhraseSet.parse(["pregnan*", "pregnant", "breast feed*", "nursing"]).spans(
        tokens("pregnant and breast feeding, nursing too; pregnancy")
    )
    assert found == [(0, 1), (2, 4), (5, 6), (8, 9)]


def test_sets_combine_and_an_empty_set_finds_nothing():
    assert PhraseSet().spans(["acne"]) == []
    combined = PhraseSet.parse(["acne"]) | PhraseSet.parse(["zit*"])
    assert combined.spans(["zits", "acne"]) == [(0, 1), (1, 2)]


def test_ignored_phrases_hide_the_condition_words_they_overlap():
    acne = ConditionWords(PhraseSet.parse(["acne", "breakout*"]), PhraseSet.parse(["acne scar*"]))
    assert acne.mentions(tokens("old acne scars but acne on my chin")) == [(4, 5)]
    assert acne.mentions(tokens("acne scarring only")) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_tokens_of_any_text_are_nonempty_words_or_marks(text):
    for token in tokens(text):
        assert token and "'" not in token and " " not in token
        assert is_mark(token) or token[0].isalnum() or token[0] == "_"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["acne", "zits", "scar", "scars", "old", "no", "x"]), max_size=30))
def test_mentions_never_overlap_an_ignored_phrase(words):
    acne = ConditionWords(PhraseSet.parse(["acne", "zit*"]), PhraseSet.parse(["acne scar*", "old acne"]))
    ignored = PhraseSet.parse(["acne scar*", "old acne"]).spans(words)
    for start, end in acne.mentions(words):
        assert words[start] in ("acne", "zits")
        assert all(end <= s or start >= e for s, e in ignored)


def test_only_a_run_of_dashes_standing_alone_is_a_mark():
    assert tokens("a -- b --c d-- -") == ["a", "--", "b", "c", "d", "-"]
