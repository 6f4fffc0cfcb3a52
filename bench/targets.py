"""The targets of issue 8, checked against one run's figures.

Each check says whether the target was met and by how much it was met or missed, so
the report never just says "missed". Ratios are ours/stock, as everywhere in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from bench.results import BenchResult, ServerResult, rasa_mb

THROUGHPUT_FACTOR = 4.0
P95_AT_10_MS = 150.0
P99_AT_50_MS = 1000.0
COLD_START_S = 30.0
RETRAIN_S = 30.0
STOCK_NOT_RUN = "this run left the stock assistant out (`--ours-only`)"


@dataclass(frozen=True)
class Check:
    target: str
    met: Optional[bool]  # None: not measured in this run
    detail: str


def for_server(result: BenchResult, key: str) -> List[Check]:
    """The serving targets for one of our setups (`ours`, `ours-prod`) against the stock one
    (those that compare with it are "not measured" when the run left the stock one out)."""
    ours, stock = result.server(key), result.server("stock")
    if ours is None:
        return []
    return [
        _throughput(ours, stock),
        _latency(ours, 10, "p95_ms", P95_AT_10_MS, "p95 reply latency at 10 concurrent conversations ≤ 150 ms"),
        _latency(ours, 50, "p99_ms", P99_AT_50_MS, "p99 reply latency at 50 concurrent conversations ≤ 1 s"),
        _at_most("cold start ≤ 30 s", ours.cold_start_s, COLD_START_S, " s", "{:.1f}"),
        _memory(ours, stock),
    ]


def for_training(result: BenchResult) -> List[Check]:
    """Retraining after a response-text-only change, and whether fingerprinting skipped
    NLU and policy training (no component trained again)."""
    ours = result.training.get("ours")
    if ours is None:
        return []
    skipped = not ours.retrained
    trained = ", ".join(ours.retrained) or "none"
    return [
        _at_most(
            "retraining after a response-text-only change ≤ 30 s", ours.response_only_s, RETRAIN_S, " s", "{:.1f}"
        ),
        Check(
            "fingerprinting skips NLU and policy training after that change",
            skipped,
            f"restored from cache: {len(ours.restored)} components; trained again: {trained}",
        ),
    ]


def _throughput(ours: ServerResult, stock: Optional[ServerResult]) -> Check:
    target = "throughput at saturation ≥ 4 × the stock assistant's"
    if stock is None:
        return Check(target, None, STOCK_NOT_RUN)
    if stock.saturation <= 0:
        return Check(target, None, "the stock assistant answered nothing")
    ratio = ours.saturation / stock.saturation
    needed = THROUGHPUT_FACTOR * stock.saturation
    detail = f"{ours.saturation:.1f} msg/s = {ratio:.2f} × stock ({stock.saturation:.1f} msg/s); 4 × is {needed:.1f}"
    if ratio < THROUGHPUT_FACTOR:
        detail += f", short by {needed - ours.saturation:.1f} msg/s"
    return Check(target, ratio >= THROUGHPUT_FACTOR, detail)


def _memory(ours: ServerResult, stock: Optional[ServerResult]) -> Check:
    target = "Rasa server memory ≤ the stock assistant's"
    if stock is None:
        return Check(target, None, STOCK_NOT_RUN)
    return _at_most(target, rasa_mb(ours.rss_mb) or 0.0, rasa_mb(stock.rss_mb) or 0.0, " MB", "{:.0f}")


def _latency(ours: ServerResult, concurrency: int, field: str, limit_ms: float, target: str) -> Check:
    level = ours.level(concurrency)
    if level is None:
        return Check(target, None, f"not measured: no level of {concurrency} concurrent conversations in this run")
    return _at_most(target, getattr(level, field), limit_ms, " ms", "{:.0f}")


def _at_most(target: str, value: float, limit: float, unit: str, fmt: str) -> Check:
    def show(amount: float) -> str:
        return fmt.format(amount) + unit

    if value <= limit:
        return Check(target, True, f"{show(value)}: {show(limit - value)} under")
    factor = f" ({value / limit:.1f} × the limit)" if limit > 0 else ""
    return Check(target, False, f"{show(value)}: {show(value - limit)} over{factor}")
