"""How much CPU and memory a process tree used over a window, read from /proc.

CPU is the user and system time the kernel charged to the process and its threads
(TensorFlow's and SQLite's included), summed over the tree, divided by the wall time
of the window: 100% is one core busy for the whole window. Reading /proc costs the
measured server nothing, unlike a profiler, so it can run under every level.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench.servers import tree_kb, vm_rss_kb

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command's closing ")".
UTIME_AFTER_COMMAND, STIME_AFTER_COMMAND = 11, 12


@dataclass(frozen=True)
class Reading:
    """A process tree's CPU time so far (clock ticks) at a moment (monotonic seconds)."""

    at: float
    ticks: int


def cpu_ticks(pid: int) -> int:
    """User and system clock ticks `pid` has used (0 for a process gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()  # the command may contain spaces and parentheses
    return int(fields[UTIME_AFTER_COMMAND]) + int(fields[STIME_AFTER_COMMAND])


def read(pid: int) -> Reading:
    return Reading(time.monotonic(), tree_kb(pid, cpu_ticks))


def cpu_percent(before: Reading, after: Reading, ticks_per_second: int = CLOCK_TICKS) -> float:
    """CPU used between two readings, in percent of one core."""
    wall = after.at - before.at
    if wall <= 0:
        raise ValueError("the second reading must come after the first")
    return (after.ticks - before.ticks) / ticks_per_second / wall * 100


def rss_mb(pid: int) -> float:
    """VmRSS of the process tree now, in MB."""
    return tree_kb(pid, vm_rss_kb) / 1024
