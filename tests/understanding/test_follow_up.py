"""Follow-ups read with the previous message (bot.understanding.follow_up)."""

from types import SimpleNamespace

import pytest

from bot.understanding.follow_up import (
    OWN_CONFIDENCE,
    RIVAL_SHARE,
    TOPIC_AFFINITY,
    asks_about_it,
    context_wins,
    looks_like_follow_up,
    names_nothing,
    previous_topic,
    puts_a_case,
)


@pytest.mark.parametrize(
    "text",
    [
        "is it vegan tho",
        "how far apart",
        "and the needling part itself?",
        "Thank you. And is that normal, then?",
        "what about a chem peel",
        "How long does that have to sit on?",
        "how long does that stay on",
        "how much a year",
    ],
)
def test_follow_ups_lean_on_what_came_before(text):
    assert looks_like_follow_up(text)


@pytest.mark.parametrize(
    "text",
    [
        "how long does the redness last after microneedling",
        "/faq_pain",
        "",
        "what is the weather going to be like in chicago this weekend and do I need to bring an umbrella to the game on sunday",
    ],
)
def test_questions_of_their_own_are_not_follow_ups(text):
    assert not looks_like_follow_up(text)


def test_the_topic_wins_only_when_the_message_leans_to_it_and_is_unsure_of_its_own():
    lean = TOPIC_AFFINITY
    assert context_wins("out_of_scope", 0.95, "faq_red_light", lean)  # "does it get hot tho i hate heat lamps"
    assert not context_wins("out_of_scope", 0.95, "faq_skincare", lean / 2)  # "what is this song name"
    assert not context_wins("deny", OWN_CONFIDENCE, "faq_skincare", 0.3)  # "no": an act of its own
    assert context_wins("deny", 0.58, "faq_skincare", lean)  # "n no parabens?"
    assert not context_wins("faq_procedure", 0.755, "faq_numbing", 0.0)  # "and the needling part itself?"
    assert not context_wins("out_of_scope", 0.3, "request_booking", 0.4)  # forms never start from context
    assert not context_wins("ask_other_health", 0.6, "faq_device", 0.3)  # "i have a rash, what can i use"
    assert not context_wins("red_flag_urgent", 0.6, "aftercare_redness", 0.3)  # "mine is spreading tho"


def test_a_topic_the_message_leans_to_but_is_unsure_of_wins_outright():
    assert context_wins(
        "faq_skincare", 0.12, "faq_skincare", 0.12
    )  # "ok. it is vegan? I dont use nothing from animals"
    assert not context_wins("faq_skincare", 0.9, "faq_skincare", 0.9)  # sure already: nothing to change


def test_a_close_rival_topic_beats_the_own_answer():
    assert context_wins("ask_price", 0.53, "faq_collagen_loss", 0.35)  # "How much of it per year?"
    assert not context_wins("ask_price", 0.81, "faq_device", RIVAL_SHARE * 0.81 - 0.01)  # "what about the price?"


@pytest.mark.parametrize(
    "text",
    [
        "ok how long does that take",
        "what happens at that?",
        "so when can I?",
        "how often?",
        "how long does it go on for",
        "how long does that stay on",
    ],
)
def test_questions_with_no_words_of_their_own_name_nothing(text):
    assert names_nothing(text)


@pytest.mark.parametrize(
    "text",
    [
        "and the needling part itself?",
        "is it vegan tho",
        "how long does it take to boil an egg",
        "no",
        "ok so",
        "how many days did i take off",
    ],  # units of time name something: CLINC150's time-off queries
)
def test_questions_with_words_of_their_own_name_something(text):
    assert not names_nothing(text)


def test_a_question_that_names_nothing_is_the_topics_unless_it_asks_an_aspect_of_anything():
    assert context_wins("faq_procedure", 0.61, "faq_numbing", 0.01, nameless=True)  # "ok how long does that take"
    assert not context_wins("faq_procedure", 0.61, "faq_numbing", 0.01)  # the same reading with words of its own
    assert not context_wins("faq_pain", 0.99, "faq_device", 0.0, nameless=True)  # "does it hurt?"
    assert not context_wins("faq_frequency", 0.99, "faq_skincare", 0.0, nameless=True)  # "how often?"
    assert context_wins("out_of_scope", 0.75, "faq_pain", 0.0, nameless=True)  # "how long does it go on for"
    assert not context_wins("deny", 0.9, "faq_pain", 0.0, nameless=True)


def test_a_question_the_article_does_not_cover_is_the_missing_context():
    assert context_wins("faq_not_covered", 0.59, "aftercare_first_48h", 0.07)  # "so when can I?" after makeup
    assert not context_wins("faq_not_covered", 0.59, "aftercare_first_48h", TOPIC_AFFINITY / 2)


def test_a_judgement_on_what_was_just_said_needs_no_lean():
    assert asks_about_it("ugh. is that bad??") and asks_about_it("is it normal?")
    assert asks_about_it("should I worry") and asks_about_it("ok do i need to be worried about that?")
    assert asks_about_it("is that something to worry about")
    assert not asks_about_it("is it going to rain") and not asks_about_it("is that bad, my face is swelling and hot")
    assert not asks_about_it("should i worry about my mole")
    assert context_wins("ask_other_health", 0.6, "aftercare_flaking", 0.0, judgement=True)
    assert not context_wins("red_flag_urgent", 0.6, "aftercare_flaking", 0.0, judgement=True)
    assert not context_wins("faq_pain", 0.9, "aftercare_flaking", 0.0, judgement=True)


def _latest(intent, **parse_data):
    return SimpleNamespace(latest_message=SimpleNamespace(intent={"name": intent}, parse_data=parse_data))


def test_the_topic_is_what_the_previous_message_was_answered_with():
    assert previous_topic(_latest("faq_skincare")) == "faq_skincare"
    assert (
        previous_topic(_latest("ask_two_questions", questions=["faq_pain", "aftercare_redness"])) == "aftercare_redness"
    )
    assert previous_topic(_latest("check_eligibility")) == "faq_contraindications"  # the rules, not a new screening
    assert previous_topic(_latest("deny")) is None and previous_topic(_latest("request_booking")) is None
    assert previous_topic(None) is None


def test_a_price_question_passes_the_topic_on():
    """ "does that cost anything?" after the consultation answer, then "and what happens at it?"."""
    consult = SimpleNamespace(type_name="user", intent={"name": "faq_consultation"}, parse_data={})
    price = SimpleNamespace(type_name="user", intent={"name": "ask_price"}, parse_data={})
    bot = SimpleNamespace(type_name="bot")
    tracker = SimpleNamespace(latest_message=price, events=[consult, bot, price])
    assert previous_topic(tracker) == "faq_consultation"
    assert previous_topic(SimpleNamespace(latest_message=price, events=[price])) == "ask_price"  # asked first


@pytest.mark.parametrize(
    "text",
    [
        "noooo. what about a peel instead, same deal?",
        "And what about a laser session? Is it the same rule for that?",
        "does that apply to peels too",
    ],
)
def test_asking_whether_the_answer_holds_elsewhere_needs_no_lean(text):
    assert asks_about_it(text)
    assert context_wins("faq_contraindications", 0.28, "aftercare_other_treatments", 0.0, judgement=True)


def test_a_case_put_to_an_answer_that_differs_by_case_is_that_answers():
    assert puts_a_case("and if is for acne scars? i have many from when i was teenager")
    assert puts_a_case("My son has quite a lot of acne scarring on his cheeks. Would that change things for him?")
    assert not puts_a_case("what can it help with")
    assert context_wins("faq_skin_concerns", 0.89, "faq_frequency", 0.02, case=True)
    assert not context_wins("faq_skin_concerns", 0.89, "faq_frequency", 0.02)  # "what else can it treat?"
    assert not context_wins(
        "faq_skin_concerns", 0.89, "faq_pain", 0.02, case=True
    )  # the pain answer is the same for all
