"""The clinic's screening texts follow the clinic's rules (clinic/screening.yml).

The texts are the medical director's; these checks keep them safe to send: nothing
promises a result, every outcome points to the consultation, nothing states a number or
product the clinic's article does not, and everything fits a phone screen.
"""

import re

import pytest
import yaml

from bot.facts import ARTICLE_FILE, claims
from bot.screening import CANDIDATE, NEEDS_REVIEW, NOT_RECOMMENDED, SLOTS, Screening, load_screening
from bot.settings import PROJECT_ROOT

MAX_CHARS = 380
PROMISES = re.compile(r"\b(approved?|cleared|guarantee\w*|definite\w*|certain(ly)?|safe for you)\b", re.I)
ALL_NO = {slot: False for slot in SLOTS}


@pytest.fixture(scope="module")
def screening() -> Screening:
    return load_screening(PROJECT_ROOT / "clinic" / "screening.yml")


def every_text(screening):
    """Everything the bot can say from the file, with the longest review sentence."""
    texts = {"intro": screening.intro}
    for question in screening.questions:
        texts[f"{question.slot}.ask"] = question.ask
        texts[f"{question.slot}.reask"] = question.reask
        texts[f"{question.slot}.not_recommended"] = screening.outcome({question.slot: True}).messages[0]
    candidate = screening.outcome(ALL_NO).messages
    texts["candidate"], texts["booking_offer"] = candidate
    every_condition = [condition.key for condition in screening.labeling_conditions]
    texts["review (all conditions)"] = screening.outcome(ALL_NO, review=every_condition).messages[0]
    return texts


def test_every_text_fits_a_phone_screen_and_promises_nothing(screening):
    for name, text in every_text(screening).items():
        assert len(text) <= MAX_CHARS, f"{name} has {len(text)} characters"
        assert not PROMISES.search(text), f"{name} promises a result: {PROMISES.search(text).group(0)!r}"


def test_no_number_or_product_the_article_does_not_state(screening):
    article = claims(ARTICLE_FILE.read_text(encoding="utf-8"))
    for name, text in every_text(screening).items():
        assert not re.search(r"\d", text), f"{name} states a number"
        assert claims(text) <= article, f"{name} states {sorted(claims(text) - article)}"


def test_the_intro_says_a_provider_confirms_at_the_complimentary_consultation(screening):
    assert "provider" in screening.intro and "complimentary consultation" in screening.intro


def test_each_question_asks_one_thing_and_the_reask_invites_a_yes_or_no(screening):
    for question in screening.questions:
        assert question.ask.count("?") == 1, question.slot
        assert "yes or no" in question.reask, question.slot
        assert question.label and len(question.label) <= 40


def test_the_keloid_question_explains_what_a_keloid_is(screening):
    ask = screening.question("keloids").ask
    assert "raised scar" in ask and "wound" in ask


def test_not_recommended_texts_advise_waiting_or_a_consultation_without_a_verdict_word(screening):
    for slot in SLOTS:
        outcome = screening.outcome({slot: True})
        assert outcome.kind == NOT_RECOMMENDED
        (text,) = outcome.messages
        assert not re.match(r"\W*(yes|yeah|yep|sure|no|nope)\b", text, re.I), slot
        assert "isn't recommended" in text, slot
        assert "wait" in text or "consultation" in text, slot


def test_the_candidate_text_is_a_maybe_confirmed_at_the_consultation(screening):
    outcome = screening.outcome(ALL_NO)
    assert outcome.kind == CANDIDATE
    candidate, offer = outcome.messages
    assert "may be a good candidate" in candidate
    assert "complimentary consultation" in candidate
    assert "medications" in candidate and "medical history" in candidate
    assert "consultation" in offer and offer.endswith("?")


def test_the_review_text_leaves_the_decision_to_a_provider(screening):
    outcome = screening.outcome(ALL_NO, review=["isotretinoin"])
    assert outcome.kind == NEEDS_REVIEW
    text = outcome.messages[0]
    assert "isotretinoin (Accutane)" in text and "provider" in text and "consultation" in text
    assert not re.search(r"\b(yes|no)\b", text, re.I)


@pytest.mark.parametrize(
    "text, slot",
    [
        *[(word, "pregnant_or_nursing") for word in ("pregnant", "expecting", "breastfeeding", "nursing")],
        ("pumping", "pregnant_or_nursing"),
        *[(word, "active_acne") for word in ("breakouts", "cystic", "pimples", "zits", "inflamed acne")],
        *[(word, "keloids") for word in ("keloid", "raised scars that grow")],
    ],
)
def test_the_brief_example_words_name_their_condition(screening, text, slot):
    assert screening.interpret(f"I have {text}") == {slot: True}


@pytest.mark.parametrize(
    "text, key",
    [
        *[(word, "isotretinoin") for word in ("accutane", "isotretinoin", "absorica", "claravis")],
        *[
            (word, "blood_thinners")
            for word in ("blood thinners", "warfarin", "coumadin", "eliquis", "xarelto", "hemophilia")
        ],
        ("a bleeding disorder", "blood_thinners"),
        *[(word, "skin_infection") for word in ("a cold sore", "herpes", "a skin infection", "impetigo")],
        *[(word, "skin_cancer") for word in ("skin cancer", "melanoma", "basal cell", "squamous cell")],
    ],
)
def test_the_labeling_words_are_detected(screening, text, key):
    assert [c.key for c in screening.review_conditions(f"I have {text}")] == [key]


def test_the_questions_follow_the_forms_order():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["forms"]["eligibility_form"]["required_slots"] == list(SLOTS)
    text = (PROJECT_ROOT / "clinic" / "screening.yml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=yaml.BaseLoader)
    assert [q["slot"] for q in raw["questions"]] == list(SLOTS)
