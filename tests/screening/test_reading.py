"""Reading one condition in context: negation, hedges, short answers, definitions."""

import pytest

from bot.screening.clauses import split_clauses
from bot.screening.phrases import PhraseSet
from bot.screening.reading import AnswerWords, Reader, Reading, settle

HAS, HAS_NOT, UNCLEAR, ASKS_MEANING = Reading.HAS, Reading.HAS_NOT, Reading.UNCLEAR, Reading.ASKS_MEANING

READER = Reader(
    AnswerWords(
        yes=PhraseSet.parse(["yes", "y", "i am", "i do"]),
        no=PhraseSet.parse(["no", "nope", "n", "never", "not anymore", "i am not", "none"]),
        unsure=PhraseSet.parse(["maybe", "not sure", "no idea", "might", "confused"]),
    )
)
CONDITION = PhraseSet.parse(["pregnan*", "keloid*", "breakout*"])


def read(text):
    """The reading of the first condition word in `text`."""
    clauses = [READER.cues(clause) for clause in split_clauses(text)]
    for index, cues in enumerate(clauses):
        for span in CONDITION.spans(cues.clause.words):
            return READER.mention(clauses, index, span)
    raise AssertionError(f"no condition in {text!r}")


def answer(text, no_words=("clear",)):
    clauses = [READER.cues(clause) for clause in split_clauses(text)]
    return READER.answer(clauses, PhraseSet.parse(no_words))


@pytest.mark.parametrize(
    "text, reading",
    [
        ("I'm pregnant", HAS),
        ("is microneedling safe during pregnancy?", HAS),
        ("I'm not pregnant", HAS_NOT),
        ("never had keloids", HAS_NOT),
        ("I don't get breakouts", HAS_NOT),
        ("I dont get breakouts", HAS_NOT),
        ("I used to get breakouts", HAS_NOT),
        ("not pregnant or anything like that", HAS_NOT),
        # a negation stops where a new thought starts
        ("I haven't done it since I'm pregnant", HAS),
        ("can't I do it if I'm pregnant", HAS),
        # rhetorical questions and "why not" deny nothing
        ("isn't it unsafe for pregnant women?", HAS),
        ("why can't pregnant women do it?", HAS),
        # hedges make it unclear, even across "if"
        ("I might be pregnant", UNCLEAR),
        ("not sure if I'm pregnant", UNCLEAR),
        ("no idea whether I get keloids", UNCLEAR),
        ("not sure, but I'm pregnant", HAS),
        # asking what it is
        ("what's a keloid", ASKS_MEANING),
        ("what are keloids?", ASKS_MEANING),
        ("keloids?", ASKS_MEANING),
    ],
)
def test_a_mention_is_read_in_its_clause(text, reading):
    assert read(text)[0] is reading


@pytest.mark.parametrize(
    "text, reading, took_next",
    [
        ("pregnant? no", HAS_NOT, True),
        ("keloids - never", HAS_NOT, True),
        ("breakouts: nope", HAS_NOT, True),
        ("pregnant, not anymore", HAS_NOT, True),
        ("pregnant not anymore", HAS_NOT, False),
        ("keloids? yes", HAS, True),
        ("pregnant? maybe", UNCLEAR, True),
        # the next clause is only an answer when it is nothing but answer words
        ("I get keloids, never had breakouts", HAS, False),
        ("I'm pregnant. No breakouts", HAS, False),
    ],
)
def test_a_short_answer_right_after_a_condition_decides(text, reading, took_next):
    assert read(text) == (reading, took_next)


@pytest.mark.parametrize(
    "text, reading, took_next",
    [
        ("breakouts I don't have since teenager", HAS_NOT, False),
        ("keloids, I've never had", HAS_NOT, True),
        ("pregnant I am not", HAS_NOT, False),
        ("breakouts I have, lots", HAS, False),
        ("breakouts I don't have but the other yes", HAS_NOT, False),
        ("I get keloids, never had breakouts", HAS, False),  # the denial has its own object
    ],
)
def test_a_denial_right_after_the_condition_denies_it(text, reading, took_next):
    assert read(text) == (reading, took_next)


@pytest.mark.parametrize(
    "text, reading",
    [
        ("yes", HAS),
        ("Yes I am", HAS),
        ("I am", HAS),
        ("nope", HAS_NOT),
        ("not anymore", HAS_NOT),
        ("I am not", HAS_NOT),
        ("nope, never", HAS_NOT),
        ("no lol whatever", HAS_NOT),
        ("n", HAS_NOT),
        ("maybe", UNCLEAR),
        ("not sure", UNCLEAR),
        ("I am confused", UNCLEAR),
        ("yes and no", UNCLEAR),
        ("my skin is clear", HAS_NOT),
        ("my skin isn't clear", HAS),
        ("no, skin is clear", HAS_NOT),
    ],
)
def test_a_clause_naming_nothing_answers_the_question_asked(text, reading):
    assert answer(text) is reading


@pytest.mark.parametrize(
    "text",
    ["hmm", "", "what do you mean?", "yes?", "I am 25", "y do you ask", "the nurse said I do"],
)
def test_questions_and_chatter_are_not_answers(text):
    assert answer(text) is None


@pytest.mark.parametrize(
    "readings, fact",
    [
        ([HAS_NOT, HAS], True),
        ([HAS_NOT, UNCLEAR], None),
        ([HAS_NOT, ASKS_MEANING], None),
        ([HAS_NOT, HAS_NOT], False),
        ([], None),
    ],
)
def test_settle_prefers_has_it_then_unclear(readings, fact):
    assert settle(readings) is fact


def test_the_longer_answer_word_wins_over_the_one_inside_it():
    words = ("i", "am", "not")
    assert READER.answers.spans(words) == [(0, 3, HAS_NOT)]
