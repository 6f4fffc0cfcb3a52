"""Say it once: a warning given earlier in the session is referred to, not repeated."""

import asyncio

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.clinic_profile import ClinicProfile
from bot.rasa_server.nlg import ClinicNLG
from bot.rasa_server.say_once import SAY_ONCE_FILE, load_warnings, said_once
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
CLINIC = ClinicProfile(name="Demo Skin", phone="555-0100")


def _say(nlg: ClinicNLG, response: str, tracker: DialogueStateTracker) -> str:
    text = asyncio.run(nlg.generate(response, tracker, "rest"))["text"]
    tracker.update(BotUttered(text))
    return text


def test_every_warning_sentence_is_in_a_response():
    texts = [variant.get("text") or "" for variants in DOMAIN.responses.values() for variant in variants]
    for warning in load_warnings():
        for sentence in warning.sentences:
            assert any(sentence in text for text in texts), f"{warning.name}: {sentence!r} is in no response"


def test_the_second_time_a_warning_comes_it_is_only_referred_to():
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted(), UserUttered("how long am i red")])
    first = _say(nlg, "utter_aftercare_redness", tracker)
    second = _say(nlg, "utter_aftercare_flaking", tracker)  # a neighbouring answer, the same warning
    again = _say(nlg, "utter_aftercare_redness", tracker)
    assert "warning sign at any time" in first
    assert "If you notice pus" not in second and "Same warning signs as before" in second
    assert "warning sign at any time" not in again and "Same warning signs as before" in again
    assert "24-48 hours" in again  # the answer itself is still given
    assert all("555-0100" in text for text in (first, second, again))  # whom to call, every time


def test_a_new_session_hears_the_warning_in_full_again():
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted()])
    _say(nlg, "utter_aftercare_redness", tracker)
    tracker.update(SessionStarted())
    assert "warning sign at any time" in _say(nlg, "utter_aftercare_redness", tracker)


def test_the_warning_signs_answer_always_comes_in_full():
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted()])
    first = _say(nlg, "utter_ask_warning_signs", tracker)
    assert _say(nlg, "utter_ask_warning_signs", tracker) == first


def test_said_once_leaves_text_without_an_earlier_warning_alone():
    warnings = load_warnings()
    text = "It's not recommended if you're pregnant or nursing, if you have active acne (especially inflammatory or cystic acne), or if your skin forms keloids."
    assert said_once(text, ["How long will I be red?"], warnings, {}) == text
    assert said_once(text, [text], warnings, {}).startswith("As I mentioned")


def test_the_file_names_sentences_and_a_short_form_for_each_warning():
    raw = yaml.safe_load(SAY_ONCE_FILE.read_text(encoding="utf-8"))
    for name, entry in raw["warnings"].items():
        assert entry["sentences"] and entry["again"], name


def test_an_answer_asked_for_twice_in_a_row_offers_the_team():
    """ "who makes that pen?" after the device answer: the answer again, and the team for more."""
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted()])
    first = _say(nlg, "utter_faq_device", tracker)
    again = _say(nlg, "utter_faq_device", tracker)
    third = _say(nlg, "utter_faq_device", tracker)
    assert "That's all the information I have" not in first
    assert again.startswith(first) and "That's all the information I have" in again and "555-0100" in again
    assert third == again  # not a growing chain of notes


def test_an_answer_repeated_with_a_shortened_warning_still_offers_the_team():
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted()])
    _say(nlg, "utter_aftercare_redness", tracker)
    again = _say(nlg, "utter_aftercare_redness", tracker)
    assert "Same warning signs as before" in again and "That's all the information I have" in again


def test_an_answer_after_another_one_or_a_form_question_twice_gets_no_note():
    nlg = ClinicNLG(domain=DOMAIN, clinic=CLINIC)
    tracker = DialogueStateTracker.from_events("p", [SessionStarted()])
    _say(nlg, "utter_faq_device", tracker)
    _say(nlg, "utter_faq_pain", tracker)
    assert "That's all the information I have" not in _say(nlg, "utter_faq_device", tracker)
    _say(nlg, "utter_ask_warning_signs", tracker)
    assert "That's all the information I have" not in _say(nlg, "utter_ask_warning_signs", tracker)
