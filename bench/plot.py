"""docs/latency.png: reply latency (p50, p95, p99) against concurrent conversations, one
colour per assistant, on a log y-axis (the stock assistant's p99 is seconds where its
p50 is tens of milliseconds, and both must stay readable)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")  # no display on a server or in CI

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from bench.results import ServerResult  # noqa: E402

PERCENTILES = (("p50_ms", "p50", "-"), ("p95_ms", "p95", "--"), ("p99_ms", "p99", ":"))
COLOURS = ("#7f7f7f", "#0e6470", "#d95f02", "#7570b3")


def latency_plot(servers: Sequence[ServerResult], path: Path) -> None:
    figure, axes = plt.subplots(figsize=(8, 5), dpi=110)
    for server, colour in zip(servers, COLOURS):
        levels = sorted(server.levels, key=lambda level: level.concurrency)
        x = [level.concurrency for level in levels]
        for field, name, style in PERCENTILES:
            y = [getattr(level, field) for level in levels]
            axes.plot(x, y, style, marker="o", color=colour, label=f"{server.label} {name}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    concurrencies = sorted({level.concurrency for server in servers for level in server.levels})
    axes.set_xticks(concurrencies)
    axes.set_xticklabels([str(c) for c in concurrencies])
    axes.set_xlabel("concurrent conversations (closed loop)")
    axes.set_ylabel("reply latency (ms, log scale)")
    axes.set_title("Reply latency over REST against concurrency")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, ncol=len(servers))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
