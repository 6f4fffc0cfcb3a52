"""`python -m bot.staff` serves the API on STAFF_PORT, making its token file if needed."""
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT
from tests.ports import free_port
from tests.staff.server import call

START_WAIT_S = 30.0


def test_the_module_serves_the_api(tmp_path):
    port, var_dir = free_port(), tmp_path / "var"
    url = f"sqlite:///{tmp_path / 'handoffs.db'}"
    upgrade(url)
    env = {**os.environ, "VAR_DIR": str(var_dir), "STAFF_PORT": str(port), "DATABASE_URL": url,
           "STAFF_API_TOKEN": "", "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bot.staff"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline and process.poll() is None and not _answers(f"{base}/healthz"):
            time.sleep(0.1)
        assert process.poll() is None, process.stdout.read().decode()
        token = (var_dir / "staff_api_token").read_text().strip()
        assert call(f"{base}/api/handoffs", token=token)[::2] == (200, [])
        assert call(f"{base}/api/handoffs")[0] == 401
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode()
    assert token not in output
    assert "GET /api/handoffs" not in output  # no access log


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False
