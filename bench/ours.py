"""Our assistant's training figures, measured on copies so the real `make run` model
and `.rasa` cache are never touched.

A full run trains a copy of config.yml, domain.yml and data/ from scratch (an empty
cache: the full training time), then changes one response text and trains again with
the cache that training left. A quick run skips the full training (about six minutes
on 2 cores) and retrains after the edit with a copy of the project's own `.rasa` cache,
which `make train` (a prerequisite of `make bench`) left warm for these exact files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Mapping

from bench.results import TrainingResult
from bench.stock import EDITED_RESPONSE
from bench.training import edit_one_response, train
from bot.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain.yml", "data")
PROJECT_CACHE = PROJECT_ROOT / ".rasa"


def training(work: Path, env: Mapping[str, str], full: bool) -> TrainingResult:
    project = work / "ours-train"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in TRAINING_INPUTS:
        source = PROJECT_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    logs = work / "logs"
    if full:
        full_s = train(project, env, logs / "ours-full-train.log").seconds
        full_note = "`rasa train` with an empty cache, in this run"
        cache_note = "the cache this run's full training left"
    else:
        full_s, full_note = None, "not measured by a quick run (about six minutes on 2 cores): `make bench` measures it"
        if PROJECT_CACHE.is_dir():
            shutil.copytree(PROJECT_CACHE, project / ".rasa")
            cache_note = "a copy of the project's .rasa cache, left by `make train`"
        else:
            cache_note = "none: the project has no .rasa cache yet, so this was a full training"
    edit_one_response(project / "domain.yml", EDITED_RESPONSE)
    retrain = train(project, env, logs / "ours-retrain.log")
    return TrainingResult(full_s, full_note, retrain.seconds, retrain.trained, retrain.restored, cache_note)
