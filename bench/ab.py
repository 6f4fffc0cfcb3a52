"""`python -m bench.ab`: one server setting against the default, measured back to back.

Other work on a small machine moves absolute figures by tens of percent from minute to
minute, so a setting is judged by A/B rounds run one right after the other (A, B, A, B
...), each a fresh server with its cold start, warm-up and levels, and the mean of
each figure over the rounds. Example, thread settings for the Rasa server:

    python -m bench.ab --variant tf1 TF_INTRA_OP_PARALLELISM_THREADS=1 TF_INTER_OP_PARALLELISM_THREADS=1

`--base` adds settings to every run (to try a change on top of one already adopted);
`--mode prod` measures the production mode (Redis locks, PostgreSQL, SANIC_WORKERS).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bench import assistants, databases, options
from bench.databases import POSTGRES_URL, REDIS_URL
from bench.results import ServerResult, rasa_mb
from bench.runner import measure
from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT

Variant = Tuple[str, Dict[str, str]]


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    parser.add_argument("--variant", nargs="+", action="append", required=True, metavar="NAME ENV=VALUE",
                        help="a name, then the Rasa server's extra environment (repeatable)")  # fmt: skip
    parser.add_argument("--base", nargs="*", default=[], metavar="ENV=VALUE", help="extra environment of every run")
    parser.add_argument("--mode", choices=("embedded", "prod", "instances"), default="embedded",
                        help="prod: one Rasa server with --workers Sanic workers; instances: --workers Rasa "
                        "servers behind bot/launcher/proxy.py (both on Redis and PostgreSQL)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=1, help="Sanic workers (prod) or Rasa servers (instances)")
    parser.add_argument("--levels", type=options.levels, default=[1, 10, 50])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "results" / "bench-ab")
    return parser.parse_args(argv)


def variants(args: argparse.Namespace) -> List[Variant]:
    base = options.environment(args.base)
    found: List[Variant] = [("default", base)]
    for name, *pairs in args.variant:
        found.append((name, {**base, **options.environment(pairs)}))
    return found


def run(args: argparse.Namespace) -> Dict[str, List[ServerResult]]:
    """Every variant once per round, in the same order each round."""
    measured: Dict[str, List[ServerResult]] = {name: [] for name, _ in variants(args)}
    run_id = uuid.uuid4().hex[:8]
    with ExitStack() as stack:
        var = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ab-")))
        if args.mode != "embedded":
            unreachable = databases.unreachable(POSTGRES_URL, REDIS_URL)
            if unreachable:
                raise SystemExit(unreachable)
            url = stack.enter_context(databases.fresh_schema(POSTGRES_URL))
        for round_number in range(args.rounds):
            for name, env in variants(args):
                if args.mode != "embedded":
                    settings = assistants.ours_settings(var, database_url=url, redis_url=REDIS_URL)
                    build = assistants.ours_prod if args.mode == "prod" else assistants.ours_instances
                    assistant = build(settings, args.workers, env)
                else:
                    settings = assistants.ours_settings(var / f"{name}-{round_number}")
                    upgrade(settings.database_url)
                    assistant = assistants.ours(settings, env)
                print(f">> round {round_number + 1}: {name}", file=sys.stderr, flush=True)
                logs = args.work / "logs" / f"{name}-{round_number}"
                measured[name].append(measure(assistant, args.levels, args.duration, logs, f"{run_id}{round_number}"))
    return measured


def table(measured: Dict[str, List[ServerResult]], levels: Sequence[int]) -> str:
    """Mean of each figure over the rounds, one row per variant (markdown)."""
    header = ["variant", "errors", "cold start s", "Rasa MB"]
    for c in levels:
        header += [f"{c}: p50 ms", f"{c}: p95 ms", f"{c}: p99 ms", f"{c}: msg/s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, results in measured.items():
        errors = sum(level.errors for r in results for level in r.levels)
        row = [name, str(errors), f"{_mean(r.cold_start_s for r in results):.1f}"]
        row.append(f"{_mean(rasa_mb(r.rss_mb) or 0.0 for r in results):.0f}")
        for c in levels:
            row += [f"{_mean(getattr(r.level(c), f) for r in results):.0f}" for f in ("p50_ms", "p95_ms", "p99_ms")]
            row.append(f"{_mean(r.level(c).throughput for r in results):.1f}")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _mean(values: Iterable[float]) -> float:
    return statistics.fmean(list(values))


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    print(table(run(args), args.levels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
