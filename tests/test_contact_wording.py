"""No patient-facing text says "contact ... directly" without a number or a link.

A patient told to "contact the clinic directly" has been told nothing: which number?
Every answer is rendered, web and SMS and each condition, with the profile `make run`
ships (the demo profile, which has a fictional number) and with profiles that have no
phone number (allowed outside production, which refuses them); the screening texts,
the widget's script and page, and the text in the patient channels' and actions' code
are checked as written. Any sentence that says "contact" and "directly" must also
carry a phone number or a link.
"""

import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from rasa.shared.core.domain import Domain

from bot.clinic_profile import ClinicProfile
from bot.rasa_server.nlg import ClinicNLG
from bot.screening import SLOTS, get_screening
from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
PROFILES = {
    "demo profile (make run)": ClinicProfile.load(PROJECT_ROOT / "clinic" / "profile.yml"),
    "no phone": ClinicProfile(name="Atalo Aesthetics"),
    "no phone, a website": ClinicProfile(name="Atalo Aesthetics", website="https://clinic.example"),
}
SLOTS_FILLED = {
    "booking_name": "Jordan Lee",
    "booking_contact_display": "(617) 555-0142",
    "booking_time": "Saturdays",
}
# Patient-facing text that is written in code or static files rather than the domain:
# (folder, pattern). Each must match files, so a folder that moves fails the test
# instead of silently checking nothing (the widget and channels once moved unnoticed).
PATIENT_FACING_GLOBS = [
    ("bot/rasa_server/widget", "**/*.js"),
    ("bot/rasa_server/widget", "**/*.html"),
    ("bot/rasa_server/channels", "*.py"),
    ("bot/rasa_server", "*.py"),
    ("bot/sms", "*.py"),
    ("actions", "*.py"),
    ("clinic", "*.yml"),
]
PATIENT_FACING_SOURCES = [
    *(path for folder, pattern in PATIENT_FACING_GLOBS for path in sorted((PROJECT_ROOT / folder).glob(pattern))),
    PROJECT_ROOT / "domain.yml",
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_NUMBER_OR_LINK = re.compile(r"\d{3}|https?://|www\.|tel:")
_CONTACT_DIRECTLY = re.compile(r"\bcontact\b.*\bdirectly\b|\bdirectly\b.*\bcontact\b", re.IGNORECASE | re.DOTALL)


def vague_contact_sentences(text: str) -> List[str]:
    """The sentences of `text` that say "contact ... directly" with no number or link."""
    return [
        sentence
        for sentence in _SENTENCE_END.split(text)
        if _CONTACT_DIRECTLY.search(sentence) and not _NUMBER_OR_LINK.search(sentence)
    ]


def rendered_responses(profile: ClinicProfile) -> Iterator[Tuple[str, str]]:
    """(what, text) of every response variant, filled in with `profile`."""
    nlg = ClinicNLG(domain=DOMAIN, clinic=profile)
    for name, variants in sorted(DOMAIN.responses.items()):
        for variant in variants:
            channel = variant.get("channel") or "rest"
            slots = dict(SLOTS_FILLED)
            slots.update({c["name"]: c["value"] for c in variant.get("condition") or []})
            rendered = nlg.generate_from_slots(name, slots, channel) or {}
            titles = " ".join(button["title"] for button in rendered.get("buttons") or [])
            yield f"{name} ({channel}, {slots})", f"{rendered.get('text', '')}\n{titles}"


def test_the_check_itself_catches_the_old_wording():
    assert vague_contact_sentences("Please contact Atalo Aesthetics directly.") == [
        "Please contact Atalo Aesthetics directly."
    ]
    assert vague_contact_sentences("Contact us directly at (555) 010-0100.") == []
    assert vague_contact_sentences("You can also contact the clinic directly: https://clinic.example") == []


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_the_clinic_contact_always_says_how(profile):
    assert "directly" not in profile.contact
    assert profile.contact.startswith("call ")
    if profile.phone:
        assert profile.phone in profile.contact and profile.phone in profile.safety_line


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES.keys())
def test_no_response_says_contact_directly_without_a_number(profile):
    found: Dict[str, List[str]] = {}
    for what, text in rendered_responses(profile):
        vague = vague_contact_sentences(text)
        if vague:
            found[what] = vague
    assert found == {}


def test_the_screening_texts_say_no_contact_directly():
    screening = get_screening()
    texts = [screening.intro]
    for question in screening.questions:
        texts += [question.ask, question.reask]
    texts += screening.outcome({slot: False for slot in SLOTS}).messages
    texts += [message for slot in SLOTS for message in screening.outcome({slot: True}).messages]
    keys = [condition.key for condition in screening.labeling_conditions]
    texts += screening.outcome({slot: False for slot in SLOTS}, review=keys).messages
    assert [sentence for text in texts for sentence in vague_contact_sentences(text)] == []


@pytest.mark.parametrize("folder, pattern", PATIENT_FACING_GLOBS)
def test_every_patient_facing_folder_still_holds_what_is_checked(folder, pattern):
    assert list((PROJECT_ROOT / folder).glob(pattern)), f"{folder}/{pattern} matches nothing: has it moved?"


@pytest.mark.parametrize("path", PATIENT_FACING_SOURCES, ids=lambda p: str(Path(p).relative_to(PROJECT_ROOT)))
def test_no_patient_facing_source_says_contact_directly_without_a_number(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    vague = [
        f"line {number}: {line.strip()}" for number, line in enumerate(lines, start=1) if vague_contact_sentences(line)
    ]
    assert vague == []
