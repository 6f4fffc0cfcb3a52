"""The regression gate: a candidate model is kept only if no score drops.

Scores are fractions where higher is better, one per evaluation set (names chosen by the
scorer, `scripts/gate_scores.py`). A score the candidate lacks counts as a drop. Scores
are compared exactly, to MARGIN: the sets are small and fixed, so a single message more
misread is a real change, not noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

MARGIN = 1e-9  # float rounding, not a tolerance


@dataclass(frozen=True)
class Comparison:
    """One set's score before and after."""

    name: str
    before: float
    after: Optional[float]

    @property
    def dropped(self) -> bool:
        return self.after is None or self.after < self.before - MARGIN


@dataclass(frozen=True)
class Verdict:
    """Every set's comparison; the candidate passes when none dropped."""

    comparisons: List[Comparison]

    @property
    def passed(self) -> bool:
        return bool(self.comparisons) and not any(c.dropped for c in self.comparisons)

    def as_dict(self) -> Dict[str, object]:
        return {
            "passed": self.passed,
            "sets": {c.name: {"before": c.before, "after": c.after, "dropped": c.dropped} for c in self.comparisons},
        }


def judge(baseline: Mapping[str, float], candidate: Mapping[str, float]) -> Verdict:
    """The candidate's scores against the current model's, set by set."""
    return Verdict([Comparison(name, baseline[name], candidate.get(name)) for name in sorted(baseline)])
