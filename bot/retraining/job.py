"""The retrain job: reviewed examples -> data/nlu/reviewed.yml -> a candidate model -> the
regression gate -> kept (and put live) or thrown away, with a report either way.

1. The assigned examples are written to the reviewed file (`training_data`).
2. The current model's scores (its baseline) are read from `baseline.json`, or computed
   when missing or made for another model (matched by the model file's SHA-256).
3. A candidate is trained into a directory of its own (never over the current model).
4. The candidate is scored on the same sets and judged (`gate`).
5. Passed: the candidate replaces the current model (the old one is kept as
   previous.tar.gz), becomes the baseline, and goes live (`go_live`). Rejected: the
   reviewed file is put back as it was, so `make train` cannot train the rejected data.
6. A report (Markdown and JSON) says what changed: examples added, scores before/after.

Training and scoring are passed in: `make retrain` trains with `python -m rasa train`
and scores with `python -m scripts.gate_scores`, each a child process so the staff
process never loads TensorFlow (`bot.retraining.__main__`); the tests train a tiny
project in their own process, where Rasa is imported once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from bot.db.models import utcnow
from bot.retraining.gate import Verdict, judge
from bot.retraining.progress import FAILED, KEPT, REJECTED, RUNNING, Progress
from bot.retraining.training_data import ReviewedData, check, folded_examples, reviewed_data

Scores = Dict[str, float]
Scorer = Callable[[Path], Scores]
Trainer = Callable[[Path], Path]  # trains a model into a directory, returns the model file
BASELINE_FILE = "baseline.json"
LATEST_REPORT = "latest.md"


@dataclass(frozen=True)
class Plan:
    """Where everything is, and how to train, score and go live."""

    reviewed_file: Path  # data/nlu/reviewed.yml
    nlu_files: Callable[[], List[Path]]  # every training file (the reviewed one included, if it exists)
    intents: Set[str]  # the domain's intents an example may have
    held_out: Set[str]  # folded texts of the test sets: never trained on
    current_model: Path  # models/current.tar.gz
    candidates: Path  # a directory for candidate models
    reports: Path  # results/retrain/
    train: Trainer
    score: Scorer
    go_live: Callable[[Path], str] = lambda model: "not put live (no server given)"


@dataclass
class Outcome:
    """What a run did, as its report says."""

    state: str  # KEPT | REJECTED | FAILED
    data: Optional[ReviewedData] = None
    baseline: Scores = field(default_factory=dict)
    candidate: Scores = field(default_factory=dict)
    verdict: Optional[Verdict] = None
    live: str = ""
    error: str = ""
    report: Optional[Path] = None


def command_scorer(command: Callable[[Path], List[str]]) -> Scorer:
    """A scorer that runs `command(model)` and reads its last line of output as JSON scores."""

    def score(model: Path) -> Scores:
        finished = subprocess.run(command(model), capture_output=True, text=True, check=False)
        lines = finished.stdout.strip().splitlines()
        if finished.returncode != 0 or not lines:
            tail = finished.stderr.strip().splitlines()[-3:]
            raise RuntimeError(f"scoring failed (exit {finished.returncode}): {' | '.join(tail)}")
        return {str(name): float(value) for name, value in json.loads(lines[-1]).items()}

    return score


def command_trainer(command: Callable[[Path], List[str]]) -> Trainer:
    """A trainer that runs `command(directory)` and takes the model it leaves there."""

    def train(directory: Path) -> Path:
        finished = subprocess.run(command(directory), capture_output=True, text=True, check=False)
        models = sorted(directory.glob("*.tar.gz"))
        if finished.returncode != 0 or not models:
            tail = (finished.stderr or finished.stdout or "").strip().splitlines()[-3:]
            raise RuntimeError(f"training failed (exit {finished.returncode}): {' | '.join(tail)}")
        return models[-1]

    return train


def run(plan: Plan, assigned: Sequence[Tuple[str, str]], clock: Callable[[], datetime] = utcnow) -> Outcome:
    """Run the whole job once (the caller holds the Progress lock)."""
    progress = Progress(plan.reports)
    stamp = clock().strftime("%Y%m%dT%H%M%SZ")
    outcome = Outcome(FAILED)
    previous = plan.reviewed_file.read_text(encoding="utf-8") if plan.reviewed_file.exists() else None
    progress.update(RUNNING, "writing the reviewed examples", started_at=clock().isoformat(), report=None)
    try:
        others = [path for path in plan.nlu_files() if path.resolve() != plan.reviewed_file.resolve()]
        outcome.data = reviewed_data(assigned, plan.intents, folded_examples(others), plan.held_out)
        check(outcome.data)
        plan.reviewed_file.write_text(outcome.data.text, encoding="utf-8")
        progress.update(RUNNING, "scoring the current model (its baseline)")
        outcome.baseline = _baseline(plan)
        progress.update(RUNNING, f"training a candidate with {outcome.data.count} reviewed examples")
        candidate = _train(plan, plan.candidates / stamp)
        progress.update(RUNNING, "scoring the candidate")
        outcome.candidate = plan.score(candidate)
        outcome.verdict = judge(outcome.baseline, outcome.candidate)
        if outcome.verdict.passed:
            progress.update(RUNNING, "keeping the candidate and putting it live")
            _promote(plan, candidate, outcome.candidate)
            outcome.state, outcome.live = KEPT, plan.go_live(plan.current_model)
        else:
            outcome.state = REJECTED
        shutil.rmtree(plan.candidates / stamp, ignore_errors=True)
    except Exception as exc:  # the report and the console say why; the current model is untouched
        outcome.state, outcome.error = FAILED, f"{type(exc).__name__}: {exc}"
    if outcome.state != KEPT:
        _restore(plan.reviewed_file, previous)
    outcome.report = _write_report(plan.reports, stamp, outcome)
    progress.update(outcome.state, _summary(outcome), report=outcome.report.name)
    return outcome


def _baseline(plan: Plan) -> Scores:
    """The current model's scores: stored for this very model file, else computed and stored."""
    digest = _sha256(plan.current_model)
    stored = plan.reports / BASELINE_FILE
    try:
        saved = json.loads(stored.read_text(encoding="utf-8"))
        if saved.get("model_sha256") == digest:
            return {str(k): float(v) for k, v in saved["scores"].items()}
    except (OSError, ValueError, KeyError):
        pass
    scores = plan.score(plan.current_model)
    _save_baseline(stored, digest, scores)
    return scores


def _save_baseline(path: Path, digest: str, scores: Scores) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"model_sha256": digest, "scores": scores}, indent=2), encoding="utf-8")


def _train(plan: Plan, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return plan.train(directory)


def _promote(plan: Plan, candidate: Path, scores: Scores) -> None:
    """The candidate becomes the current model (the old one stays as previous.tar.gz); the
    rename is atomic, so a server starting meanwhile loads one model or the other, whole."""
    plan.current_model.parent.mkdir(parents=True, exist_ok=True)
    staged = plan.current_model.with_name(f".{plan.current_model.name}.incoming")
    shutil.copyfile(candidate, staged)
    if plan.current_model.exists():
        shutil.copyfile(plan.current_model, plan.current_model.with_name("previous.tar.gz"))
    os.replace(staged, plan.current_model)
    _save_baseline(plan.reports / BASELINE_FILE, _sha256(plan.current_model), scores)


def _restore(path: Path, previous: Optional[str]) -> None:
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(previous, encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _summary(outcome: Outcome) -> str:
    if outcome.state == KEPT:
        return f"kept: the new model passed the gate; {outcome.live}"
    if outcome.state == REJECTED:
        dropped = [c.name for c in outcome.verdict.comparisons if c.dropped] if outcome.verdict else []
        return f"rejected: {', '.join(dropped)} dropped; the current model stays"
    return f"failed: {outcome.error}; the current model stays"


def _write_report(directory: Path, stamp: str, outcome: Outcome) -> Path:
    """results/retrain/<stamp>.md and .json, and latest.md (a copy of the newest)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"# Retrain {stamp}: {outcome.state}", "", _summary(outcome), ""]
    if outcome.data is not None:
        lines += [f"Reviewed examples written to data/nlu/reviewed.yml: {outcome.data.count}", ""]
        lines += [f"- {intent}: {len(texts)}" for intent, texts in outcome.data.examples.items()]
        lines += [f"- left out ({reason}): {count}" for reason, count in sorted(outcome.data.left_out.items())]
        lines.append("")
    if outcome.verdict is not None:
        lines += ["| Set | Current model | Candidate | |", "|---|---|---|---|"]
        for c in outcome.verdict.comparisons:
            after = "missing" if c.after is None else f"{c.after:.4f}"
            lines.append(f"| {c.name} | {c.before:.4f} | {after} | {'DROPPED' if c.dropped else 'ok'} |")
    text = "\n".join(lines) + "\n"
    report = directory / f"{stamp}.md"
    report.write_text(text, encoding="utf-8")
    (directory / LATEST_REPORT).write_text(text, encoding="utf-8")
    details = {
        "state": outcome.state, "error": outcome.error, "live": outcome.live,
        "examples": outcome.data.examples if outcome.data else {},
        "left_out": outcome.data.left_out if outcome.data else {},
        "baseline": outcome.baseline, "candidate": outcome.candidate,
        "verdict": outcome.verdict.as_dict() if outcome.verdict else None,
    }  # fmt: skip
    (directory / f"{stamp}.json").write_text(json.dumps(details, indent=2), encoding="utf-8")
    return report
