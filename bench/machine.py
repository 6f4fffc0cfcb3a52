"""The machine a run measured on, as the report states it: figures from another machine
(or from this one while other work ran, which the load average shows) do not compare."""

from __future__ import annotations

import os
import platform
from importlib.metadata import version
from pathlib import Path

from bench.results import Machine
from bench.servers import proc_field_kb


def describe(proc: Path = Path("/proc")) -> Machine:
    return Machine(
        cpu_model=_cpu_model(proc / "cpuinfo"),
        cores=os.cpu_count() or 1,
        memory_gb=round(proc_field_kb(proc / "meminfo", "MemTotal:") / 1024 / 1024, 1),
        load_average=_load_average(proc / "loadavg"),
        python=platform.python_version(),
        rasa=version("rasa"),
        tensorflow=version("tensorflow"),
    )


def _cpu_model(cpuinfo: Path) -> str:
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average(loadavg: Path) -> str:
    try:
        return " ".join(loadavg.read_text().split()[:3])
    except OSError:
        return "unknown"
