"""`make retrain` (and the console's Retrain button): python -m bot.retraining.

Reads the staff's assignments from the database, runs the job (bot.retraining.job) on
this project with `rasa train` and `scripts.gate_scores`, and puts a kept model live on
the running Rasa server(s). Exit status: 0 kept, 1 rejected or failed, 2 already running.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence, Set

import yaml

from bot.db.engine import get_engine, session_factory
from bot.retraining import golive, job
from bot.retraining.progress import KEPT, REPORTS, AlreadyRunning, Progress
from bot.retraining.reviews import Reviews
from bot.settings import PROJECT_ROOT, Settings, get_settings
from bot.shared_secrets import staff_bridge_token
from bot.transcripts.unanswered import fold_key

CANDIDATES = PROJECT_ROOT / "models" / "candidates"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
# Test sets never trained on: the blind messages, the red-flag held-out sets, the public cases.
HELD_OUT = ("tests/data/nlu_independent/*.yml", "tests/data/red_flags/heldout_*.yml", "tests/data/ood/*.yml")


def strings(value: Any) -> List[str]:
    """Every string in a parsed YAML document (the test sets' texts, whatever their layout)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def held_out_texts(paths: Sequence[Path]) -> Set[str]:
    return {fold_key(text) for path in paths for text in strings(yaml.safe_load(path.read_text(encoding="utf-8")))}


def domain_intents(domain_file: Path) -> Set[str]:
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    return {next(iter(entry)) if isinstance(entry, dict) else str(entry) for entry in domain.get("intents") or ()}


def project_plan(settings: Settings) -> job.Plan:
    """The job for this project: its training data, the model `make run` serves, the gate's sets."""
    public = Path(os.environ.get("EVAL_DIR", PROJECT_ROOT.parent / "shared" / "eval"))
    held_out = [path for pattern in HELD_OUT for path in sorted(PROJECT_ROOT.glob(pattern))]
    held_out += [path for path in (public / "public_cases.yml",) if path.exists()]
    return job.Plan(
        reviewed_file=NLU_DIR / "reviewed.yml",
        nlu_files=lambda: sorted(NLU_DIR.glob("*.yml")),
        intents=domain_intents(PROJECT_ROOT / "domain.yml"),
        held_out=held_out_texts(held_out),
        current_model=settings.model_path,
        candidates=CANDIDATES,
        reports=REPORTS,
        train=job.command_trainer(
            lambda out: [
                sys.executable,
                "-m",
                "rasa",
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(out),
                "--fixed-model-name",
                "candidate",
            ]
        ),
        score=job.command_scorer(lambda model: [sys.executable, "-m", "scripts.gate_scores", "--model", str(model)]),
        go_live=golive.reloader(settings.rasa_instance_urls, lambda: staff_bridge_token(settings)),
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    settings = get_settings()
    progress = Progress(REPORTS)
    try:
        progress.acquire()
    except AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        assigned = Reviews(session_factory(get_engine(settings.database_url))).training_examples()
        outcome = job.run(project_plan(settings), assigned)
    finally:
        progress.release()
    print(outcome.report.read_text(encoding="utf-8") if outcome.report else outcome.state)
    return 0 if outcome.state == KEPT else 1


if __name__ == "__main__":
    sys.exit(main())
