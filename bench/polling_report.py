"""docs/polling.md: what open widgets and staff tabs polling cost, and when it hurts patients.

Generated from one run of `python -m bench.polling`, the conclusion included, so the
text never drifts from the figures; `python -m bench.polling_report` writes it again
from that run's results.json without measuring again. The conclusion compares each level's patient p95
with the runs without polling: those runs repeat between the groups, and their spread
is the noise a difference must exceed before it counts (at least `TOLERANCE`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from bench.report import MISSING, _num, _table  # the same tables as docs/performance.md
from bench.results import LevelResult, Machine
from bot.settings import PROJECT_ROOT

REPORT_NAME = "polling.md"
RESULTS = PROJECT_ROOT / "results" / "polling" / "results.json"
TOLERANCE = 0.25  # a patient p95 this much above the runs without polling counts as hurt, at least
COMMON_INTERVAL_S = 60.0  # where widget.js backs off to while nothing happens
NOISE_FLOOR_PERCENT = 5.0  # polls costing less of a core than this cannot slow patients measurably
SSE_WORTH_IT_PERCENT = 10.0  # polling costing more than this share of a core at the common interval

# Step kinds: what ran during one window.
IDLE = "idle"  # nothing: the servers' own background work
ALONE = "alone"  # widgets polling, no patients: the clean cost of one history request
PATIENTS = "patients"  # patients talking, with 0 or more widgets polling
STAFF = "staff"  # patients talking, staff tabs polling the console's live version


@dataclass(frozen=True)
class PollFigures:
    """The polls that finished within a window."""

    answered: int  # status 200
    errors: int  # anything else: 429, 5xx, timeouts
    rate: float  # answered per second of the window
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Step:
    """One measured window."""

    kind: str
    clients: int  # open widgets or staff tabs
    interval_s: float  # how often each asks (0 for none)
    duration_s: float  # the window
    polls: Optional[PollFigures]  # None without clients
    server: str  # the process polled: "Rasa server" or "staff process"
    server_cpu: float  # % of one core over the window
    server_rss_mb: float  # at the window's end
    rasa_cpu: float  # the Rasa server's, whichever was polled
    poller_cpu: Optional[float]  # the load generator of the polls, % of one core
    patients: Optional[LevelResult]  # None when no patients talked


@dataclass
class PollingRun:
    command: str
    quick: bool
    started_at: str
    machine: Machine
    patients: int  # concurrent REST conversations, closed loop
    seed_messages: int  # messages said in each widget's conversation before it polls
    setup: str  # how the servers were served
    load_after: str = ""  # load average at the end
    duration_s: float = 0.0
    steps: List[Step] = field(default_factory=list)

    def of(self, kind: str) -> List[Step]:
        return [step for step in self.steps if step.kind == kind]

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read_json(cls, path: Path) -> "PollingRun":
        """A run written by `write_json`, so its report can be written again without measuring."""
        data = json.loads(path.read_text(encoding="utf-8"))
        steps = [
            Step(**{**step, "polls": step["polls"] and PollFigures(**step["polls"]),
                    "patients": step["patients"] and LevelResult(**step["patients"])})
            for step in data.pop("steps")
        ]  # fmt: skip
        return cls(machine=Machine(**data.pop("machine")), steps=steps, **data)


def baselines(run: PollingRun) -> List[LevelResult]:
    """The patient figures of every window without polling."""
    return [s.patients for s in run.of(PATIENTS) if s.clients == 0 and s.patients]


def noise(values: Sequence[float]) -> float:
    """How far apart repeated measurements of the same thing are: (max - min) / median."""
    if len(values) < 2:
        return 0.0
    return (max(values) - min(values)) / statistics.median(values)


def hurt_threshold(run: PollingRun) -> Optional[float]:
    """The patient p95 (ms) above which a level counts as hurting patients; None without baselines."""
    p95s = [level.p95_ms for level in baselines(run)]
    if not p95s:
        return None
    return statistics.median(p95s) * (1 + max(TOLERANCE, noise(p95s)))


def above_threshold(run: PollingRun, interval_s: float) -> List[Step]:
    """The levels polling every `interval_s` whose patient p95 exceeds the threshold, fewest widgets first."""
    threshold = hurt_threshold(run)
    if threshold is None:
        return []
    found = [s for s in run.of(PATIENTS) if s.interval_s == interval_s and s.clients and s.patients]
    return sorted((s for s in found if s.patients and s.patients.p95_ms > threshold), key=lambda s: s.clients)


def polling_share(run: PollingRun, step: Step) -> Optional[float]:
    """% of one core the step's history requests cost the Rasa server (None if unknown)."""
    per_request = cpu_ms_per_request(run)
    if per_request is None or step.polls is None:
        return None
    return step.polls.rate * per_request / 1000 * 100


def is_plausible(run: PollingRun, step: Step) -> bool:
    """Whether the step's polls cost enough CPU to explain slower patients; a level whose polls
    cost next to nothing was slowed by other work on the machine."""
    share = polling_share(run, step)
    return share is None or share >= NOISE_FLOOR_PERCENT


def cpu_ms_per_request(run: PollingRun) -> Optional[float]:
    """CPU the Rasa server spends on one history request: widgets alone, less its idle use."""
    alone, idle = run.of(ALONE), run.of(IDLE)
    if not alone or not alone[0].polls or not alone[0].polls.rate:
        return None
    idle_cpu = idle[0].server_cpu if idle else 0.0
    return max(0.0, alone[0].server_cpu - idle_cpu) / 100 * 1000 / alone[0].polls.rate


def cpu_ms_per_poll(step: Step) -> Optional[float]:
    """CPU the polled process spent per answered request over a window (its other work included)."""
    if step.polls is None or not step.polls.rate:
        return None
    return step.server_cpu / 100 * 1000 / step.polls.rate


def core_share(widgets: int, interval_s: float, ms_per_request: float) -> float:
    """% of one core that `widgets` polling every `interval_s` seconds keep busy."""
    return widgets / interval_s * ms_per_request / 1000 * 100


def write(run: PollingRun, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REPORT_NAME
    path.write_text(render(run), encoding="utf-8")
    return path


def render(run: PollingRun) -> str:
    parts = [_header(run), _machine(run), _conclusion(run), _widgets(run), _alone(run), _staff(run), _method(run)]
    return "\n\n".join(part for part in parts if part) + "\n"


def _header(run: PollingRun) -> str:
    kind = "a quick run (short windows: the figures are rough)" if run.quick else "a full run"
    return (
        "# Polling cost: open chat widgets and staff console tabs\n\n"
        f"Written by `{run.command}` on {run.started_at}, {kind}, in {run.duration_s / 60:.1f} minutes. "
        "Each open widget asks the Rasa server for its conversation's history at a steady interval "
        "(`POST /webhooks/widget/history`, as `bot/rasa_server/widget/static/widget.js` does: 4 s after "
        "activity, backing off to 60 s, at most 15 s apart while staff have the conversation), while "
        f"{run.patients} patients talk to the assistant over REST in a closed loop (each sends its next "
        "message when the reply arrives, `bench/load.py`). The question: how much does polling cost, and "
        "from how many open widgets does it slow the patients' replies?"
    )


def _machine(run: PollingRun) -> str:
    m = run.machine
    rows = [
        ("CPU", f"{m.cpu_model}, {m.cores} cores"),
        ("memory", f"{m.memory_gb:.1f} GB"),
        ("load average", f"{m.load_average} at the start, {run.load_after or MISSING} at the end "
                         "(other work on the machine makes the figures noisy)"),
        ("Python / Rasa", f"{m.python} / {m.rasa}"),
        ("command", f"`{run.command}`"),
    ]  # fmt: skip
    return "## Machine\n\n" + _table(("", ""), rows)


def _conclusion(run: PollingRun) -> str:
    threshold = hurt_threshold(run)
    if threshold is None:
        return ""
    p95s = [level.p95_ms for level in baselines(run)]
    lines = [
        "## Conclusion",
        "",
        f"- Without polling, patient p95 was {_span(p95s)} ms over {len(p95s)} windows "
        f"(spread {noise(p95s):.0%}); a level counts as hurting patients when its p95 exceeds "
        f"{threshold:,.0f} ms (the median plus the larger of {TOLERANCE:.0%} and that spread).",
    ]
    for interval in sorted({s.interval_s for s in run.of(PATIENTS) if s.clients}):
        lines.append(_interval_line(run, interval))
    lines += _cost_lines(run)
    busiest = max(s.rasa_cpu for s in run.steps)
    lines.append(
        f"- The Rasa server never used more than {busiest:.0f}% of one core: one process works on one core "
        "(the embedded profile cannot run Sanic workers), so history requests take their time from patients' "
        "replies rather than from the second core."
    )
    lines += [_staff_line(step) for step in run.of(STAFF)]
    return "\n".join(lines)


def _interval_line(run: PollingRun, interval: float) -> str:
    measured = max(s.clients for s in run.of(PATIENTS) if s.interval_s == interval)
    above = above_threshold(run, interval)
    hurting = [s for s in above if is_plausible(run, s)]
    noisy = [s for s in above if not is_plausible(run, s)]
    if hurting:
        first = hurting[0]
        line = (
            f"- Every {interval:g} s: patients are hurt from {first.clients:,} open widgets "
            f"(p95 {_p95(first):,.0f} ms, {_rate(first):,.0f} history requests a second{_share(run, first)})."
        )
    else:
        line = f"- Every {interval:g} s: no measured level hurt patients (up to {measured:,} open widgets)."
    for step in noisy:
        line += (
            f" {step.clients:,} widgets had p95 {_p95(step):,.0f} ms, but their polls cost the server only "
            f"{polling_share(run, step) or 0:.1f}% of a core: other work on the machine slowed that window."
        )
    return line


def _p95(step: Step) -> float:
    return step.patients.p95_ms if step.patients else 0.0


def _rate(step: Step) -> float:
    return step.polls.rate if step.polls else 0.0


def _share(run: PollingRun, step: Step) -> str:
    share = polling_share(run, step)
    return "" if share is None else f", {share:.1f}% of a core"


def _cost_lines(run: PollingRun) -> List[str]:
    """What one request costs, what the common case costs, and whether server-sent events would pay."""
    per_request = cpu_ms_per_request(run)
    if per_request is None:
        return []
    most = max((s.clients for s in run.steps), default=0)
    common = core_share(most, COMMON_INTERVAL_S, per_request)
    lines = [
        f"- One history request costs the Rasa server about {per_request:.1f} ms of CPU (widgets polling alone, "
        f"less its idle use), so {most:,} widgets backed off to {COMMON_INTERVAL_S:g} s keep "
        f"{common:.1f}% of one core busy, and {most:,} at 4 s {core_share(most, 4, per_request):.0f}%."
    ]
    if common > SSE_WORTH_IT_PERCENT:
        lines.append(
            f"- Server-sent events would be worth it: at the common interval polling costs over "
            f"{SSE_WORTH_IT_PERCENT:g}% of a core, which a stream that sends only when staff write would save."
        )
    else:
        lines.append(
            "- Server-sent events would not be worth it now: they would save that "
            f"{common:.1f}% of a core in the common case, but hold one connection and one task per open "
            "widget, and need a way to push a staff reply from the staff bridge to the stream that "
            "holds the patient's page (across Rasa servers in production: Redis publish/subscribe). "
            "Polling's worst case is a burst of activity at 4 s, which the backoff ends within a minute."
        )
    return lines


def _staff_line(step: Step) -> str:
    return (
        f"- {step.clients:,} staff tabs asking every {step.interval_s:g} s cost the staff process "
        f"{step.server_cpu:.1f}% of a core ({_num(cpu_ms_per_poll(step), 0)} ms a request), a process of its own: "
        f"patient p95 was {_p95(step):,.0f} ms meanwhile."
    )


def _widgets(run: PollingRun) -> str:
    steps = run.of(PATIENTS)
    if not steps:
        return ""
    header = (
        "polling every", "open widgets", "history req/s", "history p50 / p95 (ms)", "history errors",
        "Rasa CPU (% of a core)", "Rasa RSS (MB)", "poller CPU (%)", "patient msg/s", "patient p50 / p95 (ms)",
    )  # fmt: skip
    rows = [
        (
            f"{s.interval_s:g} s" if s.clients else "no polling",
            f"{s.clients:,}",
            *_poll_cells(s),
            f"{s.server_cpu:.0f}",
            f"{s.server_rss_mb:,.0f}",
            _num(s.poller_cpu, 0),
            *_patient_cells(s.patients),
        )  # fmt: skip
        for s in steps
    ]
    return (
        "## Widgets polling while patients talk\n\n"
        "In the order measured; the runs without polling repeat between the groups, to show the drift.\n\n"
        + _table(header, rows)
    )


def _alone(run: PollingRun) -> str:
    rows = [
        (
            "nothing (idle)" if s.kind == IDLE else f"{s.clients:,} widgets every {s.interval_s:g} s, no patients",
            *_poll_cells(s),
            f"{s.server_cpu:.1f}",
            f"{s.server_rss_mb:,.0f}",
            _num(s.poller_cpu, 0),
        )  # fmt: skip
        for s in run.of(IDLE) + run.of(ALONE)
    ]
    if not rows:
        return ""
    header = ("load", "history req/s", "history p50 / p95 (ms)", "history errors", "Rasa CPU (% of a core)",
              "Rasa RSS (MB)", "poller CPU (%)")  # fmt: skip
    per_request = cpu_ms_per_request(run)
    cost = "" if per_request is None else f"\n\nCPU per history request: {per_request:.2f} ms."
    return "## The cost of one history request\n\n" + _table(header, rows) + cost


def _staff(run: PollingRun) -> str:
    steps = run.of(STAFF)
    if not steps:
        return ""
    header = ("staff tabs", "live req/s", "live p50 / p95 (ms)", "live errors", "staff CPU (% of a core)",
              "staff CPU per request (ms)", "staff RSS (MB)", "Rasa CPU (%)", "patient msg/s",
              "patient p50 / p95 (ms)")  # fmt: skip
    rows = [
        (
            f"{s.clients:,} every {s.interval_s:g} s",
            *_poll_cells(s),
            f"{s.server_cpu:.1f}",
            _num(cpu_ms_per_poll(s), 1),
            f"{s.server_rss_mb:,.0f}",
            f"{s.rasa_cpu:.0f}",
            *_patient_cells(s.patients),
        )  # fmt: skip
        for s in steps
    ]
    return (
        "## Staff console tabs\n\n"
        "Tabs on the queue, asking its live version (`GET /handoffs/live`, `bot/staff/static/live.js` at its "
        "shortest delay) from the staff process, while the same patients talk.\n\n" + _table(header, rows)
    )


def _method(run: PollingRun) -> str:
    return "\n".join(
        [
            "## How it was measured",
            "",
            f"- Servers: {run.setup}.",
            "- Each widget got its conversation as the real one does (`POST /webhooks/widget/conversations`, a "
            f"signed token) and said {run.seed_messages} messages in it before polling, so every history "
            "request reads a real conversation; none was taken over (the server reads the same rows either way).",
            "- Each widget and tab starts at a random point of its first interval and asks again one interval "
            "after each answer; every request opens a new connection (a backed-off browser's idle connection "
            "is closed by Sanic's 5 s keep-alive timeout). The pollers run in a process of their own on the "
            "same cores as the servers; their CPU is the 'poller CPU' column. An error is a status other "
            "than 200, a refused or reset connection, or no answer within 30 s.",
            "- CPU is user and system time from /proc over each window (100% is one core), summed over the "
            "process and its threads; RSS is read at the window's end. Request latencies are seen by the "
            "client, on loopback.",
            "- Percentiles interpolate between the closest samples (`bench/stats.py`). No figure here is "
            "asserted by a test: `tests/bench/test_polling.py` and `test_polling_report.py` check the "
            "arithmetic and this text only.",
        ]
    )


def _poll_cells(step: Step) -> tuple:
    polls = step.polls
    if polls is None:
        return (MISSING, MISSING, MISSING)
    return (f"{polls.rate:,.1f}", f"{polls.p50_ms:,.0f} / {polls.p95_ms:,.0f}", f"{polls.errors:,}")


def _patient_cells(level: Optional[LevelResult]) -> tuple:
    if level is None:
        return (MISSING, MISSING)
    return (f"{level.throughput:.1f}", f"{level.p50_ms:,.0f} / {level.p95_ms:,.0f}")


def _span(values: Sequence[float]) -> str:
    return f"{min(values):,.0f}" if min(values) == max(values) else f"{min(values):,.0f}-{max(values):,.0f}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.polling_report", description="write docs/polling.md again")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs")
    args = parser.parse_args(argv)
    if not args.results.exists():
        parser.error(f"{args.results} does not exist: run `python -m bench.polling` first")
    print(write(PollingRun.read_json(args.results), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
