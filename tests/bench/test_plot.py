from pathlib import Path

from bench.plot import latency_plot
from tests.bench.samples import bench_result


def test_draws_every_assistant_into_a_png(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "latency.png"
    latency_plot(bench_result().servers, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000  # three assistants, three percentiles each: not an empty canvas
