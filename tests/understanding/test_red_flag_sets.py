"""The blind red-flag sets stay what docs/safety.md says they are.

The held-out sets measure generalization only while nothing trains on them: no
training example (the NLU data, or the report classifier's sets in data/red_flags/) may
repeat one of their messages (compared as a person reads them).
"""

import re
from pathlib import Path
from typing import Set

import pytest
import yaml

from bot.text import normalize
from scripts.evaluate_red_flags import EMERGENCY_GROUPS, load_cases, set_paths

DATA = Path(__file__).resolve().parents[2] / "data"
REPORT_GROUPS = set(EMERGENCY_GROUPS) | {"fever", "infection", "redness_worsening", "bleeding", "pain", "blisters"}
NON_REPORT_GROUPS = {"symptom_question", "negation", "history", "expected_aftercare", "other_topics"}
# Written for training only (writer AF): a present symptom with a cause other than the
# treatment, asked by someone who had none ("dizzy on my blood-pressure pills").
TRAINING_ONLY_GROUPS = {"other_cause"}


def _folded(text: str) -> str:
    return re.sub(r"[^\w ]", "", normalize(text)).strip()


def _training_texts() -> Set[str]:
    texts = set()
    for path in DATA.rglob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (block.get("examples") or "").splitlines():
                example = re.sub(r"^\s*-\s*", "", line)
                if example:
                    texts.add(_folded(example))
    texts.update(_folded(case.text) for case in load_cases(set_paths("training")))
    return texts


def test_no_training_example_repeats_a_held_out_message():
    training = _training_texts()
    leaked = [case.text for case in load_cases(set_paths("heldout")) if _folded(case.text) in training]
    assert not leaked


def test_the_held_out_sets_are_as_large_as_the_issue_asks_and_cover_every_group():
    cases = load_cases(set_paths("heldout"))
    reports = [case for case in cases if case.escalate]
    non_reports = [case for case in cases if not case.escalate]
    assert len(reports) >= 300 and len(non_reports) >= 150
    assert {case.group for case in reports} == REPORT_GROUPS
    assert {case.group for case in non_reports} == NON_REPORT_GROUPS


@pytest.mark.parametrize("path", set_paths("heldout") + set_paths("training"), ids=lambda p: p.name)
def test_each_set_is_well_formed_and_has_no_repeats(path):
    cases = load_cases([path])
    assert cases
    folded = [_folded(case.text) for case in cases]
    assert len(folded) == len(set(folded))
    assert {case.group for case in cases} <= REPORT_GROUPS | NON_REPORT_GROUPS | TRAINING_ONLY_GROUPS
