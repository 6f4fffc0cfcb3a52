"""One assistant measured: started cold, warmed up, its memory read, then each closed-loop
level in turn. Shared by `python -m bench` and the A/B comparisons of `bench.ab`."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from bench.assistants import Assistant
from bench.load import run_level, warm_up
from bench.results import ServerResult
from bench.servers import started


def measure(assistant: Assistant, levels: Sequence[int], duration_s: float, log_dir: Path, run_id: str) -> ServerResult:
    """Cold start, memory after warm-up and after the load, and every level's figures."""
    prefix = f"bench-{run_id}-{assistant.key}"
    with started(assistant.processes, log_dir / assistant.key) as running:
        warm_up(assistant.base_url, assistant.conversations, f"{prefix}-warm")
        rss, pss = running.rss_mb(), running.pss_mb()
        measured = [
            run_level(assistant.base_url, assistant.conversations, concurrency, duration_s, f"{prefix}-c{concurrency}")
            for concurrency in levels
        ]
        rss_after = running.rss_mb()
    return ServerResult(
        key=assistant.key,
        label=assistant.label,
        setup=assistant.setup,
        cold_start_s=running.cold_start_s,
        rss_mb=rss,
        pss_mb=pss,
        rss_after_load_mb=rss_after,
        levels=measured,
    )
