"""`rasa train`, timed, and what Rasa's fingerprinting did: which graph components it
trained and which it restored from its cache.

A response text is not a training input of NLU or the policies, so after changing only
one, Rasa should restore every component and just package the new domain. The log
lines of `rasa.engine.training.hooks` say for each component which of the two
happened; the report lists them, so "fingerprinting skipped the training" is checked,
not assumed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

import yaml

TRAINED = re.compile(r"Finished training component '([\w.]+)'")
RESTORED = re.compile(r"Restored component '([\w.]+)' from cache")
EDIT_SUFFIX = " (edited by the benchmark)"


@dataclass(frozen=True)
class TrainingRun:
    seconds: float
    trained: List[str]
    restored: List[str]


def components(log: str) -> TrainingRun:
    """Trained and restored component names in a `rasa train` log (seconds unset)."""
    return TrainingRun(0.0, sorted(TRAINED.findall(log)), sorted(RESTORED.findall(log)))


def timed_rasa(args: Sequence[str], cwd: Path, env: Mapping[str, str], log_path: Path) -> TrainingRun:
    """Run `python -m rasa <args>` in `cwd` (where Rasa keeps its `.rasa` cache), timed."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    begin = time.monotonic()
    with open(log_path, "wb") as log:
        finished = subprocess.run(
            [sys.executable, "-m", "rasa", *args], cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
    seconds = time.monotonic() - begin
    text = log_path.read_text(errors="replace")
    if finished.returncode != 0:
        raise RuntimeError(f"rasa {' '.join(args)} failed in {cwd}: {text[-2000:]}")
    found = components(text)
    return TrainingRun(seconds, found.trained, found.restored)


def train(project: Path, env: Mapping[str, str], log_path: Path) -> TrainingRun:
    """`rasa train` of `project`'s config.yml, domain.yml and data/ into `project`/models."""
    return timed_rasa(["train", "--out", "models"], project, env, log_path)


def edit_one_response(domain: Path, response: str) -> str:
    """Change the first text of `response` in `domain` (the file's bytes, not a YAML
    round trip, so nothing else changes) and return the new text."""
    raw = domain.read_text(encoding="utf-8")
    old = _first_text(raw, response)
    if old is None:
        raise ValueError(f"{domain} has no text for {response}")
    new = old + EDIT_SUFFIX
    edited = raw.replace(old, new, 1)
    if _first_text(edited, response) != new:  # written with escapes, or another response has it first
        raise ValueError(f"could not edit the text of {response} in {domain} in place")
    domain.write_text(edited, encoding="utf-8")
    return new


def _first_text(raw: str, response: str) -> Optional[str]:
    variants = (yaml.safe_load(raw).get("responses") or {}).get(response) or []
    return next((v["text"] for v in variants if isinstance(v, dict) and "text" in v), None)
