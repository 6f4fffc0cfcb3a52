"""What one benchmark run measured: plain dataclasses, written to results.json as they are.

Kept apart from the code that measures, so the report and the targets read one shape
whatever produced it (a full run, a quick run, or a test's hand-made result).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional


@dataclass(frozen=True)
class LevelResult:
    """One closed-loop level: `concurrency` conversations for `duration_s` seconds."""

    concurrency: int
    duration_s: float
    answered: int  # replies with status 200, whenever they arrived
    errors: int  # anything else: a status other than 200, a timeout, a refused connection
    throughput: float  # replies that arrived within the window, per second of the window
    p50_ms: float
    p95_ms: float
    p99_ms: float


def rasa_mb(memory: Dict[str, float]) -> Optional[float]:
    """The Rasa server processes of one memory reading together (one, or several instances)."""
    found = [mb for name, mb in memory.items() if name.startswith("rasa")]
    return sum(found) if found else None


@dataclass(frozen=True)
class ServerResult:
    """One assistant served one way (`key`: stock, ours, ours-prod)."""

    key: str
    label: str
    setup: str  # how it was started, for the report
    cold_start_s: float
    rss_mb: Dict[str, float]  # process name -> MB after warm-up (its whole process tree)
    pss_mb: Dict[str, float]  # the same, shared pages split between the processes sharing them
    rss_after_load_mb: Dict[str, float]
    levels: List[LevelResult]

    def level(self, concurrency: int) -> Optional[LevelResult]:
        return next((level for level in self.levels if level.concurrency == concurrency), None)

    @property
    def saturation(self) -> float:
        """Messages per second at saturation: the best level (closed loop: the highest)."""
        return max((level.throughput for level in self.levels), default=0.0)


@dataclass(frozen=True)
class TrainingResult:
    """`rasa train` for one assistant: from scratch, and after one response text changed."""

    full_s: Optional[float]  # None: not measured in this run (full_note says why)
    full_note: str
    response_only_s: float
    retrained: List[str]  # graph components trained again after the response edit
    restored: List[str]  # graph components Rasa's fingerprinting restored from its cache
    cache_note: str  # which cache was warm for the response-only retraining


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    memory_gb: float
    load_average: str  # at the start: other work on the machine makes figures noisy
    python: str
    rasa: str
    tensorflow: str


@dataclass
class BenchResult:
    command: str
    quick: bool
    started_at: str
    machine: Machine
    training: Dict[str, TrainingResult] = field(default_factory=dict)  # "stock", "ours"
    servers: List[ServerResult] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # what was skipped, and why
    duration_s: float = 0.0

    def server(self, key: str) -> Optional[ServerResult]:
        return next((server for server in self.servers if server.key == key), None)

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read_json(cls, path: Path) -> "BenchResult":
        """A run written by `write_json`, so its report can be written again (after
        bench/findings.md changed) without measuring again."""
        data = json.loads(path.read_text(encoding="utf-8"))
        servers = [
            ServerResult(**{**server, "levels": [LevelResult(**level) for level in server["levels"]]})
            for server in data.pop("servers")
        ]  # fmt: skip
        training = {name: TrainingResult(**figures) for name, figures in data.pop("training").items()}
        machine = Machine(**data.pop("machine"))
        return cls(machine=machine, training=training, servers=servers, **data)
