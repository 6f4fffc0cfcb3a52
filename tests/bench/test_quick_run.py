"""The one end-to-end check of the benchmark: `make bench QUICK=1` runs and writes its report.

It starts the stock and our assistants for real (about 3 minutes on 2 cores once the
stock model is cached in ~/.cache/cit-clinic/bench-stock/, outside the clone), so it is an e2e test; no figure is
asserted, because CI machines differ and the benchmark is no timed test.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, get_settings
from tests.bench.samples import REPORT_ROWS

pytestmark = pytest.mark.e2e


def test_a_quick_run_writes_the_report_with_every_row_and_the_plot(tmp_path: Path) -> None:
    if not get_settings().model_path.exists():
        pytest.fail("no trained model; run `make train` (make e2e does)")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    text = (out / "performance.md").read_text()
    for row in REPORT_ROWS:
        assert f"| {row} |" in text, row
    assert "| ours (embedded) |" in text.replace("figure | stock | ours (embedded)", "| ours (embedded) |")
    assert (out / "latency.png").stat().st_size > 0
    assert (tmp_path / "work" / "results.json").exists()
