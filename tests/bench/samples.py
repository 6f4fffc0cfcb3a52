"""Hand-made benchmark results, so the report and the targets are tested without servers."""

from __future__ import annotations

from typing import Dict, Optional

from bench.results import BenchResult, LevelResult, Machine, ServerResult, TrainingResult

# Every figure's row: the report always has them, measured or not.
REPORT_ROWS = (
    "full training (s)",
    "after changing one response text (s)",
    "cold start: process start to first answer (s)",
    "Rasa server memory after warm-up (MB RSS)",
    "Rasa server memory after warm-up (MB PSS)",
    "action server memory after warm-up (MB RSS)",
    "1 concurrent: p50 (ms)",
    "10 concurrent: p95 (ms)",
    "50 concurrent: p99 (ms)",
    "throughput at saturation (messages/s)",
)

MACHINE = Machine("Test CPU", 2, 4.0, "0.10 0.20 0.30", "3.10.13", "3.6.21", "2.12.0")


def level(concurrency: int, p50: float, p95: float, p99: float, throughput: float) -> LevelResult:
    return LevelResult(concurrency, 3.0, 100, 0, throughput, p50, p95, p99)


def server(key: str, label: str, scale: float, rss: float, cold: float, throughput: float) -> ServerResult:
    """A server whose latencies are `scale` times a fixed shape."""
    levels = [
        level(1, 20 * scale, 40 * scale, 50 * scale, throughput / 2),
        level(10, 100 * scale, 140 * scale, 200 * scale, throughput),
        level(50, 500 * scale, 700 * scale, 900 * scale, throughput),
    ]
    memory: Dict[str, float] = {"rasa": rss, **({"actions": 60.0} if key != "stock" else {})}
    return ServerResult(key, label, f"{label} setup", cold, memory, dict(memory), dict(memory), levels)


def training(response_only: float, full: Optional[float] = 100.0, retrained: tuple = ()) -> TrainingResult:
    return TrainingResult(full, "measured", response_only, list(retrained), ["DIETClassifier"], "warm")


def bench_result(ours_scale: float = 0.5, ours_throughput: float = 200.0, retrained: tuple = ()) -> BenchResult:
    result = BenchResult("python -m bench --quick", True, "2026-11-28 12:00 UTC", MACHINE, duration_s=180.0)
    result.training = {"stock": training(9.0), "ours": training(11.0, None, retrained)}
    result.servers = [
        server("stock", "stock rasa init", 1.0, 1100.0, 40.0, 40.0),
        server("ours", "ours (embedded)", ours_scale, 760.0, 10.0, ours_throughput),
        server("ours-prod", "ours (production)", ours_scale, 1600.0, 12.0, ours_throughput),
    ]
    return result
