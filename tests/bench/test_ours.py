from pathlib import Path
from typing import List

import pytest

from bench import ours
from bench.training import EDIT_SUFFIX, TrainingRun


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch) -> List[tuple]:
    """`rasa train` replaced: records the project it trained and whether a cache was there."""
    calls: List[tuple] = []

    def train(project: Path, env: dict, log: Path) -> TrainingRun:
        calls.append((project, (project / ".rasa").exists(), EDIT_SUFFIX in (project / "domain.yml").read_text()))
        return TrainingRun(300.0 if len(calls) == 1 else 11.0, [], ["DIETClassifier"])

    monkeypatch.setattr(ours, "train", train)
    return calls


def test_a_full_run_trains_from_scratch_then_after_the_edit(tmp_path: Path, trainings: List[tuple]) -> None:
    result = ours.training(tmp_path, {}, full=True)
    (first, first_cache, first_edited), (_, _, second_edited) = trainings
    assert not first_cache and not first_edited and second_edited
    assert result.full_s == 300.0 and result.response_only_s == 11.0
    assert first == tmp_path / "ours-train" and (first / "data").is_dir()


def test_a_quick_run_retrains_once_with_a_copy_of_the_projects_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trainings: List[tuple]
) -> None:
    cache = tmp_path / "project-cache"
    (cache / "cache").mkdir(parents=True)
    monkeypatch.setattr(ours, "PROJECT_CACHE", cache)
    result = ours.training(tmp_path / "work", {}, full=False)
    ((_, had_cache, edited),) = trainings
    assert had_cache and edited
    assert result.full_s is None and "quick" in result.full_note
    assert "copy of the project's .rasa cache" in result.cache_note
