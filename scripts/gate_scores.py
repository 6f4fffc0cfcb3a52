"""A model's scores for the retrain gate (bot.retraining.gate), as one JSON line on stdout.

    python -m scripts.gate_scores --model models/current.tar.gz

Each score is a fraction, higher is better:

- `independent`: the blind-written patient messages understood (scripts.evaluate_understanding);
- `out_of_domain`: CLINC150 queries *not* given a clinic answer (1 - its clinic answer rate);
- `red_flag_recall` and `red_flag_no_false_alarm`: the red-flag held-out sets through the
  whole pipeline, the combined decision (scripts.evaluate_red_flags);
- `public_nlu`: the public evaluation (../shared/eval/public_cases.yml) at the NLU level.
  Running it as evalbot does needs both servers up (minutes per model); instead each
  single-turn case's message is parsed, the rule of data/rules.yml for the intent gives
  the response, and the case passes when one of that response's texts meets the case's
  expectations. Multi-turn cases and intents answered by a custom action are left out
  (the count is printed to stderr); `make e2e` still runs the real thing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from bot.settings import PROJECT_ROOT, get_settings
from scripts import evaluate_red_flags, evaluate_understanding
from scripts.model_parse import parse_all

PUBLIC_CASES = Path(os.environ.get("EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval")) / "public_cases.yml"
COMBINED = "combined"  # the red-flag decision the assistant acts on


def red_flag_scores(model: Path) -> Dict[str, float]:
    cases = evaluate_red_flags.load_cases(evaluate_red_flags.set_paths("heldout"))
    report = evaluate_red_flags.Report(cases, evaluate_red_flags.model_evidence(cases, model))
    return {"red_flag_recall": report.recall(COMBINED), "red_flag_no_false_alarm": 1 - report.false_alarms(COMBINED)}


def understanding_scores(model: Path) -> Dict[str, float]:
    report = evaluate_understanding.score(model)
    return {"independent": report.accuracy(), "out_of_domain": 1 - report.clinic_answer_rate()}


def rule_responses(rules_file: Path, domain_file: Path) -> Dict[str, List[str]]:
    """intent -> the texts of the response its one-step rule answers with."""
    responses = (yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}).get("responses") or {}
    answers: Dict[str, List[str]] = {}
    for rule in (yaml.safe_load(rules_file.read_text(encoding="utf-8")) or {}).get("rules") or ():
        steps = rule.get("steps") or []
        if len(steps) >= 2 and "intent" in steps[0] and str(steps[1].get("action", "")).startswith("utter_"):
            texts = [str(v.get("text", "")) for v in responses.get(steps[1]["action"]) or () if isinstance(v, dict)]
            answers.setdefault(steps[0]["intent"], texts)
    return answers


def meets(reply: str, expect: Optional[Mapping[str, Any]]) -> bool:
    """evalbot's checks on one reply (our own response text, not patient text: Python `re`,
    as evalbot itself matches)."""
    if not expect:
        return bool(reply.strip())
    text = " ".join(reply.replace("\u2019", "'").replace("\u2018", "'").split())
    found = [bool(re.search(p, text, re.IGNORECASE)) for p in expect.get("all") or ()]
    some = [bool(re.search(p, text, re.IGNORECASE)) for p in expect.get("any") or ()]
    banned = [bool(re.search(p, text, re.IGNORECASE)) for p in expect.get("none") or ()]
    return all(found) and (not some or any(some)) and not any(banned)


def public_nlu_score(model: Path, cases_file: Path = PUBLIC_CASES) -> Tuple[float, int, int]:
    """(share of checkable single-turn cases passed, checked, left out)."""
    cases = yaml.safe_load(cases_file.read_text(encoding="utf-8")) or []
    single = [c for c in cases if len(c.get("turns") or ()) == 1 and not c.get("expect")]
    answers = rule_responses(PROJECT_ROOT / "data" / "rules.yml", PROJECT_ROOT / "domain.yml")
    parsed = parse_all([c["turns"][0]["user"] for c in single], model)
    checked = passed = 0
    for case, reading in zip(single, parsed):
        texts = answers.get(evaluate_understanding._intent(reading))
        if texts is None:
            continue
        checked += 1
        passed += any(meets(text, case["turns"][0].get("expect")) for text in texts)
    return (passed / checked if checked else 1.0), checked, len(cases) - checked


def scores(model: Path) -> Dict[str, float]:
    found = {**understanding_scores(model), **red_flag_scores(model)}
    if PUBLIC_CASES.exists():
        found["public_nlu"], checked, left_out = public_nlu_score(model)
        print(f"public cases at the NLU level: {checked} checked, {left_out} left out", file=sys.stderr)
    return found


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=get_settings().model_path)
    args = parser.parse_args(argv)
    print(json.dumps(scores(args.model), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
