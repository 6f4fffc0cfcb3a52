"""Consistency of domain, rules, stories and test stories that `rasa data validate` does not check."""

import re
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml

from bot.clinic_profile import ClinicProfile
from bot.rasa_server.nlg import ClinicNLG
from bot.settings import PROJECT_ROOT
from tests.responses import response_channel

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
INTENTS = set(DOMAIN["intents"])
RESPONSES = DOMAIN["responses"]
# Answers that must not carry follow-up buttons: an emergency message is not a menu.
NO_BUTTONS = {
    "utter_red_flag_emergency",
    "utter_red_flag_urgent",
    "utter_goodbye",
    "utter_thank",
    "utter_deny",
    "utter_request_human",
    "utter_ask_other_health",
    "utter_bot_challenge",
}
SMS_LIMIT = 480  # three SMS segments, text and button titles together


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _steps(paths: List[Path], key: str) -> Iterator[Tuple[str, List[Tuple[str, str]]]]:
    for path in paths:
        for block in _load(path).get(key, []):
            yield (
                block.get("rule") or block.get("story"),
                [
                    ("intent", s["intent"]) if "intent" in s else ("action", s["action"])
                    for s in block["steps"]
                    if "intent" in s or "action" in s
                ],
            )


def _pairs(steps: List[Tuple[str, str]]) -> List[Tuple[str, str]]:
    return [(a[1], b[1]) for a, b in zip(steps, steps[1:]) if a[0] == "intent" and b[0] == "action"]


TEST_STORIES = dict(_steps(sorted((PROJECT_ROOT / "tests" / "stories").glob("*.yml")), "stories"))


def _replayed(steps: List[Tuple[str, str]]) -> bool:
    """Whether some test story contains these steps, in order and without gaps."""
    n = len(steps)
    return any(story[i : i + n] == steps for story in TEST_STORIES.values() for i in range(len(story) - n + 1))


@pytest.mark.parametrize("name, steps", list(_steps([PROJECT_ROOT / "data" / "rules.yml"], "rules")))
def test_every_rule_has_a_test_story(name, steps):
    assert _replayed(steps), f"rule '{name}' has no test story in tests/stories/"


@pytest.mark.parametrize(
    "name, steps", list(_steps(sorted((PROJECT_ROOT / "data" / "stories").glob("*.yml")), "stories"))
)
def test_every_story_has_a_test_story(name, steps):
    assert TEST_STORIES.get(name) == steps, f"story '{name}' is not replayed step by step in tests/stories/"


def test_every_intent_is_answered_by_a_rule():
    ruled = {
        intent for _, steps in _steps([PROJECT_ROOT / "data" / "rules.yml"], "rules") for intent, _ in _pairs(steps)
    }
    assert INTENTS <= ruled, INTENTS - ruled


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_buttons_ask_known_questions(name):
    for variant in RESPONSES[name]:
        for button in variant.get("buttons", []):
            assert re.fullmatch(r"/\w+", button["payload"]), button
            assert button["payload"][1:] in INTENTS, button
        count = len(variant.get("buttons", []))
        if name in NO_BUTTONS:
            assert count == 0
        elif name.startswith(("utter_faq_", "utter_aftercare_")):
            assert 1 <= count <= 2, f"{name}: one or two follow-up questions"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_answers_fit_a_phone_screen(name):
    clinic = ClinicProfile(
        name="A Clinic Name Of Typical Length",
        phone="(555) 010-0100",
        booking_url="https://clinic.example/request-appointment",
    )
    nlg = ClinicNLG(clinic=clinic)
    nlg.responses = RESPONSES
    rendered = nlg.generate_from_slots(name, {}, response_channel(RESPONSES, name))
    text = "\n".join([rendered["text"], *(b["title"] for b in rendered.get("buttons", []))])
    assert len(text) <= SMS_LIMIT, f"{name} is {len(text)} characters"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_answers_invent_no_prices_or_depths(name):
    for variant in RESPONSES[name]:
        assert not re.search(r"\$\s*\d|\b\d+(\.\d+)?\s*(mm|millimet\w*|microns?)\b|\bguarantee", variant["text"], re.I)
