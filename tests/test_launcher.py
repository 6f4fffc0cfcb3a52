"""The launcher starts both servers safely and never leaves one running."""
import dataclasses
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import launcher
from bot.settings import Settings
from tests.ports import free_port


@pytest.fixture
def settings(tmp_path) -> Settings:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    base = Settings.from_env({"VAR_DIR": str(tmp_path / "var")})
    return dataclasses.replace(base, model_path=model, rasa_port=free_port(), action_port=free_port())


def test_rasa_server_opens_rest_with_cors_but_not_the_unauthenticated_api(settings):
    cmd = launcher.rasa_server_cmd(settings)
    assert cmd[cmd.index("--cors") + 1] == "*"
    assert "--enable-api" not in cmd
    assert cmd[cmd.index("--credentials") + 1] == "credentials.yml"


def test_servers_get_the_values_endpoints_yml_reads(settings):
    env = launcher.server_env(settings)
    assert env["ACTION_PORT"] == str(settings.action_port)
    assert env["TRACKER_DB"] == str(settings.tracker_db)
    assert env["RASA_TELEMETRY_ENABLED"] == "false"


def test_missing_model_is_a_clear_error(settings, tmp_path):
    stack = launcher.Stack(dataclasses.replace(settings, model_path=tmp_path / "none.tar.gz"), tmp_path / "logs")
    with pytest.raises(RuntimeError, match="make train"):
        stack.start()


def test_a_port_in_use_is_a_clear_error(settings, tmp_path):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", settings.rasa_port))
        busy.listen()
        with pytest.raises(RuntimeError, match=f"port {settings.rasa_port} is already in use"):
            launcher.Stack(settings, tmp_path / "logs").start()


def test_a_server_that_dies_at_start_is_reported_and_the_other_stopped(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(launcher, "action_server_cmd", lambda s: [sys.executable, "-c", "raise SystemExit(3)"])
    monkeypatch.setattr(launcher, "rasa_server_cmd", lambda s: [sys.executable, "-c", "import time; time.sleep(60)"])
    with pytest.raises(RuntimeError, match="actions server exited with code 3"):
        with launcher.running_stack(settings, tmp_path / "logs"):
            pass  # pragma: no cover - never reached


def test_stop_ends_each_server_with_its_children(settings, tmp_path):
    stack = launcher.Stack(settings, tmp_path / "logs")
    parent = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"], start_new_session=True)
    stack.processes["rasa"] = parent
    stack.stop()
    assert parent.poll() is not None
    deadline = time.monotonic() + 5
    while _running_in_group(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running_in_group(parent.pid)


def _running_in_group(pgid: int) -> bool:
    """Any live (not zombie) process in the process group; zombies wait for a reaper."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
