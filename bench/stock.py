"""The reference: a stock `rasa init` assistant, trained with its default config in a
folder of its own, and its training times.

`rasa init --no-prompt` scaffolds the project and trains it; that whole command is the
full training a Rasa user starts from, and is what we time. The trained project (its
model and its own `.rasa` cache, never ours) is kept in ~/.cache/cit-clinic/bench-stock/
rasa-<version>/ (`BENCH_STOCK_CACHE` to move it), outside the clone, so a quick run, and
so every fresh clone's `make test` on the same machine, reuses it instead of spending
minutes retraining a model that cannot have changed (issue 18: CI time); a full run
always trains it again and refreshes that copy.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import List, Mapping

from bench.results import TrainingResult
from bench.training import TrainingRun, edit_one_response, timed_rasa, train
from bot.settings import PROJECT_ROOT

CACHE_ROOT = Path(os.environ.get("BENCH_STOCK_CACHE") or Path.home() / ".cache" / "cit-clinic" / "bench-stock")
EDITED_RESPONSE = "utter_goodbye"  # both assistants have one


@dataclass(frozen=True)
class Reference:
    project: Path
    model: Path
    training: TrainingResult


def cache_dir(root: Path = CACHE_ROOT) -> Path:
    """Keyed by Rasa's version: a new Rasa means a new `rasa init` project and model."""
    return root / f"rasa-{version('rasa')}"


def reference(work: Path, env: Mapping[str, str], reuse: bool, root: Path = CACHE_ROOT) -> Reference:
    """The trained stock project (built now, or reused when `reuse` and cached), and its
    training figures: full, and after changing one response text in a copy of it."""
    home = cache_dir(root)
    project, record = home / "project", home / "training.json"
    if reuse and record.exists() and list((project / "models").glob("*.tar.gz")):
        full = json.loads(record.read_text())
        full_note = f"measured on {full['measured_at']} by an earlier run, whose model --quick reuses ({_shown(home)})"
    else:
        shutil.rmtree(home, ignore_errors=True)
        project.mkdir(parents=True)
        run = timed_rasa(
            ["init", "--no-prompt", "--init-dir", str(project)], home, env, work / "logs" / "stock-init.log"
        )
        full = {"seconds": run.seconds, "measured_at": time.strftime("%Y-%m-%d %H:%M")}
        record.write_text(json.dumps(full, indent=2) + "\n")
        full_note = f"`rasa init --no-prompt` (scaffold and train) in this run; the project is kept in {_shown(home)}"
    retrain = retrain_after_edit(project, work / "stock-retrain", env, work / "logs" / "stock-retrain.log")
    return Reference(
        project=project,
        model=newest_model(project),
        training=TrainingResult(
            full_s=full["seconds"],
            full_note=full_note,
            response_only_s=retrain.seconds,
            retrained=retrain.trained,
            restored=retrain.restored,
            cache_note="the stock project's own .rasa cache, left by its full training",
        ),
    )


def retrain_after_edit(project: Path, copy: Path, env: Mapping[str, str], log: Path) -> TrainingRun:
    """`rasa train` in a copy of `project` (with its `.rasa` cache, without its models)
    after changing one response text, so the project itself is left as it was."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("models"))
    edit_one_response(copy / "domain.yml", EDITED_RESPONSE)
    return train(copy, env, log)


def newest_model(project: Path) -> Path:
    """The newest model `rasa init` / `rasa train` wrote into `project`/models."""
    models: List[Path] = sorted((project / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError(f"no model in {project / 'models'}")
    return models[-1]


def _shown(path: Path) -> str:
    """A path as the report shows it: in the project, or under the home folder as ~."""
    for root, shown in ((PROJECT_ROOT, ""), (Path.home(), "~/")):
        try:
            return shown + str(path.relative_to(root))
        except ValueError:
            continue
    return str(path)
