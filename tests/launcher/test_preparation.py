"""Before any server starts: the databases are migrated and var/ and its files are private."""

import dataclasses
import stat
import sys
from pathlib import Path

import pytest

from bot.launcher import supervision
from tests.launcher.conftest import http_stand_in
from tests.ports import free_port


def test_a_database_that_cannot_be_migrated_is_a_clear_error_before_any_server_starts(settings, tmp_path):
    down = dataclasses.replace(settings, database_url=f"postgresql://clinic:s3cret@127.0.0.1:{free_port()}/x")
    stack = supervision.Stack(down, tmp_path / "logs")
    with pytest.raises(RuntimeError, match="could not migrate the handoff database") as raised:
        stack.start()
    assert "s3cret" not in str(raised.value)
    assert stack.processes == {}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_stack_keeps_var_private_and_tightens_what_an_older_run_left_open(settings, monkeypatch):
    var, logs = settings.var_dir, settings.var_dir / "logs"
    logs.mkdir(parents=True)
    for directory in (var, logs):
        directory.chmod(0o755)
    old_log = logs / "rasa.log"
    old_log.write_text("an older run\n")
    settings.tracker_db.touch()
    for path in (old_log, settings.tracker_db):
        path.chmod(0o644)
    made_by_a_server = var / "made-by-the-action-server"
    serve = "import runpy, sys; sys.argv = ['http.server', sys.argv[1], '--bind', '127.0.0.1']; runpy.run_module('http.server', run_name='__main__')"
    monkeypatch.setattr(
        supervision, "action_server_cmd",
        lambda s: [sys.executable, "-c", f"open({str(made_by_a_server)!r}, 'w').close(); {serve}", str(s.action_port)],
    )  # fmt: skip
    monkeypatch.setattr(supervision, "rasa_server_cmd", lambda s: http_stand_in(s.rasa_port))
    with supervision.running_stack(settings, logs):
        assert (_mode(var), _mode(logs)) == (0o700, 0o700)
        databases = [settings.tracker_db, *(Path(f"{settings.tracker_db}{s}") for s in ("-wal", "-shm"))]
        for path in [*databases, settings.action_token_file, *logs.glob("*.log"), made_by_a_server]:
            if path.exists():  # SQLite's journals come and go
                assert _mode(path) == 0o600, path
        assert {"rasa.log", "actions.log", "staff.log"} <= {log.name for log in logs.glob("*.log")}
        assert made_by_a_server.exists() and _mode(settings.tracker_db) == 0o600
