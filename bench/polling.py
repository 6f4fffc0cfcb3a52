"""`python -m bench.polling [--quick]` (`make bench-polling`): what open widgets' and staff tabs'
polling costs, and from how many open widgets it slows patients; writes docs/polling.md.

Our assistant is started as `make run` runs it (embedded: one Rasa server on SQLite, the
action server, and the staff process), warmed up, and given real widget conversations.
Then each window measures one load for `--duration` seconds:

- idle, then the most widgets polling every 4 s alone: the CPU one history request costs;
- for each interval (4 s: a burst of activity; 15 s: taken over; 60 s: backed off), no
  polling, then each number of open widgets, while patients talk (a closed loop over
  REST, `bench/load.py`), and no polling once more at the end, to show the drift;
- staff tabs on the console's queue asking its live version every 5 s, while patients talk.

A full run takes about 5 minutes on 2 cores; `--quick` (3 s windows, fewer widgets) under 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench import assistants, machine, options, polling_report, usage
from bench.conversations import FAQ
from bench.load import Exchange, closed_loop, summarize, warm_up
from bench.pollers import Client, PollerProcess, staff_tabs, widgets
from bench.polling_report import ALONE, IDLE, PATIENTS, STAFF, PollFigures, PollingRun, Step
from bench.servers import ProcessSpec, Ready, started
from bench.stats import percentile
from bot.db.engine import dispose_engines, get_engine, session_factory
from bot.db.migrate import upgrade
from bot.launcher import profiles
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.accounts import Accounts
from bot.staff.token import local_token

WIDGETS, QUICK_WIDGETS = "100,500,1000", "20,50"
INTERVALS = "4,15,60"  # widget.js: after activity, while taken over, backed off
FULL_WINDOW_S, QUICK_WINDOW_S = 12.0, 3.0
PATIENTS_TALKING = 2
STAFF_TABS, STAFF_INTERVAL_S = 20, 5.0  # live.js asks every 5 s at its shortest
SEED = FAQ[:2]  # what each widget's patient says before the widget polls
STAFF_EMAIL, STAFF_PASSWORD = "bench@clinic.example", "bench polling password, not a real one"


@dataclass(frozen=True)
class Planned:
    kind: str
    clients: int
    interval_s: float


def intervals(text: str) -> List[float]:
    """ "4,15,60": seconds between one client's requests."""
    found = [float(part) for part in text.split(",") if part.strip()]
    if not found or min(found) <= 0:
        raise ValueError(f"expected intervals such as 4,15,60, not {text!r}")
    return found


def plan(widget_levels: Sequence[int], every: Sequence[float], tabs: int, tab_interval_s: float) -> List[Planned]:
    """The windows of one run, in order (see the module's docstring)."""
    steps = [Planned(IDLE, 0, 0.0), Planned(ALONE, max(widget_levels), min(every))]
    for interval in every:
        steps.append(Planned(PATIENTS, 0, 0.0))
        steps += [Planned(PATIENTS, count, interval) for count in sorted(widget_levels)]
    steps.append(Planned(PATIENTS, 0, 0.0))
    if tabs:
        steps.append(Planned(STAFF, tabs, tab_interval_s))
    return steps


def summarize_polls(log: Sequence[Exchange], start: float, end: float) -> Optional[PollFigures]:
    """The requests that finished between `start` and `end` (monotonic seconds); None if none did."""
    finished = [e for e in log if start <= e.done <= end]
    if not finished:
        return None
    answered = [e.latency * 1000 for e in finished if e.ok]
    return PollFigures(
        answered=len(answered),
        errors=len(finished) - len(answered),
        rate=len(answered) / (end - start),
        p50_ms=percentile(answered, 50) if answered else 0.0,
        p95_ms=percentile(answered, 95) if answered else 0.0,
    )


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.polling", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_WINDOW_S:g} s windows, widgets {QUICK_WIDGETS}")
    parser.add_argument("--widgets", type=options.levels, help=f"open widgets per level (default {WIDGETS})")
    parser.add_argument("--intervals", type=intervals, default=intervals(INTERVALS), help=f"default {INTERVALS}")
    parser.add_argument("--duration", type=float, help=f"seconds per window (default {FULL_WINDOW_S:g})")
    parser.add_argument("--patients", type=int, default=PATIENTS_TALKING, help="concurrent REST conversations")
    parser.add_argument("--staff-tabs", type=int, default=STAFF_TABS, help="0 leaves the staff console out")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs", help="where polling.md goes")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "results" / "polling", help="logs, results.json")
    return parser.parse_args(argv)


def step(text: str) -> None:
    print(f">> {text}", flush=True)


def _staff_process(settings: Settings) -> ProcessSpec:
    """The staff process as the launcher starts it (`bot.launcher.supervision`)."""
    env = {**profiles.staff_env(settings, local_token(settings)), **assistants.QUIET_ENV}
    health = Ready(f"http://127.0.0.1:{settings.staff_port}/healthz", "health")
    return ProcessSpec("staff", profiles.staff_server_cmd(settings), env, PROJECT_ROOT, health)


def _add_staff_account(settings: Settings) -> None:
    Accounts(session_factory(get_engine(settings.database_url))).add(STAFF_EMAIL, STAFF_PASSWORD)
    dispose_engines()


class Session:
    """The started servers and what every window needs to measure one load."""

    def __init__(self, assistant: assistants.Assistant, pids: Dict[str, int], staff_url: str, duration_s: float,
                 patients: int) -> None:  # fmt: skip
        self.assistant, self.pids, self.staff_url = assistant, pids, staff_url
        self.duration_s, self.patients = duration_s, patients
        self.widgets: List[Client] = []
        self.run_id = uuid.uuid4().hex[:8]

    def clients(self, planned: Planned) -> List[Client]:
        if planned.kind == STAFF:
            return staff_tabs(self.staff_url, planned.clients, STAFF_EMAIL, STAFF_PASSWORD)
        return self.widgets[: planned.clients]

    def measure(self, number: int, planned: Planned) -> Step:
        """One window: the pollers started, usage read around the patients' closed loop (or a wait)."""
        server = "staff" if planned.kind == STAFF else "rasa"
        clients = self.clients(planned)
        pollers = PollerProcess(clients, planned.interval_s) if clients else None
        if pollers:
            pollers.start()
        poller_pid = pollers.pid if pollers else None
        before = {name: usage.read(pid) for name, pid in self.pids.items()}
        poller_before = usage.read(poller_pid) if poller_pid else None
        log: List[Exchange] = []
        if planned.kind in (PATIENTS, STAFF):
            prefix = f"polling-{self.run_id}-{number}"
            log = asyncio.run(
                closed_loop(self.assistant.base_url, self.assistant.conversations, self.patients, self.duration_s,
                            prefix)
            )  # fmt: skip
        else:
            time.sleep(self.duration_s)
        after = {name: usage.read(pid) for name, pid in self.pids.items()}
        poller_cpu = usage.cpu_percent(poller_before, usage.read(poller_pid)) if poller_before and poller_pid else None
        polls = pollers.stop() if pollers else []
        return Step(
            kind=planned.kind,
            clients=planned.clients,
            interval_s=planned.interval_s,
            duration_s=after[server].at - before[server].at,
            polls=summarize_polls(polls, before[server].at, after[server].at) if clients else None,
            server="staff process" if server == "staff" else "Rasa server",
            server_cpu=usage.cpu_percent(before[server], after[server]),
            server_rss_mb=usage.rss_mb(self.pids[server]),
            rasa_cpu=usage.cpu_percent(before["rasa"], after["rasa"]),
            poller_cpu=poller_cpu,
            patients=summarize(log, self.patients, self.duration_s) if log else None,
        )


def measure(args: argparse.Namespace, run: PollingRun, planned: Sequence[Planned], work: Path) -> None:
    """Start the servers, make the widgets' conversations, measure every window."""
    duration = args.duration or (QUICK_WINDOW_S if args.quick else FULL_WINDOW_S)
    with tempfile.TemporaryDirectory(prefix="bench-polling-") as var:
        settings = assistants.ours_settings(Path(var))
        upgrade(settings.database_url)  # as the launcher does before any server starts
        _add_staff_account(settings)
        assistant = assistants.ours(settings)
        specs = (*assistant.processes, _staff_process(settings))
        run.setup = f"{assistant.setup}; the staff process (`python -m bot.staff`); MESSAGE_CONCURRENCY as shipped"
        step("starting the Rasa server, the action server and the staff process")
        with started(specs, work / "logs") as running:
            pids = {name: process.pid for name, process in running.processes.items()}
            session = Session(assistant, pids, f"http://127.0.0.1:{settings.staff_port}", duration, args.patients)
            warm_up(assistant.base_url, assistant.conversations, f"polling-{session.run_id}-warm")
            most = max(p.clients for p in planned if p.kind != STAFF)
            step(f"{most} widget conversations, {len(SEED)} messages each")
            session.widgets = widgets(assistant.base_url, most, SEED)
            for number, window in enumerate(planned, start=1):
                step(f"window {number}/{len(planned)}: {window.kind}, {window.clients} clients every "
                     f"{window.interval_s:g} s, {duration:g} s")  # fmt: skip
                run.steps.append(session.measure(number, window))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    begin = time.monotonic()
    widget_levels = args.widgets or options.levels(QUICK_WIDGETS if args.quick else WIDGETS)
    planned = plan(widget_levels, args.intervals, args.staff_tabs, STAFF_INTERVAL_S)
    run = PollingRun(
        command="python -m bench.polling" + (" --quick" if args.quick else ""),
        quick=args.quick,
        started_at=time.strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine.describe(),
        patients=args.patients,
        seed_messages=len(SEED),
        setup="",
    )
    measure(args, run, planned, args.work)
    run.load_after = machine.describe().load_average
    run.duration_s = time.monotonic() - begin
    run.write_json(args.work / "results.json")
    path = polling_report.write(run, args.out)
    step(f"wrote {path} in {run.duration_s / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
