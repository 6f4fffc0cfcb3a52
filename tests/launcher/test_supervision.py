"""The stack starts every server safely, reports one that dies, and never leaves one running."""

import dataclasses
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.db.engine import get_engine
from bot.launcher import supervision
from bot.settings import Settings
from tests.db.databases import fresh_database
from tests.http_server import call
from tests.launcher.conftest import CLINIC_SITE, SLEEP, http_stand_in, status
from tests.ports import free_port
from tests.reliability.conftest import REDIS_URL, consecutive_free_ports, require_redis


def test_missing_model_is_a_clear_error(settings, tmp_path):
    stack = supervision.Stack(dataclasses.replace(settings, model_path=tmp_path / "none.tar.gz"), tmp_path / "logs")
    with pytest.raises(RuntimeError, match="make train"):
        stack.start()


@pytest.mark.parametrize("server", ["rasa_port", "staff_port"])
def test_a_port_in_use_is_a_clear_error(settings, tmp_path, server):
    port = getattr(settings, server)
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", port))
        busy.listen()
        with pytest.raises(RuntimeError, match=f"port {port} is already in use"):
            supervision.Stack(settings, tmp_path / "logs").start()


def test_the_stack_migrates_then_serves_the_staff_api_with_its_token(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(supervision, "action_server_cmd", lambda s: http_stand_in(s.action_port))
    monkeypatch.setattr(supervision, "rasa_server_cmd", lambda s: http_stand_in(s.rasa_port))
    with supervision.running_stack(settings, tmp_path / "logs") as stack:
        with sqlite3.connect(settings.tracker_db) as connection:
            assert connection.execute("SELECT count(*) FROM handoffs").fetchone() == (0,)
        token_file = settings.staff_token_file
        assert token_file.read_text().strip() == stack.staff_token
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert stack.staff_url == f"http://localhost:{settings.staff_port}"
        assert call(f"{stack.staff_url}/api/handoffs", token=stack.staff_token)[::2] == (200, [])
        assert call(f"{stack.staff_url}/api/handoffs")[0] == 401
        staff = stack.processes["staff"]
    assert staff.poll() is not None


def test_a_server_that_dies_at_start_is_reported_and_the_other_stopped(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(supervision, "action_server_cmd", lambda s: [sys.executable, "-c", "raise SystemExit(3)"])
    monkeypatch.setattr(supervision, "rasa_server_cmd", lambda s: SLEEP)
    monkeypatch.setattr(supervision, "staff_server_cmd", lambda s: SLEEP)
    with pytest.raises(RuntimeError, match="actions server exited with code 3"):
        with supervision.running_stack(settings, tmp_path / "logs"):
            pass  # pragma: no cover - never reached


def test_stop_ends_each_server_with_its_children(settings, tmp_path):
    stack = supervision.Stack(settings, tmp_path / "logs")
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
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def test_one_server_can_be_stopped_and_started_again(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(supervision, "action_server_cmd", lambda s: http_stand_in(s.action_port))
    monkeypatch.setattr(supervision, "rasa_server_cmd", lambda s: http_stand_in(s.rasa_port))
    with supervision.running_stack(settings, tmp_path / "logs") as stack:
        first = stack.processes["actions"]
        stack.stop_server("actions", signal.SIGKILL)
        assert first.poll() is not None and "actions" not in stack.processes
        stack.start_server("actions", {"DATABASE_URL": "postgresql://nowhere/x"})
        assert stack.processes["actions"].poll() is None
        assert status(f"{stack.action_url}/") == 200
        with pytest.raises(RuntimeError, match="already running"):
            stack.start_server("actions")
        with pytest.raises(ValueError, match="no server named"):
            stack.start_server("proxy")


def test_a_prod_stack_prepares_postgresql_and_answers_through_the_proxy(tmp_path, monkeypatch):
    """Everything of the prod profile but Rasa itself (stand-ins), on the real PostgreSQL and Redis."""
    require_redis()
    monkeypatch.setattr(supervision, "action_server_cmd", lambda s: http_stand_in(s.action_port))
    monkeypatch.setattr(supervision, "rasa_server_cmd", lambda s, profile, port: http_stand_in(port))
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    with fresh_database("postgresql", tmp_path) as url:
        profile = tmp_path / "profile.yml"  # the servers read it themselves, and refuse the demo one
        profile.write_text(
            "name: Atalo Aesthetics\nphone: '(617) 555-0142'\ntime_zone: America/New_York\n", encoding="utf-8"
        )
        base = Settings.from_env(
            {
                "VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
                "CLINIC_PROFILE": str(profile), "CORS_ORIGINS": CLINIC_SITE,
            }
        )  # fmt: skip
        first = consecutive_free_ports(3)
        prod = dataclasses.replace(
            base, model_path=model, rasa_port=first, action_port=free_port(), staff_port=free_port()
        )
        with supervision.running_stack(
            dataclasses.replace(prod, rasa_instances=2), tmp_path / "logs", profile=supervision.PROD
        ) as stack:
            tables = inspect(get_engine(url)).get_table_names()
            assert {"handoffs", "events"} <= set(tables)
            assert status(f"{stack.rasa_url}/") == 200  # the proxy, forwarding to a stand-in
            assert sorted(stack.processes) == ["actions", "proxy", "rasa-1", "rasa-2", "staff"]


def test_an_unusable_action_token_stops_the_start_before_any_server(settings, tmp_path):
    stack = supervision.Stack(dataclasses.replace(settings, action_server_token="short"), tmp_path / "logs")
    with pytest.raises(RuntimeError, match="action server token from ACTION_SERVER_TOKEN must be at least 16"):
        stack.start()
    assert stack.processes == {}
