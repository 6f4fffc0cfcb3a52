"""Whole conversations written blind (issue 17), scored by group against the running stack.

The cases and how they were written: tests/e2e/cases/multiturn/SPEC.md; the scoring and
the targets: scripts/evaluate_conversations.py; the figures: docs/quality.md. This
fails below FLOOR, which is the issue's targets now that the assistant meets them: a
change that makes conversations worse fails CI.
"""

import pytest

from scripts.evaluate_conversations import FLOOR, TARGET, run

pytestmark = pytest.mark.e2e


def test_blind_conversations_stay_at_or_above_the_floor(stack, tmp_path):
    report = run(stack.rasa_url, stack.staff_url, stack.staff_token, tmp_path / "conversations.json")
    print(report.markdown())
    for failure in report.failures(TARGET):
        print(f"issue 17 target not met: {failure}")
    assert len(report.results) >= 150
    assert report.failures(FLOOR) == []
