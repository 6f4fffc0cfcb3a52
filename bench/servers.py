"""Start an assistant's processes, time their cold start, read their memory, stop them.

Cold start is measured from the moment the processes are spawned to the first message
answered over REST (and, for ours, the action server answering its health check too),
because that is when a patient can first be served after a restart or a deploy.
Memory is VmRSS summed over each process's whole tree (/proc), so the several Sanic
workers of the production mode all count; PSS is read too, because forked workers
share pages that RSS counts once per worker.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Mapping, Sequence

from bot.launcher.supervision import answers_http, stop_processes

START_TIMEOUT_S = 300.0
POLL_S = 0.1
PROBE_SENDER = "bench-cold-start"


@dataclass(frozen=True)
class Ready:
    """How to tell a process is serving: `message` POSTs a REST message and wants an
    answer; `health` wants any status below 500 from a GET."""

    url: str
    kind: str  # "message" or "health"

    def check(self) -> bool:
        return answers_message(self.url) if self.kind == "message" else answers_http(self.url, timeout=5)


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    cmd: List[str]
    env: Mapping[str, str] = field(repr=False)
    cwd: Path
    ready: Ready


@dataclass
class Running:
    """Started processes by name, and how long they took to serve (cold start)."""

    processes: Dict[str, subprocess.Popen]
    cold_start_s: float

    def rss_mb(self) -> Dict[str, float]:
        """VmRSS of each process tree: what the issue's memory target counts."""
        return {name: tree_kb(process.pid, vm_rss_kb) / 1024 for name, process in self.processes.items()}

    def pss_mb(self) -> Dict[str, float]:
        """Proportional set size of each tree: pages that forked Sanic workers share are
        counted once, which RSS counts in every worker."""
        return {name: tree_kb(process.pid, pss_kb) / 1024 for name, process in self.processes.items()}


def answers_message(url: str) -> bool:
    """True once a REST message to `url` gets a 200 with a non-empty list of bot messages."""
    body = json.dumps({"sender": PROBE_SENDER, "message": "hello"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200 and bool(json.loads(response.read() or b"[]"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def children(pid: int) -> List[int]:
    """Direct children of `pid`, from /proc/<pid>/task/*/children."""
    found: List[int] = []
    for children_file in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(child) for child in children_file.read_text().split())
    return found


def tree_kb(pid: int, read: Callable[[int], int]) -> int:
    """`read` (kB) summed over `pid` and all its descendants (0 for processes gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += read(current)
        pending.extend(children(current))
    return total


def vm_rss_kb(pid: int) -> int:
    return proc_field_kb(Path(f"/proc/{pid}/status"), "VmRSS:")


def pss_kb(pid: int) -> int:
    return proc_field_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss:")


def proc_field_kb(path: Path, field_name: str) -> int:
    """The kB figure of the line starting with `field_name` ("VmRSS:") in a /proc file; 0 if none."""
    try:
        text = path.read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field_name):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def started(specs: Sequence[ProcessSpec], log_dir: Path) -> Iterator[Running]:
    """All `specs` spawned at once and serving inside the block, stopped after it."""
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: Dict[str, subprocess.Popen] = {}
    try:
        begin = time.monotonic()
        for spec in specs:
            with open(log_dir / f"{spec.name}.log", "ab") as log:
                processes[spec.name] = subprocess.Popen(
                    spec.cmd, cwd=spec.cwd, env=dict(spec.env), stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        _wait_until_ready(specs, processes, log_dir)
        yield Running(processes, time.monotonic() - begin)
    finally:
        stop_processes(list(processes.values()))


def _wait_until_ready(specs: Sequence[ProcessSpec], processes: Dict[str, subprocess.Popen], log_dir: Path) -> None:
    waiting = list(specs)
    deadline = time.monotonic() + START_TIMEOUT_S
    while waiting:
        for spec in list(waiting):
            if processes[spec.name].poll() is not None:
                raise RuntimeError(
                    f"{spec.name} exited with code {processes[spec.name].returncode}: {_tail(log_dir, spec.name)}"
                )
            if spec.ready.check():
                waiting.remove(spec)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{', '.join(s.name for s in waiting)} not serving after {START_TIMEOUT_S:.0f} s")
        if waiting:
            time.sleep(POLL_S)


def _tail(log_dir: Path, name: str, chars: int = 2000) -> str:
    with contextlib.suppress(OSError):
        return (log_dir / f"{name}.log").read_text(errors="replace")[-chars:]
    return "(no log)"
