"""Which unanswered messages staff read first: anything that names a symptom, even to deny it."""

from __future__ import annotations

import pytest

from bot.retraining.triage import SymptomTriage
from bot.settings import get_settings


@pytest.fixture(scope="module")
def triage() -> SymptomTriage:
    return SymptomTriage.from_file(get_settings().red_flags_file)


@pytest.mark.parametrize(
    "text",
    [
        "my face is swollen and hot",
        "there is pus on my cheek",
        "no swelling but it burns",
        "I have no fever",
        "it is a bit red",
    ],
)
def test_symptoms_come_first_even_denied(triage, text):
    assert triage.looks_like_symptoms(text)


@pytest.mark.parametrize("text", ["how much does it cost", "do you do tattoos", "win a free iphone", ""])
def test_questions_and_spam_do_not(triage, text):
    assert not triage.looks_like_symptoms(text)
