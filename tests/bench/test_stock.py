import json
from pathlib import Path
from typing import List

import pytest

from bench import stock
from bench.training import EDIT_SUFFIX, TrainingRun

DOMAIN = 'responses:\n  utter_goodbye:\n    - text: "Bye"\n'


def _fake_init(project: Path) -> None:
    (project / "models").mkdir(parents=True)
    (project / "models" / "20260101-stock.tar.gz").write_bytes(b"model")
    (project / "domain.yml").write_text(DOMAIN)
    (project / ".rasa" / "cache").mkdir(parents=True)


@pytest.fixture
def trained_copies(monkeypatch: pytest.MonkeyPatch) -> List[Path]:
    """`rasa train` replaced: records the copies it would train."""
    copies: List[Path] = []

    def train(project: Path, env: dict, log: Path) -> TrainingRun:
        copies.append(project)
        return TrainingRun(7.5, [], ["DIETClassifier", "TEDPolicy"])

    monkeypatch.setattr(stock, "train", train)
    return copies


def test_builds_the_reference_with_rasa_init_and_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         trained_copies: List[Path]) -> None:  # fmt: skip
    inits: List[list] = []

    def timed_rasa(args: list, cwd: Path, env: dict, log: Path) -> TrainingRun:
        inits.append(args)
        _fake_init(Path(args[-1]))
        return TrainingRun(80.0, ["DIETClassifier"], [])

    monkeypatch.setattr(stock, "timed_rasa", timed_rasa)
    reference = stock.reference(tmp_path / "work", {}, reuse=True, root=tmp_path / "cache")
    assert inits == [["init", "--no-prompt", "--init-dir", str(reference.project)]]
    assert reference.training.full_s == 80.0 and "in this run" in reference.training.full_note
    assert json.loads((stock.cache_dir(tmp_path / "cache") / "training.json").read_text())["seconds"] == 80.0
    assert reference.model.name == "20260101-stock.tar.gz"
    assert reference.training.response_only_s == 7.5 and reference.training.restored == ["DIETClassifier", "TEDPolicy"]


def test_a_quick_run_reuses_the_cached_reference_and_edits_only_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_copies: List[Path]
) -> None:
    home = stock.cache_dir(tmp_path / "cache")
    _fake_init(home / "project")
    (home / "training.json").write_text(json.dumps({"seconds": 90.0, "measured_at": "2026-11-28 12:00"}))
    monkeypatch.setattr(stock, "timed_rasa", lambda *a: pytest.fail("rasa init ran again"))
    reference = stock.reference(tmp_path / "work", {}, reuse=True, root=tmp_path / "cache")
    assert reference.training.full_s == 90.0 and "earlier run" in reference.training.full_note
    (copy,) = trained_copies
    assert EDIT_SUFFIX in (copy / "domain.yml").read_text()
    assert (copy / ".rasa" / "cache").is_dir() and not (copy / "models").exists()
    assert (home / "project" / "domain.yml").read_text() == DOMAIN


def test_the_cache_is_keyed_by_rasa_version(tmp_path: Path) -> None:
    assert stock.cache_dir(tmp_path).name.startswith("rasa-3.")
