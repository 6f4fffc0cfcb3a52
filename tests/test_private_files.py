"""Files with patient data or secrets are created private, and tightened when an older run left them open."""

import os
import stat
from pathlib import Path

from bot.private_files import create_private_file, make_private, open_private_log, private_dir, read_or_create_secret


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_private_dir_is_created_0700_and_an_open_one_tightened(tmp_path):
    made = private_dir(tmp_path / "var")
    assert _mode(made) == 0o700
    made.chmod(0o755)
    private_dir(made)
    assert _mode(made) == 0o700


def test_a_shared_sticky_directory_is_left_as_it_is(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    private_dir(shared)
    assert _mode(shared) == 0o1777


def test_files_are_created_0600_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        create_private_file(tmp_path / "tracker.db")
        with open_private_log(tmp_path / "rasa.log") as log:
            log.write(b"started\n")
        secret = read_or_create_secret(tmp_path / "new" / "token")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "tracker.db") == 0o600 and (tmp_path / "tracker.db").read_bytes() == b""
    assert _mode(tmp_path / "rasa.log") == 0o600
    assert _mode(tmp_path / "new") == 0o700 and _mode(tmp_path / "new" / "token") == 0o600
    assert read_or_create_secret(tmp_path / "new" / "token") == secret


def test_existing_files_are_tightened_and_kept(tmp_path):
    database, log = tmp_path / "tracker.db", tmp_path / "rasa.log"
    for path in (database, log):
        path.write_bytes(b"kept")
        path.chmod(0o644)
    make_private(database)
    with open_private_log(log) as file:
        file.write(b" and more")
    assert (_mode(database), _mode(log)) == (0o600, 0o600)
    assert (database.read_bytes(), log.read_bytes()) == (b"kept", b"kept and more")
    create_private_file(database)  # an existing database is never truncated
    assert database.read_bytes() == b"kept"
    make_private(tmp_path / "missing")  # nothing to do, no error


def test_the_loser_of_a_creation_race_reads_the_winners_secret(tmp_path, monkeypatch):
    from bot import private_files

    path = tmp_path / "var" / "secret"
    real_link = private_files.os.link

    def another_process_won(source, target):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text("winner-secret\n", encoding="utf-8")
        real_link(source, target)  # raises FileExistsError, as the real race would

    monkeypatch.setattr(private_files.os, "link", another_process_won)
    assert private_files.read_or_create_secret(path) == "winner-secret"
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary left behind


def test_write_private_replaces_the_file_whole_and_private(tmp_path):
    from bot.private_files import write_private

    path = tmp_path / "token"
    write_private(path, "first")
    write_private(path, "second")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["token"]
