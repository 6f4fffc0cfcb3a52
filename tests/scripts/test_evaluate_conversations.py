"""evalbot gets the stack's address and token in a form its argument parser cannot misread."""

import subprocess
import sys

import pytest

from scripts.evaluate_conversations import EVAL_DIR, evalbot_connection


def test_a_token_that_starts_with_a_dash_reaches_evalbot_as_a_value(tmp_path):
    """secrets.token_urlsafe gives such a token about once in 64 runs; CI failed on one."""
    evalbot = EVAL_DIR / "evalbot.py"
    if not evalbot.exists():
        pytest.fail(f"{evalbot} not found: CI expects ../shared beside the project (set EVAL_DIR)")
    options = evalbot_connection("http://127.0.0.1:9", "http://127.0.0.1:9", "-starts-with-a-dash")
    done = subprocess.run(
        [sys.executable, str(evalbot), str(tmp_path / "none.yml"), *options],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "expected one argument" not in done.stderr
    assert "--staff-token=-starts-with-a-dash" in options
