import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.assistants import free_port
from bench.load import rest_url
from bench.servers import ProcessSpec, Ready, answers_message, children, started, tree_kb, vm_rss_kb
from bot.launcher.supervision import stop_processes
from tests.bench.echo_server import EchoServer, Serving

PARENT_WITH_CHILD = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
)


def _wait_for_child(pid: int) -> int:
    for _ in range(100):
        found = children(pid)
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the child never started")


def test_memory_of_a_tree_counts_its_children_and_stopping_ends_them_all() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT_WITH_CHILD], start_new_session=True)
    child = _wait_for_child(parent.pid)
    assert tree_kb(parent.pid, vm_rss_kb) > vm_rss_kb(parent.pid) > 0
    stop_processes([parent])
    assert parent.poll() is not None
    assert _ends(child)


def _ends(pid: int) -> bool:
    """True once `pid` is gone or a zombie (signals arrive asynchronously)."""
    for _ in range(100):
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_started_times_the_cold_start_and_stops_the_processes(tmp_path: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    spec = ProcessSpec("web", cmd, dict(os.environ), tmp_path, Ready(f"http://127.0.0.1:{port}/", "health"))
    with started([spec], tmp_path / "logs") as running:
        assert running.cold_start_s > 0
        assert running.rss_mb()["web"] > 1 and running.pss_mb()["web"] > 1
        process = running.processes["web"]
    assert process.poll() is not None
    assert (tmp_path / "logs" / "web.log").exists()


def test_a_process_that_exits_before_serving_fails_with_its_log(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", "print('cannot start'); raise SystemExit(3)"]
    spec = ProcessSpec("broken", cmd, dict(os.environ), tmp_path, Ready(f"http://127.0.0.1:{free_port()}/", "health"))
    with pytest.raises(RuntimeError, match="exited with code 3.*cannot start"):
        with started([spec], tmp_path / "logs"):
            pass


def test_a_message_counts_as_answered_only_with_bot_messages() -> None:
    with Serving(EchoServer()) as echo:
        assert answers_message(rest_url(echo.url))
        echo.status = 500
        assert not answers_message(rest_url(echo.url))
    assert not answers_message(rest_url(f"http://127.0.0.1:{free_port()}"))
