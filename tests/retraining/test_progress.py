"""The retrain job's status file and its one-at-a-time lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from bot.db.models import utcnow
from bot.retraining import progress as progress_module
from bot.retraining.progress import (
    FAILED,
    KEPT,
    LOCK_FILE,
    RUNNING,
    STARTING,
    STATUS_FILE,
    AlreadyRunning,
    Progress,
)


@pytest.fixture
def progress(tmp_path) -> Progress:
    return Progress(tmp_path / "retrain")


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def test_never_run_has_no_status_and_is_not_busy(progress):
    assert progress.status() is None and not progress.busy() and not progress.running()


def test_one_job_at_a_time_and_the_lock_is_released(progress):
    progress.acquire()
    assert progress.running()
    with pytest.raises(AlreadyRunning):
        progress.acquire()
    progress.release()
    assert not progress.running()
    progress.acquire()  # free again


def test_a_lock_whose_process_is_gone_is_taken_over(progress):
    progress.directory.mkdir(parents=True)
    (progress.directory / LOCK_FILE).write_text(str(_dead_pid()))
    assert not progress.running()
    progress.acquire()
    assert (progress.directory / LOCK_FILE).read_text() == str(os.getpid())


def test_a_running_job_keeps_its_start_and_a_new_run_forgets_the_last_report(progress):
    progress.update(KEPT, "kept", report="old.md")
    progress.acquire()
    progress.update(RUNNING, "writing", started_at="2026-01-01T00:00:00+00:00", report=None)
    progress.update(RUNNING, "training")
    status = progress.status()
    assert status["state"] == RUNNING and status["step"] == "training"
    assert status["started_at"] == "2026-01-01T00:00:00+00:00" and status["report"] is None
    progress.update(KEPT, "kept: done", report="new.md")
    assert progress.status()["report"] == "new.md" and progress.status()["started_at"] == "2026-01-01T00:00:00+00:00"
    assert not list(progress.directory.glob(f".{STATUS_FILE}.*"))  # written whole, then renamed


def test_a_running_job_whose_process_died_reads_as_failed(progress):
    progress.update(RUNNING, "training")
    status = progress.status()
    assert status["state"] == FAILED and status["step"] == "stopped before it finished"
    assert not progress.busy()


def test_a_job_just_started_is_busy_until_it_takes_the_lock_and_runs(progress):
    progress.update(STARTING, "starting", report=None)
    assert progress.status()["state"] == STARTING and progress.busy()
    progress.acquire()
    progress.update(RUNNING, "writing")
    assert progress.status()["state"] == RUNNING and progress.busy()


def test_a_job_that_never_took_the_lock_reads_as_failed_after_the_grace(progress, monkeypatch):
    progress.update(STARTING, "starting")
    later = utcnow() + timedelta(seconds=progress_module.START_GRACE_S + 1)
    monkeypatch.setattr(progress_module, "utcnow", lambda: later)
    status = progress.status()
    assert status["state"] == FAILED and status["step"] == "did not start" and not progress.busy()


def test_an_unreadable_status_is_no_status(progress):
    progress.directory.mkdir(parents=True)
    (progress.directory / STATUS_FILE).write_text("{half")
    assert progress.status() is None
    (progress.directory / STATUS_FILE).write_text(json.dumps({"state": STARTING, "updated_at": "not a time"}))
    assert progress.status()["state"] == FAILED
