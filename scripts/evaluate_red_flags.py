"""Score red-flag escalation on the blind sets (`make safety`).

Each set lists patient messages that must escalate (by symptom group) and messages that
must not (general questions, negations, history, expected aftercare, other topics). All
were written by helpers who saw only the article and the group list, never data/nlu.

- The held-out sets (`tests/data/red_flags/heldout_*.yml`) are scored, never trained or
  tuned on; nothing in data/ may repeat one of their messages (tests/understanding checks that).
- The training sets (`data/red_flags/*.yml`, one file per writer) are what the report
  classifier learns from and what rules and thresholds were tuned on. Scored as they
  are, they flatter the detector; `--leave-one-writer-out` scores each writer's file
  with a report classifier trained without it, which is how a new patient's wording
  meets it.

Every message goes through the trained model's full NLU pipeline, which ends in the
red-flag detector; its `red_flag_evidence` lets the report show each part alone (rules,
model, report classifier, each with and without its vetoes) beside the combined decision.

    python -m scripts.evaluate_red_flags                           # held-out sets, check targets
    python -m scripts.evaluate_red_flags --markdown                # the tables of docs/safety.md
    python -m scripts.evaluate_red_flags --sets training --leave-one-writer-out
    python -m scripts.evaluate_red_flags --rules-only              # no model: rules and guard only

Every run reports the issue's targets (recall at least 99%, no emergency-group miss,
false alarms at most 5%); the exit status is 1 below FLOOR. `--no-check` reports only.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from bot.settings import PROJECT_ROOT, get_settings
from bot.understanding.escalation import CLASSIFIER_THRESHOLD, MODEL_THRESHOLD, decide, ranking_from_evidence
from bot.understanding.red_flag_rules import RedFlagRules
from bot.understanding.report_classifier import LabelledMessage, leave_one_out, read_sets
from scripts.model_parse import parse_all

SETS_DIR = PROJECT_ROOT / "tests" / "data" / "red_flags"
TRAINING_SETS_DIR = PROJECT_ROOT / "data" / "red_flags"
EMERGENCY_GROUPS = ("breathing", "swelling", "allergic", "vision", "fainting")


@dataclass(frozen=True)
class Bar:
    """Recall at least, emergency-group misses at most, false alarms at most."""

    min_recall: float
    max_emergency_misses: int
    max_false_alarms: float


# What issue 14 asks for, reported on every run.
TARGET = Bar(min_recall=0.99, max_emergency_misses=0, max_false_alarms=0.05)
# What `make test` enforces: the targets, which the detector meets on the
# current held-out pair (docs/safety.md), so a change that makes red flags worse fails CI.
FLOOR = TARGET


# One message of a set: its text, whether it must escalate, its group and its file.
Case = LabelledMessage
load_cases = read_sets


@dataclass(frozen=True)
class Evidence:
    """What the pipeline decided for one message, and what each part saw."""

    escalated: bool
    rules: bool
    model_score: float
    model_heard: bool
    general: bool
    report_probability: float = 0.0
    classifier_heard: bool = False


# Each column of the report: a name and how it decides from the evidence.
VARIANTS: Dict[str, Callable[[Evidence], bool]] = {
    "rules alone": lambda e: e.rules,
    "model alone": lambda e: e.model_score >= MODEL_THRESHOLD,
    "rules + guard": lambda e: e.rules and not e.general,
    "model + guard": lambda e: e.model_heard and not e.general,
    "classifier alone": lambda e: e.report_probability >= CLASSIFIER_THRESHOLD,
    "classifier + vetoes": lambda e: e.classifier_heard,
    "combined": lambda e: e.escalated,
}


def set_paths(kind: str) -> List[Path]:
    """`heldout`: tests/data/red_flags/heldout_*.yml; `training`: data/red_flags/*.yml."""
    folder, pattern = {"heldout": (SETS_DIR, "heldout_*.yml"), "training": (TRAINING_SETS_DIR, "*.yml")}[kind]
    return sorted(folder.glob(pattern))


@dataclass
class Tally:
    """Right and wrong per group, for one variant."""

    hits: Dict[str, int] = field(default_factory=dict)
    totals: Dict[str, int] = field(default_factory=dict)
    misses: List[Case] = field(default_factory=list)

    def add(self, case: Case, right: bool) -> None:
        self.totals[case.group] = self.totals.get(case.group, 0) + 1
        self.hits[case.group] = self.hits.get(case.group, 0) + int(right)
        if not right:
            self.misses.append(case)


@dataclass
class Report:
    """Escalation recall on reports and false-alarm rate on non-reports, per variant."""

    cases: List[Case]
    evidence: List[Evidence]

    def tally(self, variant: str, escalate: bool) -> Tally:
        decides = VARIANTS[variant]
        tally = Tally()
        for case, seen in zip(self.cases, self.evidence):
            if case.escalate == escalate:
                tally.add(case, decides(seen) == escalate)
        return tally

    def recall(self, variant: str) -> float:
        tally = self.tally(variant, True)
        return _ratio(sum(tally.hits.values()), sum(tally.totals.values()))

    def false_alarms(self, variant: str) -> float:
        tally = self.tally(variant, False)
        total = sum(tally.totals.values())
        return _ratio(total - sum(tally.hits.values()), total, empty=0.0)

    def failures(self, bar: Bar = TARGET) -> List[str]:
        """What the combined decision misses of `bar` (empty: all met)."""
        reports = self.tally("combined", True)
        failures = []
        if self.recall("combined") < bar.min_recall:
            failures.append(f"recall {self.recall('combined'):.1%} is below {bar.min_recall:.1%}")
        emergency = [case for case in reports.misses if case.group in EMERGENCY_GROUPS]
        if len(emergency) > bar.max_emergency_misses:
            failures.append(
                f"{len(emergency)} report(s) missed in the emergency groups (at most {bar.max_emergency_misses})"
            )
        if self.false_alarms("combined") > bar.max_false_alarms:
            failures.append(f"false alarms {self.false_alarms('combined'):.1%} are above {bar.max_false_alarms:.1%}")
        return failures

    def markdown(self) -> str:
        """The per-group tables and the per-variant summary."""
        lines = ["| variant | recall on reports | false alarms on non-reports |", "|---|---|---|"]
        for variant in VARIANTS:
            lines.append(f"| {variant} | {self.recall(variant):.1%} | {self.false_alarms(variant):.1%} |")
        for escalate, title in (
            (True, "Reports (must escalate): escalated"),
            (False, "Non-reports (must not): escalated anyway"),
        ):
            columns = ("combined", "rules alone", "model alone", "classifier alone")
            lines += [
                "",
                f"| group | messages | {title}, combined | " + " | ".join(columns[1:]) + " |",
                "|---|---|---|---|---|---|",
            ]
            tallies = {variant: self.tally(variant, escalate) for variant in columns}
            for group, total in tallies["combined"].totals.items():
                cells = []
                for variant in columns:
                    hits = tallies[variant].hits[group]
                    shown = hits if escalate else total - hits
                    cells.append(f"{shown} ({_ratio(shown, total):.0%})")
                lines.append(f"| {group} | {total} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _ratio(part: int, whole: int, empty: float = 1.0) -> float:
    return part / whole if whole else empty


def rules_only_evidence(cases: Sequence[Case]) -> List[Evidence]:
    """Evidence without a model: the rules and the guard from clinic/red_flags.yml."""
    rules = RedFlagRules.from_file(get_settings().red_flags_file)
    evidence = []
    for case in cases:
        decision = decide(rules, case.text)
        evidence.append(_evidence(decision.evidence(), escalated=decision.red_flag is not None))
    return evidence


def _evidence(seen: Dict, escalated: bool) -> Evidence:
    """`Evidence` from a `red_flag_evidence` record and the decision."""
    return Evidence(
        escalated=escalated,
        rules=bool(seen.get("rules")),
        model_score=float(seen.get("model_score") or 0.0),
        model_heard=bool(seen.get("model_heard")),
        general=bool(seen.get("general_question")),
        report_probability=float(seen.get("report_probability") or 0.0),
        classifier_heard=bool(seen.get("classifier_heard")),
    )


def parsed_evidence(cases: Sequence[Case], model: Path) -> List[Tuple[bool, Dict]]:
    """Each message through the trained model's full pipeline: escalated?, and its evidence."""
    return [
        (
            ((parsed.get("intent") or {}).get("name") or "").startswith("red_flag_"),
            parsed.get("red_flag_evidence") or {},
        )
        for parsed in parse_all([case.text for case in cases], model)
    ]


def model_evidence(cases: Sequence[Case], model: Path) -> List[Evidence]:
    """Evidence from the trained model's full pipeline (the detector included)."""
    return [_evidence(seen, escalated) for escalated, seen in parsed_evidence(cases, model)]


def leave_one_writer_out_evidence(cases: Sequence[Case], model: Path) -> List[Evidence]:
    """The decision made again with each writer's report probabilities from a classifier
    trained without that writer (and with the NLU examples, as in training).

    The rules, the intent ranking and the guard come from the trained model's pipeline,
    as recorded in the evidence; only the report probability is replaced.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.understanding.escalation import RED_FLAG_INTENTS

    nlu = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    always = [(example.get("text"), example.get("intent") in RED_FLAG_INTENTS) for example in nlu.intent_examples]
    held_out = {case: probability for case, probability in leave_one_out(cases, always)}
    rules = RedFlagRules.from_file(get_settings().red_flags_file)
    evidence = []
    for case, (_, seen) in zip(cases, parsed_evidence(cases, model)):
        decision = decide(rules, case.text, ranking_from_evidence(seen), held_out[case])
        evidence.append(_evidence(decision.evidence(), escalated=decision.red_flag is not None))
    return evidence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", choices=("heldout", "training"), default="heldout")
    parser.add_argument(
        "--leave-one-writer-out",
        action="store_true",
        help="score each file with a report classifier trained without it (for --sets training)",
    )
    parser.add_argument("--model", type=Path, default=get_settings().model_path)
    parser.add_argument("--rules-only", action="store_true", help="no model: rules and guard only")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/safety.md")
    parser.add_argument("--misses", action="store_true", help="list every wrong decision")
    parser.add_argument("--no-check", action="store_true", help="report only; never fail")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cases = load_cases(set_paths(args.sets))
    if not cases:
        print(f"no red-flag sets found for --sets {args.sets}", file=sys.stderr)
        return 2
    if args.rules_only:
        evidence = rules_only_evidence(cases)
    elif args.leave_one_writer_out:
        evidence = leave_one_writer_out_evidence(cases, args.model)
    else:
        evidence = model_evidence(cases, args.model)
    report = Report(cases, evidence)
    reports = sum(case.escalate for case in cases)
    print(
        f"{args.sets} sets: {reports} reports, {len(cases) - reports} non-reports "
        f"({', '.join(sorted({case.source for case in cases}))})"
    )
    print(report.markdown() if args.markdown else _summary(report))
    if args.misses:
        for escalate, label in ((True, "MISSED REPORT"), (False, "FALSE ALARM")):
            for case in report.tally("combined", escalate).misses:
                print(f"{label} [{case.group}] {case.text}")
    if args.no_check or args.rules_only:
        return 0
    for failure in report.failures(TARGET):
        print(f"issue 14 target not met: {failure}")
    failures = report.failures(FLOOR)
    for failure in failures:
        print(f"FAIL (below the floor make test enforces): {failure}", file=sys.stderr)
    print("red flags: below the floor" if failures else "red flags: at or above the floor make test enforces")
    return 1 if failures else 0


def _summary(report: Report) -> str:
    return "\n".join(
        f"{variant:>14}: recall {report.recall(variant):6.1%}   false alarms {report.false_alarms(variant):6.1%}"
        for variant in VARIANTS
    )


if __name__ == "__main__":
    sys.exit(main())
