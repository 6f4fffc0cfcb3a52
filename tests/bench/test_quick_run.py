"""The one end-to-end check of the benchmark: a quick run of ours alone runs and writes its report.

It retrains ours after a response edit and starts it for real, embedded and in
production mode (about a minute on 2 cores), so it is an e2e test. The stock assistant
is left out (`--ours-only`): its TensorFlow server alone took another minute of CI,
and the comparison is `make bench`'s job. Each level lasts 1 s (`--duration 1`): enough to
fill every row, 12 s less CI than the quick mode's 3 s. The production mode runs one Sanic
worker (`--workers 1`): a second one loads the model again, 10 s of CPU that checks nothing
more here. No figure is asserted, because CI machines
differ and the benchmark is no timed test.
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
        [sys.executable, "-m", "bench", "--quick", "--ours-only", "--duration", "1", "--workers", "1",
         "--out", str(out), "--work", str(tmp_path / "work")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    text = (out / "performance.md").read_text()
    for row in REPORT_ROWS:
        assert f"| {row} |" in text, row
    assert "| ours (embedded) |" in text.replace("figure | stock | ours (embedded)", "| ours (embedded) |")
    assert (out / "latency.png").stat().st_size > 0
    assert (tmp_path / "work" / "results.json").exists()
