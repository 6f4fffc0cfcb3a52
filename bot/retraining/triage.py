"""Which unanswered messages look like symptom reports, so staff read them first.

Uses the clinic's red-flag rules (bot.understanding.red_flag_rules), conservatively: a
message is put at the top when the rules find a red flag, when it names any symptom
word (even to deny it: "no swelling but it burns" is still about symptoms), or when it
mentions a red-flag group only negated. A spam message shown at the top costs staff a
glance; a symptom report buried among spam could cost a patient.
"""

from __future__ import annotations

from pathlib import Path

from bot.understanding.red_flag_rules import RedFlagRules


class SymptomTriage:
    """The red-flag rules, loaded once, asked about one text at a time."""

    def __init__(self, rules: RedFlagRules) -> None:
        self._rules = rules

    @classmethod
    def from_file(cls, path: Path) -> "SymptomTriage":
        return cls(RedFlagRules.from_file(path))

    def looks_like_symptoms(self, text: str) -> bool:
        scan = self._rules.scan(text)
        return scan.found is not None or bool(scan.negated) or bool(self._rules.symptom_words(text))
