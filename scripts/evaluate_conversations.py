"""Score whole conversations written blind (`tests/e2e/cases/multiturn/`), by group.

Issue 17: follow-ups that need the previous answer, two questions in one message,
bookings in every shape (all details at once, labelled, out of turn, corrected, a
natural yes), screening in plain words, requests for a person, and mixed flows. Four
helpers wrote the conversations and their checks seeing only the article, the topic
list and `SPEC.md` beside the cases, never `data/`. Each case's id starts with its group.

The cases run through `../shared/eval/evalbot.py` against a running stack, exactly as a
patient's messages arrive (REST channel, staff API for the handoffs); a case passes
when every check in it does. The targets: at least 90% overall and 85% in every group.
The exit status is 1 below FLOOR, which the end-to-end tests enforce
(tests/e2e/test_conversations.py).

    python -m scripts.evaluate_conversations              # starts its own stack on free ports
    python -m scripts.evaluate_conversations --failures   # and lists each failed case's first failure
    python -m scripts.evaluate_conversations --writers m5 m6 --no-check   # a new pair, once
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.settings import PROJECT_ROOT

CASES_DIR = PROJECT_ROOT / "tests" / "e2e" / "cases" / "multiturn"
EVAL_DIR = Path(os.environ.get("EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval"))
GROUPS = ("followup", "twopart", "booking", "screening", "human", "flow")


@dataclass(frozen=True)
class Bar:
    """Overall and per-group pass rates, at least."""

    min_overall: float
    min_group: float


TARGET = Bar(min_overall=0.90, min_group=0.85)
# What the end-to-end tests enforce: issue 17's targets, met on all eight writers
# (docs/quality.md: 92.3% overall, 85.0% in the weakest group, flows). The model and the
# conversations are deterministic (a logistic regression, rules and memoization), so a
# drop below it is a regression, not noise.
FLOOR = TARGET


@dataclass
class Report:
    """Each case's id, whether it passed, and its first failure."""

    results: List[Dict]

    def rate(self, group: Optional[str] = None) -> float:
        chosen = [r for r in self.results if group in (None, group_of(r["id"]))]
        return sum(r["status"] == "pass" for r in chosen) / len(chosen) if chosen else 1.0

    def failures(self, bar: Bar) -> List[str]:
        found = []
        if self.rate() < bar.min_overall:
            found.append(f"overall {self.rate():.1%} is below {bar.min_overall:.0%}")
        for group in GROUPS:
            if self.rate(group) < bar.min_group:
                found.append(f"{group} {self.rate(group):.1%} is below {bar.min_group:.0%}")
        return found

    def markdown(self) -> str:
        lines = ["| group | conversations | passed |", "|---|---|---|"]
        for group in GROUPS:
            count = sum(group_of(r["id"]) == group for r in self.results)
            lines.append(f"| {group} | {count} | {self.rate(group):.1%} |")
        lines.append(f"| **all** | {len(self.results)} | **{self.rate():.1%}** |")
        return "\n".join(lines)


def group_of(case_id: str) -> str:
    return case_id.split("-", 1)[0]


def case_files(writers: Optional[Sequence[str]] = None) -> List[Path]:
    """Every writer's cases, or only the named writers' (writer_ID.yml)."""
    if writers:
        return [CASES_DIR / f"writer_{writer}.yml" for writer in writers]
    return sorted(CASES_DIR.glob("writer_*.yml"))


def evalbot_connection(bot_url: str, staff_url: str, staff_token: str) -> List[str]:
    """evalbot's options for the running stack, each as `--name=value`: a generated token may
    start with "-", which argparse reads as another option when it stands alone."""
    return [f"--bot-url={bot_url}", f"--staff-url={staff_url}", f"--staff-token={staff_token}"]


# evalbot processes at once, each on its own case files. A conversation waits on the
# Rasa server, the action server and the staff API in turn, so two clients keep the
# servers busier than one: 336 conversations took 69 s one at a time (issue 18: CI time).
CLIENTS = 2


def run(bot_url: str, staff_url: str, staff_token: str, out: Path, writers: Optional[Sequence[str]] = None) -> Report:
    """Every conversation through evalbot against the running stack; the cases, as evalbot
    reported them, are also written to `out`."""
    evalbot = EVAL_DIR / "evalbot.py"
    if not evalbot.exists():
        raise FileNotFoundError(f"{evalbot} not found: ../shared must be beside the project (or set EVAL_DIR)")
    files = case_files(writers)
    shards = [files[index::CLIENTS] for index in range(CLIENTS) if files[index::CLIENTS]]
    outputs = [out.with_name(f"{out.stem}-{index}{out.suffix}") for index in range(len(shards))]
    clients = [
        subprocess.Popen(
            [
                sys.executable,
                str(evalbot),
                *map(str, shard),
                *evalbot_connection(bot_url, staff_url, staff_token),
                "--json",
                str(output),
                "--min-pass",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for shard, output in zip(shards, outputs)
    ]
    for client in clients:
        client.wait(timeout=1800)
    cases = [case for output in outputs for case in json.loads(output.read_text(encoding="utf-8"))["cases"]]
    out.write_text(json.dumps({"cases": cases}, indent=1), encoding="utf-8")
    return Report(
        [{"id": case["id"], "status": case["status"], "failures": case.get("failures") or []} for case in cases]
    )


def _run_own_stack(out: Path, writers: Optional[Sequence[str]] = None) -> Report:
    """Start the servers on free ports with their own SQLite files, score, stop them."""
    from bot.launcher.supervision import running_stack
    from bot.settings import Settings
    from tests.ports import free_port

    var_dir = out.parent / "var"
    var_dir.mkdir(exist_ok=True)
    settings = Settings.from_env(
        {**os.environ, "VAR_DIR": str(var_dir), "TRACKER_DB": str(var_dir / "tracker.db"), "DATABASE_URL": "",
         "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "STAFF_PORT": str(free_port())}
    )  # fmt: skip
    with running_stack(settings) as stack:
        return run(stack.rasa_url, stack.staff_url, stack.staff_token, out, writers)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list each failed case's first failure")
    parser.add_argument("--no-check", action="store_true", help="report only; never fail")
    parser.add_argument(
        "--writers",
        nargs="+",
        metavar="ID",
        help="score only these writers' files (writer_ID.yml): a new pair, scored once before it is looked at",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        report = _run_own_stack(Path(scratch) / "conversations.json", args.writers)
    print(report.markdown())
    if args.failures:
        for result in report.results:
            if result["status"] != "pass":
                print(f"FAIL {result['id']}: {json.dumps(result['failures'][:1])[:600]}")
    if args.no_check:
        return 0
    for failure in report.failures(TARGET):
        print(f"issue 17 target not met: {failure}")
    failures = report.failures(FLOOR)
    for failure in failures:
        print(f"FAIL (below the floor the end-to-end tests enforce): {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
