"""docs/performance.md (and docs/latency.png): one run's figures, the ratio ours/stock for
each, the issue's targets met or missed and by how much, and what changed and why.

The text is generated from the run's results, so it never drifts from the figures;
the record of the changes tried and their measured effects is kept by hand in
bench/findings.md and included as it is. After editing that file, `python -m
bench.report` writes the report again from the last run's results.json, without
measuring again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence

from bench import targets
from bench.plot import latency_plot
from bench.results import BenchResult, LevelResult, ServerResult, TrainingResult, rasa_mb
from bot.settings import PROJECT_ROOT

FINDINGS = Path(__file__).resolve().parent / "findings.md"
REPORT_NAME, PLOT_NAME = "performance.md", "latency.png"
MISSING = "—"
STOCK_LEFT_OUT = "Not measured: this run left the stock assistant out (`--ours-only`); `make bench` compares both."


def write(result: BenchResult, out_dir: Path, findings: Path = FINDINGS) -> Path:
    """Write the report and its plot into `out_dir`; return the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    latency_plot(result.servers, out_dir / PLOT_NAME)
    text = findings.read_text(encoding="utf-8") if findings.exists() else ""
    path = out_dir / REPORT_NAME
    path.write_text(render(result, text), encoding="utf-8")
    return path


def render(result: BenchResult, findings: str) -> str:
    stock = result.server("stock")
    ours = [server for server in result.servers if server.key != "stock"]
    parts = [
        _header(result),
        _machine(result),
        _targets(result, ours),
        _training(result),
        _startup(stock, ours),
        _latency(stock, ours),
        _setups(result),
        findings.strip(),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _header(result: BenchResult) -> str:
    kind = "a quick run (short levels: the figures are rough)" if result.quick else "a full run"
    compared = (
        "Both assistants were measured on the same machine in the same run"
        if result.server("stock")
        else "This run measured ours alone (`--ours-only`), so the stock columns are empty; `make bench` fills them"
    )
    lines = [
        "# Performance: our assistant against a stock Rasa assistant",
        "",
        f"Written by `{result.command}` on {result.started_at}, {kind}, in {result.duration_s / 60:.1f} minutes. "
        f"{compared}: the stock assistant is "
        "`rasa init --no-prompt` with its default config, the baseline a Rasa user starts from. Ratios "
        "are ours/stock: below 1 is better for times and memory, above 1 is better for throughput. "
        "Latency is measured over REST with a closed loop (each conversation sends its next message when "
        "the reply arrives) of realistic mixed conversations (`bench/conversations.py`), on loopback, with "
        "the load generator on the same 2 cores as the servers.",
    ]
    return "\n".join(lines)


def _machine(result: BenchResult) -> str:
    m = result.machine
    rows = [
        ("CPU", f"{m.cpu_model}, {m.cores} cores"),
        ("memory", f"{m.memory_gb:.1f} GB"),
        ("load average at the start", f"{m.load_average} (other work running makes the figures noisy)"),
        ("Python / Rasa / TensorFlow", f"{m.python} / {m.rasa} / {m.tensorflow}"),
        ("command", f"`{result.command}`"),
    ]
    return "## Machine\n\n" + _table(("", ""), rows)


def _targets(result: BenchResult, ours: Sequence[ServerResult]) -> str:
    if not ours:
        return ""
    header = ("target (issue 8)", *(server.label for server in ours))
    per_server = [targets.for_server(result, server.key) for server in ours]
    rows = [(checks[0].target, *(_verdict(check) for check in checks)) for checks in zip(*per_server)]
    rows += [(check.target, *([_verdict(check)] * len(ours))) for check in targets.for_training(result)]
    return "## Targets\n\n" + _table(header, rows)


def _verdict(check: targets.Check) -> str:
    word = {True: "**met**", False: "**missed**", None: "not measured"}[check.met]
    return f"{word}: {check.detail}"


def _training(result: BenchResult) -> str:
    stock, ours = result.training.get("stock"), result.training.get("ours")
    if ours is None:
        return ""
    rows = [
        (
            "full training (s)",
            _num(_get(stock, "full_s"), 1),
            _num(ours.full_s, 1),
            _ratio(ours.full_s, _get(stock, "full_s")),
        ),
        (
            "after changing one response text (s)",
            _num(_get(stock, "response_only_s"), 1),
            _num(ours.response_only_s, 1),
            _ratio(ours.response_only_s, _get(stock, "response_only_s")),
        ),  # fmt: skip
    ]
    stock_note = f"Full training: {stock.full_note}. {_retrained(stock)}" if stock else STOCK_LEFT_OUT
    notes = [f"- **Stock.** {stock_note}", f"- **Ours.** Full training: {ours.full_note}. {_retrained(ours)}"]
    return "## Training\n\n" + _table(("figure", "stock", "ours", "ours/stock"), rows) + "\n\n" + "\n".join(notes)


def _get(figures: Optional[TrainingResult], field: str) -> Optional[float]:
    return getattr(figures, field) if figures else None


def _retrained(training: TrainingResult) -> str:
    trained = ", ".join(training.retrained) if training.retrained else "none"
    return (
        f"After the response edit, with a warm cache ({training.cache_note}), Rasa restored "
        f"{len(training.restored)} components from it and trained again: {trained}."
    )


def _startup(stock: Optional[ServerResult], ours: Sequence[ServerResult]) -> str:
    if not ours:
        return ""
    figures: List[tuple] = [
        ("cold start: process start to first answer (s)", lambda s: s.cold_start_s, 1),
        ("Rasa server memory after warm-up (MB RSS)", lambda s: rasa_mb(s.rss_mb), 0),
        ("Rasa server memory after warm-up (MB PSS)", lambda s: rasa_mb(s.pss_mb), 0),
        ("Rasa server memory after the load (MB RSS)", lambda s: rasa_mb(s.rss_after_load_mb), 0),
        ("action server memory after warm-up (MB RSS)", lambda s: s.rss_mb.get("actions"), 0),
    ]
    rows = [_compared(name, get, digits, stock, ours) for name, get, digits in figures]
    note = (
        "Cold start includes, for ours, the action server answering its health check. Memory is VmRSS "
        "summed over each server's process tree (every Sanic worker counts), as the target counts it; "
        "PSS splits the pages that forked workers share, so it is the fairer figure for several workers."
    )
    return "## Start-up and memory\n\n" + _table(_compared_header(ours), rows) + "\n\n" + note


def _latency(stock: Optional[ServerResult], ours: Sequence[ServerResult]) -> str:
    measured = [server for server in (stock, *ours) if server is not None]
    if not ours:
        return ""
    rows = []
    for level in sorted(measured[0].levels, key=lambda lv: lv.concurrency):
        c = level.concurrency
        for field, name in (("p50_ms", "p50"), ("p95_ms", "p95"), ("p99_ms", "p99")):
            rows.append(_compared(f"{c} concurrent: {name} (ms)", _level_getter(c, field), 0, stock, ours))
        rows.append(_compared(f"{c} concurrent: messages/s", _level_getter(c, "throughput"), 1, stock, ours))
    rows.append(_compared("throughput at saturation (messages/s)", lambda s: s.saturation, 1, stock, ours))
    errors = sum(level.errors for server in measured for level in server.levels)
    note = f"![Reply latency against concurrent conversations]({PLOT_NAME})\n\n" + (
        f"Errors (no 200 answer): {errors} in total." if errors else "Every message got a 200 answer."
    )
    seconds = measured[0].levels[0].duration_s if measured[0].levels else 0
    intro = f"Each level ran for {seconds:.0f} s; throughput counts the replies that arrived within it."
    return "## Reply latency and throughput\n\n" + intro + "\n\n" + _table(_compared_header(ours), rows) + "\n\n" + note


def _level_getter(concurrency: int, field: str) -> Callable[[ServerResult], Optional[float]]:
    def get(server: ServerResult) -> Optional[float]:
        level: Optional[LevelResult] = server.level(concurrency)
        return getattr(level, field) if level else None

    return get


def _compared_header(ours: Sequence[ServerResult]) -> tuple:
    header: List[str] = ["figure", "stock"]
    for server in ours:
        header += [server.label, "ours/stock"]
    return tuple(header)


def _compared(
    name: str,
    get: Callable[[ServerResult], Optional[float]],
    digits: int,
    stock: Optional[ServerResult],
    ours: Sequence[ServerResult],
) -> tuple:
    base = get(stock) if stock else None
    row: List[str] = [name, _num(base, digits)]
    for server in ours:
        value = get(server)
        row += [_num(value, digits), _ratio(value, base)]
    return tuple(row)


def _setups(result: BenchResult) -> str:
    lines = ["## How each assistant was served", ""]
    lines += [f"- **{server.label}**: {server.setup}." for server in result.servers]
    lines += [f"- {note}" for note in result.notes]
    return "\n".join(lines)


def _num(value: Optional[float], digits: int) -> str:
    return MISSING if value is None else f"{value:,.{digits}f}"


def _ratio(value: Optional[float], base: Optional[float]) -> str:
    if value is None or not base:
        return MISSING
    return f"{value / base:.2f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description="write the report of a past run again")
    parser.add_argument("--results", type=Path, default=PROJECT_ROOT / "results" / "bench" / "results.json")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs")
    args = parser.parse_args(argv)
    if not args.results.exists():
        parser.error(f"{args.results} does not exist: run `make bench` first")
    print(write(BenchResult.read_json(args.results), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
