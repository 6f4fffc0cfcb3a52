"""Which unanswered messages look like symptom reports, so staff read them first.

Uses the clinic's red-flag rules (bot.understanding.red_flag_rules), conservatively: a
message is put at the top when the rules find a red flag, when it names any symptom
word (even to deny it: "no swelling but it burns" is still about symptoms), or when it
mentions a red-flag group only negated. A spam message shown at the top costs staff a
glance; a symptom report buried among spam could cost a patient.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.understanding.red_flag_rules import RedFlagRules


class SymptomTriage:
    """The red-flag rules, loaded once, asked about one text at a time."""

    def __init__(self, rules: RedFlagRules) -> None:
        self._rules = rules

    @classmethod
    def from_file(cls, path: Path) -> "SymptomTriage":
        """The rules in `path`, compiled once while the file is unchanged: every staff app
        loads them, and compiling ~500 patterns takes about 0.1 s."""
        stat = Path(path).stat()
        return cls(_compiled(Path(path), stat.st_mtime_ns, stat.st_size))

    def looks_like_symptoms(self, text: str) -> bool:
        scan = self._rules.scan(text)
        return scan.found is not None or bool(scan.negated) or bool(self._rules.symptom_words(text))


@lru_cache(maxsize=4)
def _compiled(path: Path, mtime_ns: int, size: int) -> RedFlagRules:
    return RedFlagRules.from_file(path)
