"""Whole-message carrier keywords are recognised however they are typed; questions never are."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sms.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS, Keyword, classify


@pytest.mark.parametrize("word", sorted(OPT_OUT_WORDS))
@pytest.mark.parametrize("shape", [str.upper, str.lower, str.title])
def test_each_opt_out_word_in_any_case(word, shape):
    assert classify(shape(word)) is Keyword.OPT_OUT


def test_the_carrier_word_lists_are_the_ctia_ones():
    assert OPT_OUT_WORDS == {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
    assert OPT_IN_WORDS == {"start", "unstop"}
    assert HELP_WORDS == {"help", "info"}


@pytest.mark.parametrize(
    "text",
    [
        "Stop.",
        "stop please",
        "STOP!!",
        " quit ",
        "Cancel, thanks",
        "ok END",
        "\tunsubscribe\n",
        "Stop now pls",
        "'STOP'",
        "\u2018stop\u2019",
        '"stop"',
        "\uff33\uff34\uff2f\uff30",
        "STOP \U0001f64f",
        "stop...",
    ],
)
def test_opt_out_words_with_punctuation_whitespace_and_courtesy(text):
    assert classify(text) is Keyword.OPT_OUT


@pytest.mark.parametrize("text", ["START", "start please", "Unstop!", " unstop "])
def test_start_and_unstop_opt_back_in(text):
    assert classify(text) is Keyword.OPT_IN


@pytest.mark.parametrize("text", ["HELP", "help!", "Info?", "info please"])
def test_help_and_info_ask_who_is_texting(text):
    assert classify(text) is Keyword.HELP


@pytest.mark.parametrize(
    "text",
    [
        "please stop texting me",
        "don't text me anymore",
        "don\u2019t text me anymore",
        "Do not message this number",
        "no more messages please",
        "No more texts!",
        "unsubscribe me",
        "take me off your list",
        "remove my number from the list",
        "opt me out",
        "Stop sending me messages",
    ],
)
def test_sentences_asking_to_stop_texting_opt_out(text):
    assert classify(text) is Keyword.OPT_OUT


@pytest.mark.parametrize(
    "text",
    [
        "how do I stop the redness",
        "when does the flaking end",
        "I need help with aftercare",
        "can I cancel my appointment",
        "more info on PRP",
        "should I stop retinol before treatment",
        "help me",
        "stop stop",
        "start date?",
        "yes",  # Twilio's YES opt-in is deliberately not ours: it answers the booking read-back
        "YES",
        "please",
        "thank you",
        "",
        "   ",
        "2",
    ],
)
def test_questions_and_answers_that_contain_the_words_are_not_keywords(text):
    assert classify(text) is None


# Words a patient's question is made of: none of them asks to stop texting.
_QUESTION_WORDS = [
    "how",
    "when",
    "does",
    "do",
    "i",
    "my",
    "the",
    "redness",
    "flaking",
    "retinol",
    "treatment",
    "appointment",
    "aftercare",
    "can",
    "should",
    "before",
    "after",
    "skin",
    "with",
    "on",
    "prp",
]
_KEYWORDS = sorted(OPT_OUT_WORDS | OPT_IN_WORDS | HELP_WORDS)


@given(
    words=st.lists(st.sampled_from(_QUESTION_WORDS), min_size=1, max_size=8),
    keyword=st.sampled_from(_KEYWORDS),
    position=st.integers(min_value=0, max_value=8),
    upper=st.booleans(),
)
def test_a_keyword_inside_a_question_is_never_a_keyword(words, keyword, position, upper):
    words.insert(min(position, len(words)), keyword.upper() if upper else keyword)
    assert classify(" ".join(words) + "?") is None


@given(
    keyword=st.sampled_from(_KEYWORDS),
    before=st.text(alphabet=" .,!?-\t\n\"'", max_size=4),
    after=st.text(alphabet=" .,!?-\t\n\"'", max_size=4),
    filler=st.lists(st.sampled_from(["please", "thanks", "thank you", "now", "ok"]), max_size=2),
    shape=st.sampled_from([str.upper, str.lower, str.title]),
)
def test_a_keyword_alone_survives_any_punctuation_and_courtesy(keyword, before, after, filler, shape):
    expected = (
        Keyword.OPT_OUT if keyword in OPT_OUT_WORDS else Keyword.OPT_IN if keyword in OPT_IN_WORDS else Keyword.HELP
    )
    text = " ".join([before + shape(keyword) + after, *filler])
    assert classify(text) is expected
