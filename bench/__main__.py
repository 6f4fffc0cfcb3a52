"""`python -m bench [--quick]` (`make bench [QUICK=1]`): measure both assistants, write the report.

A full run trains both assistants from scratch and runs each level for 20 s (about 12
minutes on 2 cores); a quick run reuses the cached stock model, skips our full
training and runs each level for 3 s (about 2 minutes, or 5 when the stock model is not
cached yet and must be trained). `--ours-only` leaves the stock assistant out (its
server alone takes about a minute to start and measure, TensorFlow's import included):
`make test` runs `--quick --ours-only` to check that the benchmark runs and writes its
report, since comparing with the stock assistant is `make bench`'s job, not CI's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from bench import assistants, databases, machine, options, ours, report, stock
from bench.results import BenchResult
from bench.runner import measure
from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT

LEVELS = "1,10,50"
FULL_LEVEL_S, QUICK_LEVEL_S = 20.0, 3.0


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="short levels, cached stock model, no full training of ours"
    )
    parser.add_argument(
        "--out", type=Path, default=PROJECT_ROOT / "docs", help="where performance.md and latency.png go"
    )
    parser.add_argument(
        "--work", type=Path, default=PROJECT_ROOT / "results" / "bench", help="logs, copies, results.json"
    )
    parser.add_argument(
        "--ours-only", action="store_true", help="leave the stock assistant out (no training, no server)"
    )
    parser.add_argument("--levels", type=options.levels, default=options.levels(LEVELS), help=f"default {LEVELS}")
    parser.add_argument("--duration", type=float, help="seconds per level (default 20, or 3 with --quick)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="SANIC_WORKERS of the production mode")
    parser.add_argument(
        "--postgres", default=databases.POSTGRES_URL, help="production mode: a fresh schema is made here"
    )
    parser.add_argument("--redis", default=databases.REDIS_URL, help="production mode: lock store and rate limit")
    return parser.parse_args(argv)


def step(text: str) -> None:
    print(f">> {text}", flush=True)


def measure_training(args: argparse.Namespace, result: BenchResult) -> Optional[stock.Reference]:
    """Both assistants' training figures; returns the trained stock reference to serve
    (None with `--ours-only`)."""
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    env: Dict[str, str] = assistants.base_env({"PYTHONPATH": path})  # our graph components import `bot`
    reference = None
    if not args.ours_only:
        step("stock assistant: rasa init and training" + (" (its cached model if any)" if args.quick else ""))
        reference = stock.reference(args.work, env, reuse=args.quick)
        result.training["stock"] = reference.training
    step("our assistant: " + ("" if args.quick else "full training, then ") + "training after a response edit")
    result.training["ours"] = ours.training(args.work, env, full=not args.quick)
    return reference


def measure_servers(args: argparse.Namespace, result: BenchResult, reference: Optional[stock.Reference]) -> None:
    """The stock assistant, ours embedded, and ours in production mode when Redis and PostgreSQL run."""
    duration = args.duration or (QUICK_LEVEL_S if args.quick else FULL_LEVEL_S)
    run_id, logs = uuid.uuid4().hex[:8], args.work / "logs"

    def run(assistant: assistants.Assistant) -> None:
        step(f"{assistant.label}: cold start, memory, levels {args.levels} of {duration:.0f} s")
        result.servers.append(measure(assistant, args.levels, duration, logs, run_id))

    if reference is not None:
        run(assistants.stock(reference.project, reference.model))
    with tempfile.TemporaryDirectory(prefix="bench-var-") as var:
        settings = assistants.ours_settings(Path(var))
        upgrade(settings.database_url)  # as the launcher does before any server starts
        run(assistants.ours(settings))
        unreachable = databases.unreachable(args.postgres, args.redis)
        if unreachable:
            result.notes.append(f"The production mode was not measured: {unreachable}.")
            return
        with databases.fresh_schema(args.postgres) as url:
            prod = assistants.ours_settings(Path(var), database_url=url, redis_url=args.redis)
            run(assistants.ours_prod(prod, args.workers))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    begin = time.monotonic()
    shutil.rmtree(args.work / "logs", ignore_errors=True)
    result = BenchResult(
        command="python -m bench" + (" --quick" if args.quick else "") + (" --ours-only" if args.ours_only else ""),
        quick=args.quick,
        started_at=time.strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine.describe(),
    )
    reference = measure_training(args, result)
    measure_servers(args, result, reference)
    result.duration_s = time.monotonic() - begin
    result.write_json(args.work / "results.json")
    path = report.write(result, args.out)
    step(f"wrote {path} and {args.out / report.PLOT_NAME} in {result.duration_s / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
