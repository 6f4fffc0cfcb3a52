"""Files that hold patient data or secrets are readable by the account that runs us only.

`var/` holds the SQLite databases (conversations, handoffs, contacts), the servers' logs
and the generated tokens. A default umask (022) would leave all of them readable by
every account on the host, so each is made private where it is made: directories 0700,
files 0600. Files that an older version left open are tightened at the next start, as
long as they are ours (never a shared directory such as /tmp, which is sticky).
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# What child processes create: nothing for the group or others.
PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (created 0700 if missing)."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _tighten(path, PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    """Make the existing file `path` readable and writable by its owner only; a missing one is left alone."""
    if path.exists():
        _tighten(path, PRIVATE_FILE)


def open_private_log(path: Path) -> BinaryIO:
    """`path` opened for appending, created 0600 (and tightened if it already existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    file = os.fdopen(descriptor, "ab")
    _tighten(path, PRIVATE_FILE)
    return file


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (SQLite then opens it as a new database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        pass


def read_or_create_secret(path: Path) -> str:
    """The secret in `path`; a new random one (mode 0600) when the file is missing.

    Two processes starting at once agree, and neither reads a half-written file: the
    secret is written to a private temporary file first, which is then linked into
    place only if `path` does not exist yet (the loser of that race reads the winner's).
    The caller checks what it read.
    """
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(32)
    temporary = _private_temporary(path, secret)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        temporary.unlink(missing_ok=True)
    return secret


def write_private(path: Path, text: str) -> None:
    """Replace `path` with a file holding `text`, mode 0600 from its creation (atomic rename)."""
    temporary = _private_temporary(path, text)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _private_temporary(path: Path, text: str) -> Path:
    """A new 0600 file beside `path` (same file system, for link and rename) holding `text`."""
    private_dir(path.parent)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text + "\n")
    return Path(name)


def _tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when it is ours and more open than that; shared (sticky) directories stay as they are."""
    info = path.stat()
    current = stat.S_IMODE(info.st_mode)
    if info.st_uid != os.geteuid() or current & stat.S_ISVTX or (current & ~mode) == 0:
        return
    path.chmod(mode)
