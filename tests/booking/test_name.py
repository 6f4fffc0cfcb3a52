"""Names are validated strictly and read only where the patient clearly gives one."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.booking.name import corrected_name, find_name, locate_name, validate_name


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  sam   patel ", "Sam Patel"),
        ("jordan lee", "Jordan Lee"),
        ("o\u2019brien", "O'Brien"),
        ("mary-jane smith", "Mary-Jane Smith"),
        ("McDonald", "McDonald"),
        ("Maria de la Cruz", "Maria de la Cruz"),
        ("SAM PATEL", "SAM PATEL"),
        ("Maria Gonzalez.", "Maria Gonzalez"),
        ("J. R. Smith", "J. R. Smith"),
        ("Sammy Davis Jr.", "Sammy Davis Jr."),
        ("José Núñez", "José Núñez"),
        ("jose\u0301", "José"),  # composed, so the accent is not a separate mark
        ("\u674e\u534e", "\u674e\u534e"),  # Chinese: no case to change
        ("\u0645\u062d\u0645\u062f", "\u0645\u062d\u0645\u062f"),
        ("Al", "Al"),
        ("x" * 60, "X" + "x" * 59),
    ],
)
def test_valid_names_are_cleaned(raw, expected):
    assert validate_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "", "   ", "J", "x" * 61, "one two three four five six", "<b>Sam</b>", "Sam \U0001F600", "Sam2", "R2D2",
        "Sam\x00Lee", "Sam\tLee", "Sam\u200bLee", "yes", "no", "ok", "hi", "hello", "thanks", "sure", "not sure",
        "book", "appointment", "consultation", "microneedling", "CIT", "pregnant", "monday", "mornings", "weekend",
        "tomorrow", "Sam @home", "- -", "Sam _Lee",
    ],
)  # fmt: skip
def test_invalid_names_are_none(raw):
    assert validate_name(raw) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my name is Jordan Lee", "Jordan Lee"),
        ("My name's Sam.", "Sam"),
        ("name: sam patel", "Sam Patel"),
        ("Name:Sam", "Sam"),
        ("hi, I'm Priya Shah, phone 646-555-0123", "Priya Shah"),
        ("I am Maria Gonzalez and I'd like Saturdays", "Maria Gonzalez"),
        ("this is Maria calling about booking", "Maria"),
        ("sure it's Alex Morgan", "Alex Morgan"),
        ("you can call me Sam", "Sam"),
        ("hi im sam patel", "Sam Patel"),
        ("my names jordan", "Jordan"),
        ("I\u2019m Se\u00e1n O\u2019Brien", "Se\u00e1n O'Brien"),
        ("I'm not sure, but my name is Sam", "Sam"),
        ("My name is Li Sun. Saturdays are best", "Li Sun"),
        ("my name is Sam 617-555-0142", "Sam"),
        ("my name is Sam but call me tmrw", "Sam"),
        ("Please book me a consult: I'm Priya Shah, phone 646-555-0123, Saturdays are best", "Priya Shah"),
    ],
)
def test_names_after_a_cue(text, expected):
    assert find_name(text, asked=False) == expected
    assert find_name(text, asked=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm free on Saturdays", "I'm not sure", "it's 617-555-0142", "I am pregnant", "I'm interested",
        "I'm nervous about CIT", "this is for my daughter", "this is Sam's mom", "It's Monday", "call me at 5pm",
        "call me anytime", "I'm 42", "I'm a new patient", "my name is <b>Sam</b>",
    ],
)  # fmt: skip
def test_a_cue_followed_by_a_non_name_is_none(text):
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jordan Lee", "Jordan Lee"),
        ("sam", "Sam"),
        ("Maria Gonzalez.", "Maria Gonzalez"),
        ("ok, Jordan", "Jordan"),
        ("Jordan Lee here", "Jordan Lee"),
        ("617-555-0142, Sam Patel", "Sam Patel"),
        ("April", "April"),
    ],
)
def test_bare_answers_count_only_when_asked(text, expected):
    assert find_name(text, asked=True) == expected
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sam Patel, 617-555-0142", "Sam Patel"),
        ("I want to book microneedling. Priya Raman 408 555 0119 thursday evening", "Priya Raman"),
        ("I'd like to schedule CIT - Olumide Bankole, olumide.bankole@example.com", "Olumide Bankole"),
        ("Book CIT. J. Okafor. 617-555-0177. Fri PM.", "J. Okafor"),
        # a writer who capitalizes nothing is read in lower case
        ("sam patel, 617-555-0142", "Sam Patel"),
        ("sweet book me in. nadia farah 281 555 0155 sat mornings", "Nadia Farah"),
        ("booking for my mom she dont text. rosa delgado, her cell 915 555 0172", "Rosa Delgado"),
        # the area code's bracket stands between the name and the number as read
        ("Great, book me in please: Sofia Marchetti, (305) 555-0184, Saturday mornings ideally", "Sofia Marchetti"),
    ],
)
def test_a_capitalized_name_right_before_a_contact_is_read_whatever_was_asked(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text",
    [
        "book me Thursday Evening 617 555 0100",  # no clause boundary before the words
        "call me back on 617 555 0100",  # conversation words, not a name
        "Please Call Me Back Soon: 617 555 0100",
        "im sold! book me in, 617 555 0100",
        "Saturday Morning, 617 555 0100",  # time words are never names
    ],
)
def test_words_before_a_contact_are_no_name_without_capitals_a_boundary_or_name_words(text):
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Nome: Larissa Duarte, celular 617-555-0134", "Larissa Duarte"),
        ("Nombre: Ana Ruiz", "Ana Ruiz"),
        ("his name Ramon Dizon, number 510 555 0187", "Ramon Dizon"),
        ("my phone is 617-555-0105, name Lucía", "Lucía"),
        ("ok my numbr 915 555 0126 name is Ana", "Ana"),
    ],
)
def test_labels_in_other_languages_and_a_bare_name_cue(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Howya, I'm wanting to book in",
        "Thursday afternoons work best, I'm done with classes by 1",
        "it's free on Mondays",
    ],
)
def test_a_state_after_i_am_is_no_name(text):
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text",
    ["yes that's all correct", "Saturdays", "no thanks", "why do you need it", "<b>Sam</b>", "Sam\U0001f600", "12"],
)
def test_bare_non_names_are_none_even_when_asked(text):
    assert find_name(text, asked=True) is None


def test_locate_name_gives_the_span_with_its_cue():
    text = "Hi, I'm Sam Lee and Saturdays are best"
    found = locate_name(text, asked=False)
    assert (found.name, text[slice(*found.span)]) == ("Sam Lee", "I'm Sam Lee")


_NAME_CHARACTERS = st.characters(
    whitelist_categories=("Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd", "Po", "Pd", "Zs", "So", "Cc", "Cf")
)
_PIECES = st.one_of(
    st.text(_NAME_CHARACTERS, max_size=20),
    st.sampled_from(
        ["'", "\u2019", '"', "<b>", "</b>", "<script>", "\U0001f600", "\U0001f469\u200d\U0001f4bb", "-", "."]
    ),
    st.sampled_from(["Sam", "o'brien", "de la", "José", "McDonald", "yes", "monday", " "]),
    st.text(max_size=5).map(lambda piece: piece * 1000),
)


def _is_allowed(name: str) -> bool:
    return all(unicodedata.category(char)[0] in "LM" or char in " -'." for char in name)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_any_raw_name_is_valid_and_stable_or_none(raw):
    name = validate_name(raw)
    if name is not None:
        assert 0 < len(name) <= 60
        assert _is_allowed(name)
        assert 1 <= len(name.split(" ")) <= 5
        assert validate_name(name) == name


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join), st.booleans())
def test_any_message_gives_a_valid_name_or_none(text, asked):
    name = find_name(text, asked=asked)
    assert name is None or validate_name(name) == name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("can someone call my husband hes got qs abt it. hes mike, 602 555 0165", "Mike"),
        ("could you ring my mum? she's Brenda McLeod, her landline is 555-0101", "Brenda McLeod"),
        ("he's got questions", None),
        ("she has sensitive skin", None),
    ],
)
def test_a_relatives_name_after_hes_or_shes(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("no worries, flick me an email at jack.murphy@example.com, cheers - Jack", "Jack"),
        ("Thanks, Maria Lopez", "Maria Lopez"),
        ("regards\nDev Patel", "Dev Patel"),
        ("see you then, thanks!", None),
        ("call me tomorrow - after 5", None),
        ("love it - great", None),
        ("Thanks - see you Monday", None),
    ],
)
def test_a_message_signed_at_its_end(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ah no hang on, put it under my married name, Siobhan Brennan", "Siobhan Brennan"),
        ("actually use my maiden name: Ana Ruiz", "Ana Ruiz"),
        ("change the name to Ben Adeyemi", "Ben Adeyemi"),
        ("no, the name should be Lee Chan", "Lee Chan"),
        ("what name to use", None),
        ("is the name right?", None),
    ],
)
def test_a_correction_that_names_the_detail(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("andre 555-0154 text is best", "Andre"),
        ("Brenda McLeod, her landline is 555-0173", "Brenda McLeod"),
        ("ok 555-0154", None),
        ("Tomorrow 617-555-0154", None),
        ("book for Thursday priya 617-555-0154", None),
    ],
)
def test_one_word_before_a_contact_is_a_name_only_when_nothing_precedes_it(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text", ["That is all correct. Thank you kindly.", "thanks so much", "cheers guys", "thanks again"]
)
def test_thanks_that_sign_off_no_name(text):
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text",
    [
        "how long does numbing take",  # "ta" + "ke" was read as a sign-off and the name "Ke"
        "how much is the best package",
        "what do you love most about it",
        "is it best to wait",
        "whats the best way to book",
    ],
)
def test_a_sign_off_word_inside_a_sentence_signs_nothing(text):
    """A sign-off opens a clause ("..., thanks Ana"); inside a question it is just a word,
    and the question is answered mid-form instead of becoming the patient's name."""
    assert find_name(text, asked=True) is None
    assert find_name(text, asked=False) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("book me in pls marcus hill 773-555-0190 tuesday mornings", "Marcus Hill"),
        ("Oh, better you call me, email I don't check often. 224 555 0193", None),
        ("scratch the phone number, i never pick up unknown numbers 617-555-0188", None),
    ],
)
def test_a_name_without_a_comma_before_it_only_after_a_word_that_leads_to_one(text, expected):
    assert find_name(text, asked=False) == expected


@pytest.mark.parametrize(
    "text, current, expected",
    [
        ("oh wait my last name is spelled brookes, with an e. autocorrect smh", "Tyler Brooks", "Tyler Brookes"),
        ("her first name is actually Ana", "Anna Silva", "Ana Silva"),
        ("surname: Okafor", "Chidi", "Chidi Okafor"),
    ],
)
def test_a_corrected_part_of_the_name_replaces_only_that_part(text, current, expected):
    assert corrected_name(text, current) == expected


@pytest.mark.parametrize(
    "text, current", [("my last name is spelled brookes", None), ("whats the name of the pen", "Tyler Brooks")]
)
def test_without_a_name_or_a_corrected_part_nothing_is_corrected(text, current):
    assert corrected_name(text, current) is None


def test_a_discourse_word_before_a_contact_is_no_name():
    """ "alright. my number is 555-340-7765": the name given before stays."""
    assert find_name("alright. my number is 555-340-7765, weekday afternoons", asked=False) is None


def test_a_feeling_after_im_is_no_name():
    assert find_name("I want to book microneedling but honestly I'm terrified of needles", asked=False) is None
