"""The retrain job's progress, in a small JSON file the console reads, and the lock that
keeps it to one job at a time (the console's button and `make retrain` alike).

The lock is a file created exclusively, holding the job's process id; a lock whose
process is gone (killed, machine restarted) is stale and taken over.

The console writes STARTING before it starts the job's process, so the page says so at
once rather than "never run" or the last run's result until the process has imported
what it needs and taken the lock; a STARTING job that has not taken the lock within
START_GRACE_S never started, and reads as failed.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Optional

from bot.db.models import utcnow
from bot.settings import PROJECT_ROOT

REPORTS = PROJECT_ROOT / "results" / "retrain"  # reports, the baseline, the status and the lock
STATUS_FILE = "status.json"
LOCK_FILE = "running.lock"
RUNNING, KEPT, REJECTED, FAILED = "running", "kept", "rejected", "failed"
STARTING = "starting"  # the console started the job's process; it has not taken the lock yet
START_GRACE_S = 120.0  # the job takes its lock after its imports: seconds, a minute on a busy machine


class AlreadyRunning(RuntimeError):
    """Another retrain job holds the lock."""


class Progress:
    """Status and lock files in `directory` (results/retrain/)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def status(self) -> Optional[Dict[str, Any]]:
        """The latest job's status (None: never run); `running` is False when its process is gone."""
        try:
            status = json.loads((self.directory / STATUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        state = status.get("state")
        if state in (RUNNING, STARTING) and not self.running() and not (state == STARTING and _fresh(status)):
            status["state"] = FAILED
            status["step"] = "stopped before it finished" if state == RUNNING else "did not start"
        return dict(status)

    def busy(self) -> bool:
        """A job runs, or was started moments ago and has not taken the lock yet."""
        status = self.status()
        return status is not None and status.get("state") in (RUNNING, STARTING)

    def running(self) -> bool:
        pid = self._lock_pid()
        return pid is not None and _alive(pid)

    def acquire(self) -> None:
        """Take the lock for this process (AlreadyRunning when a live job has it)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = self.directory / LOCK_FILE
        if self.running():
            raise AlreadyRunning("a retrain is already running")
        lock.unlink(missing_ok=True)  # stale: its process is gone
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            raise AlreadyRunning("a retrain is already running") from None
        with os.fdopen(descriptor, "w") as handle:
            handle.write(str(os.getpid()))

    def release(self) -> None:
        (self.directory / LOCK_FILE).unlink(missing_ok=True)

    def update(self, state: str, step: str, **extra: Any) -> None:
        """Write the status (atomically: the console never reads half a file)."""
        previous = self.status() or {}
        carried = state != RUNNING or previous.get("state") in (RUNNING, STARTING)
        status = {**(previous if carried else {}), **extra}
        status.update(state=state, step=step, updated_at=utcnow().isoformat())
        status.setdefault("started_at", status["updated_at"])
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / f".{STATUS_FILE}.{os.getpid()}"
        temporary.write_text(json.dumps(status, indent=2), encoding="utf-8")
        os.replace(temporary, self.directory / STATUS_FILE)

    def _lock_pid(self) -> Optional[int]:
        try:
            return int((self.directory / LOCK_FILE).read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None


def _fresh(status: Dict[str, Any]) -> bool:
    try:
        written = datetime.fromisoformat(str(status.get("updated_at")))
    except ValueError:
        return False
    return (utcnow() - written).total_seconds() < START_GRACE_S


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
