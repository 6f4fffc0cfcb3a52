"""Everything the bot can say by SMS fits two text messages in the GSM-7 alphabet.

On SMS (output channel "twilio") Rasa picks a response's `channel: twilio` variant, and
the channel appends its buttons as "Reply 1: ..." lines (`bot.sms.render.sms_body`).
More than `SMS_MAX_SEPTETS` costs the patient a third message; one character outside
GSM-7 (a curly quote, a long dash, an emoji) re-encodes the whole SMS as UCS-2, 70
characters a segment. Texts the actions send themselves (screening questions and
outcomes, the booking read-back, fallback suggestions) have no channel variants, so
they are checked as the actions send them, buttons included.

Everything is rendered with worst-case realistic values: a fully filled clinic profile
with a long name, and a 40-character patient name and e-mail address.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions import booking
from actions.booking import ActionAskBookingConfirmed, ValidateBookingForm
from actions.eligibility import SCREENING_SLOTS, ActionScreeningOutcome, AskScreeningQuestion
from actions.fallback import NOT_SUGGESTED, ActionSuggestTopics, question_titles
from bot.clinic_profile import ClinicProfile
from bot.facts import FactBook, claims
from bot.opening_hours import WeeklyHours
from bot.rasa_server.nlg import ClinicNLG
from bot.screening import get_screening
from bot.settings import PROJECT_ROOT
from bot.sms.render import SMS_MAX_SEPTETS, non_gsm7, septets, sms_body
from tests.actions.conftest import DOMAIN as DOMAIN_DICT
from tests.actions.conftest import run, tracker_for

SMS = "twilio"
DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
PROFILES = {
    "profile.yml": ClinicProfile.load(PROJECT_ROOT / "clinic" / "profile.yml"),
    "full profile": ClinicProfile(
        name="Atalo Aesthetics & Skin Clinic",
        phone="+1 (555) 010-0100",
        hours="Mon-Fri 9am-6pm, Sat 10am-2pm",
        address="1234 Example Avenue, Suite 200, Springfield, IL 62701",
        website="https://www.ataloaesthetics.example",
        booking_url="https://www.ataloaesthetics.example/request-appointment",
    ),
}
PATIENT = {
    "booking_name": "Alexandra Catherine Montgomery-Whitfield",
    "booking_contact_display": "alexandra.montgomery@whitfieldclinic.com",
    "booking_time": "weekday mornings or Saturday afternoons",
}
# Safety wording an SMS answer keeps whenever its web answer has it.
SAFETY = {
    "{emergency_number}": re.compile(r"\{emergency_number\}"),
    "{clinic_contact}": re.compile(r"\{clinic_contact\}"),
    "now": re.compile(r"\bnow\b", re.I),
    "right away": re.compile(r"\bright away\b", re.I),
}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")

Condition = Tuple[Tuple[str, Any], ...]  # (slot, value) pairs; () for no condition


def condition_of(variant: Dict[str, Any]) -> Condition:
    return tuple(sorted((c["name"], c["value"]) for c in variant.get("condition") or []))


def variants(name: str, channel: Optional[str]) -> List[Dict[str, Any]]:
    return [v for v in DOMAIN.responses[name] if v.get("channel") == channel]


def payloads(variant_list: List[Dict[str, Any]]) -> set:
    return {button["payload"] for variant in variant_list for button in variant.get("buttons") or []}


def slots_for(name: str, condition: Condition) -> Dict[str, Any]:
    """The patient's slots, with the condition's values, or none matching any condition."""
    conditioned = {slot: None for variant in DOMAIN.responses[name] for slot, _ in condition_of(variant)}
    return {**PATIENT, **conditioned, **dict(condition)}


def assert_fits(what: str, text: str, titles: List[str]) -> None:
    body = sms_body(text, titles)
    assert septets(body) <= SMS_MAX_SEPTETS, f"{what}: {septets(body)} septets\n{body}"
    assert non_gsm7(body) == [], f"{what}: not GSM-7: {non_gsm7(body)}"


def assert_messages_fit(what: str, messages: List[Dict[str, Any]]) -> None:
    assert messages, f"{what}: sent nothing"
    for message in messages:
        assert_fits(what, message["text"], [b["title"] for b in message.get("buttons") or []])


RESPONSES = sorted(DOMAIN.responses)


@pytest.mark.parametrize("name", RESPONSES)
def test_every_response_has_an_sms_variant_for_each_condition(name):
    web = {condition_of(v) for v in DOMAIN.responses[name] if v.get("channel") is None}
    sms = {condition_of(v) for v in variants(name, SMS)}
    assert () in sms, f"{name} has no unconditioned `channel: {SMS}` variant"
    assert web <= sms, f"{name}: conditions without an SMS variant: {web - sms}"


def assert_sms_variants_fit(nlg: ClinicNLG, name: str) -> None:
    for condition in {condition_of(v) for v in variants(name, SMS)}:
        rendered = nlg.generate_from_slots(name, slots_for(name, condition), SMS)
        assert rendered.get("channel") == SMS and condition_of(rendered) == condition, rendered
        assert not PLACEHOLDER.search(rendered["text"]), rendered["text"]
        assert_fits(f"{name} {dict(condition)}", rendered["text"], [b["title"] for b in rendered.get("buttons") or []])


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
@pytest.mark.parametrize("name", RESPONSES)
def test_every_sms_variant_fits_two_gsm7_messages(name, profile):
    assert_sms_variants_fit(ClinicNLG(domain=DOMAIN, clinic=profile), name)


def test_sms_variants_fit_after_hours_too():
    """`{when_back}` is empty above (no opening hours); here it is at its longest."""
    clinic = dataclasses.replace(
        PROFILES["full profile"], time_zone="America/New_York", opening_hours=WeeklyHours.parse({"wed": "10:00-18:00"})
    )
    thursday = datetime(2026, 7, 2, 16, 0, tzinfo=timezone.utc)
    nlg = ClinicNLG(domain=DOMAIN, clinic=clinic, clock=lambda: thursday)
    assert nlg.when_back() == " when we're back on Wednesday at 10:00"
    for name in RESPONSES:
        assert_sms_variants_fit(nlg, name)


@pytest.mark.parametrize("name", RESPONSES)
def test_sms_buttons_offer_only_what_the_web_answer_offers(name):
    extra = payloads(variants(name, SMS)) - payloads(variants(name, None))
    assert not extra, f"{name}: SMS buttons ask {sorted(extra)}, which the web answer does not offer"


@pytest.mark.parametrize("name", RESPONSES)
def test_sms_variants_keep_the_safety_wording(name):
    for web in variants(name, None):
        for sms in variants(name, SMS):
            if condition_of(sms) != condition_of(web):
                continue
            for label, pattern in SAFETY.items():
                if pattern.search(web["text"]):
                    assert pattern.search(sms["text"]), f"{name}: the SMS answer drops {label!r}"


@pytest.mark.parametrize("name", sorted(FactBook.load().answers))
def test_sms_variants_state_every_number_and_product_of_the_web_answer(name):
    """clinic/facts.yml says what each answer rests on; the SMS answer keeps all of it."""
    web = set().union(*(claims(v["text"]) for v in variants(name, None)))
    for sms in variants(name, SMS):
        missing = web - claims(sms["text"])
        assert not missing, f"{name}: the SMS answer drops {sorted(missing)}"


# ----- texts the actions send directly -----------------------------------------


def screening_outcomes() -> Dict[str, Tuple[Dict[str, bool], List[str]]]:
    """Answers and review conditions for every kind of outcome, longest texts included."""
    every_condition = [condition.key for condition in get_screening().labeling_conditions]
    no = {slot: False for slot in SCREENING_SLOTS}
    cases = {f"{slot} yes": ({**no, slot: True}, []) for slot in SCREENING_SLOTS}
    cases["all yes, every condition"] = ({slot: True for slot in SCREENING_SLOTS}, every_condition)
    cases["candidate"] = (no, [])
    cases["needs review, every condition"] = (no, every_condition)
    return cases


@pytest.mark.parametrize("case", screening_outcomes())
def test_screening_outcomes_fit(case):
    answers, review = screening_outcomes()[case]
    tracker = tracker_for("no", "deny", slots={**answers, "screening_review": review})
    messages, _ = run(ActionScreeningOutcome(), tracker)
    assert_messages_fit(case, messages)


@pytest.mark.parametrize("unclear", [False, True], ids=["ask", "reask"])
@pytest.mark.parametrize("question", AskScreeningQuestion.__subclasses__(), ids=lambda q: q.slot)
def test_screening_questions_fit(question, unclear):
    messages, _ = run(question(), tracker_for("maybe", "inform", slots={"screening_unclear": unclear}))
    assert_messages_fit(question.slot, messages)


def test_screening_intro_fits():
    assert_fits("intro", get_screening().intro, [])


@pytest.mark.parametrize("constant", ["NAME_HELP", "CONTACT_HELP", "CONFIRM_HELP", "WHICH_DETAIL"])
def test_booking_help_texts_fit(constant):
    assert_fits(constant, getattr(booking, constant), [])


def test_the_booking_read_back_fits_with_its_buttons():
    messages, _ = run(ActionAskBookingConfirmed(), tracker_for("Saturdays", "inform", slots=dict(PATIENT)))
    assert_messages_fit("read-back", messages)


def test_the_forms_generic_reprompt_fits():
    dispatcher = CollectingDispatcher()
    ValidateBookingForm().reprompt(dispatcher, tracker_for("hmm", "inform"), "booking_time")
    assert_messages_fit("reprompt", dispatcher.messages)


def test_fallback_suggestions_fit_with_the_longest_titles():
    titles = {intent: title for intent, title in question_titles(DOMAIN_DICT).items() if intent not in NOT_SUGGESTED}
    longest = sorted(titles, key=lambda intent: len(titles[intent]), reverse=True)[:3]
    tracker = tracker_for("hw lng til i cn sweat", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [{"name": intent, "confidence": 0.3} for intent in longest]
    messages, _ = run(ActionSuggestTopics(), tracker)
    assert len(messages[0]["buttons"]) == 3
    assert_messages_fit("suggestions", messages)
