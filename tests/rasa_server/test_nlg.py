"""Every response renders with the clinic's details and leaves no placeholder behind."""

import asyncio
import dataclasses
import re
from datetime import datetime, timezone

import pytest
from rasa.shared.core.domain import Domain

from bot.clinic_profile import ClinicProfile
from bot.opening_hours import WeeklyHours
from bot.rasa_server.nlg import ClinicNLG
from bot.settings import PROJECT_ROOT
from tests.responses import response_channel

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
PROFILES = {
    "unknown details": ClinicProfile(name="Atalo Aesthetics"),
    "full profile": ClinicProfile(
        name="Demo Skin", phone="555-0100", hours="Mon-Fri 9-5", booking_url="https://d.example"
    ),
}


# What the booking and handoff confirmations interpolate, as the forms leave them.
SLOTS = {"booking_name": "Jordan Lee", "booking_contact_display": "(617) 555-0142", "handoff_contact_declined": False}


def _render(nlg: ClinicNLG, response: str, slots: dict = SLOTS) -> dict:
    return nlg.generate_from_slots(response, dict(slots), response_channel(DOMAIN.responses, response))


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
@pytest.mark.parametrize("response", sorted(DOMAIN.responses))
def test_every_response_is_filled(profile, response):
    rendered = _render(ClinicNLG(domain=DOMAIN, clinic=profile), response)
    text = rendered["text"] + " ".join(b["title"] for b in rendered.get("buttons", []))
    assert not re.search(r"\{[a-z_]+\}", text), text
    assert "None" not in text


def test_clinic_values_fill_the_contact_line():
    nlg = ClinicNLG(domain=DOMAIN, clinic=PROFILES["full profile"])
    assert "call Demo Skin at 555-0100" in _render(nlg, "utter_red_flag_urgent")["text"]
    assert "Phone: 555-0100" in _render(nlg, "utter_ask_clinic_info")["text"]


def test_explicit_values_win_over_the_profile():
    nlg = ClinicNLG(domain=DOMAIN, clinic=PROFILES["full profile"])
    rendered = nlg.generate_from_slots("utter_greet", {}, "rest", clinic_name="Override")
    assert "Override" in rendered["text"]


def test_generate_is_what_rasa_calls():
    from rasa.shared.core.trackers import DialogueStateTracker

    nlg = ClinicNLG(domain=DOMAIN, clinic=PROFILES["unknown details"])
    tracker = DialogueStateTracker("t", DOMAIN.slots)
    rendered = asyncio.run(nlg.generate("utter_out_of_scope", tracker, "rest"))
    assert "Atalo Aesthetics" in rendered["text"]


def test_a_declined_contact_gets_the_clinic_number_instead_of_a_promise():
    nlg = ClinicNLG(domain=DOMAIN, clinic=PROFILES["full profile"])
    declined = _render(nlg, "utter_question_received", {**SLOTS, "handoff_contact_declined": True})["text"]
    given = _render(nlg, "utter_question_received")["text"]
    assert "555-0100" in declined and "(617) 555-0142" not in declined
    assert "(617) 555-0142" in given


# ----- after hours: an answer promising a person says when one will reply ------------------

OPEN_WEEKDAYS = WeeklyHours.parse({day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")})
IN_HOURS = ClinicProfile(name="Demo Skin", phone="555-0100", time_zone="America/New_York", opening_hours=OPEN_WEEKDAYS)
SATURDAY_NIGHT = datetime(2026, 7, 5, 1, 30, tzinfo=timezone.utc)  # Saturday 21:30 in New York
WEDNESDAY_NOON = datetime(2026, 7, 1, 16, 0, tzinfo=timezone.utc)
DECLINED = {**SLOTS, "handoff_contact_declined": True}


@pytest.mark.parametrize("channel", ["rest", "twilio"])
@pytest.mark.parametrize("slots", [SLOTS, DECLINED], ids=["contact given", "contact declined"])
def test_after_hours_the_patient_reads_when_the_team_is_back_and_still_how_to_report_a_symptom(channel, slots):
    closed = ClinicNLG(domain=DOMAIN, clinic=IN_HOURS, clock=lambda: SATURDAY_NIGHT)
    text = closed.generate_from_slots("utter_question_received", dict(slots), channel)["text"]
    assert " when we're back on Monday at 9:00. If you're worried about a symptom after a treatment" in text
    assert ("call Demo Skin at 555-0100" in text) == (slots is DECLINED)


@pytest.mark.parametrize("channel", ["rest", "twilio"])
@pytest.mark.parametrize("slots", [SLOTS, DECLINED], ids=["contact given", "contact declined"])
def test_in_hours_or_without_hours_the_answer_is_unchanged(channel, slots):
    def render(clinic: ClinicProfile, at: datetime) -> str:
        nlg = ClinicNLG(domain=DOMAIN, clinic=clinic, clock=lambda: at)
        return nlg.generate_from_slots("utter_question_received", dict(slots), channel)["text"]

    without_hours = render(dataclasses.replace(IN_HOURS, opening_hours=WeeklyHours()), SATURDAY_NIGHT)
    assert "back" not in without_hours  # we cannot say the clinic is closed
    assert render(IN_HOURS, WEDNESDAY_NOON) == without_hours
