"""Deterministic red-flag symptom rules, read from `clinic/red_flags.yml`.

Why rules and not only the model: a patient who writes "my lips are swelling" must be
told to call emergency services every time, whatever the classifier thinks. The model
still learns the red-flag intents (so it catches phrasings nobody wrote a pattern for);
these rules make the listed phrasings certain.

This module has no Rasa import so that other parts of the project (the staff console's
red-flag marker, tests) can use the same rules cheaply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from bot.text import normalize

EMERGENCY = "emergency"
URGENT = "urgent"
LEVELS = (EMERGENCY, URGENT)  # in order of precedence


# A negation directly in front of the symptom ("no fever or pus", "I don't have a
# fever", "not having trouble breathing") cancels the match; anything further away
# ("not sure if it's infected") does not, because a hedged report is still a report.
_NEGATED = re.compile(
    r"\b(no|not|never|without|free of|"
    r"don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|isn'?t|aren'?t|wasn'?t|weren'?t)\s+"
    r"(have\s+|having\s+|had\s+|got\s+|get\s+|getting\s+|experiencing\s+)?"
    r"(a\s+|any\s+|an\s+)?"
    r"(\w+\s+(or|and|nor)\s+)*$"
)


@dataclass(frozen=True)
class RedFlagMatch:
    """What was found: the most serious level, and every symptom group that matched."""

    level: str
    symptoms: Tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    level: str
    name: str
    patterns: Tuple[Pattern[str], ...]
    unless: Tuple[Pattern[str], ...]

    def matches(self, text: str) -> bool:
        if any(pattern.search(text) for pattern in self.unless):
            return False
        for pattern in self.patterns:
            for found in pattern.finditer(text):
                prefix = text[max(0, found.start() - 60) : found.start()]
                if not _NEGATED.search(prefix):
                    return True
        return False


class RedFlagRules:
    """The clinic's red-flag patterns, compiled once."""

    def __init__(self, groups: List[_Group]) -> None:
        self._groups = groups

    @classmethod
    def from_file(cls, path: Path) -> "RedFlagRules":
        """Load and compile the YAML file; a malformed file fails loudly at start-up."""
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_mapping(raw, source=str(path))

    @classmethod
    def from_mapping(cls, raw: Dict, source: str = "<mapping>") -> "RedFlagRules":
        """Build rules from `{level: {symptom: {patterns: [...], unless: [...]}}}`."""
        unknown = set(raw) - set(LEVELS)
        if unknown:
            raise ValueError(f"{source}: unknown level(s) {sorted(unknown)}; use {LEVELS}")
        groups = []
        for level in LEVELS:
            for name, spec in (raw.get(level) or {}).items():
                if not isinstance(spec, dict) or not spec.get("patterns"):
                    raise ValueError(f"{source}: {level}.{name} needs a 'patterns' list")
                try:
                    groups.append(
                        _Group(
                            level=level,
                            name=name,
                            patterns=tuple(re.compile(p, re.IGNORECASE) for p in spec["patterns"]),
                            unless=tuple(re.compile(p, re.IGNORECASE) for p in spec.get("unless") or ()),
                        )
                    )
                except re.error as exc:
                    raise ValueError(f"{source}: {level}.{name}: bad pattern: {exc}") from exc
        return cls(groups)

    def detect(self, text: str) -> Optional[RedFlagMatch]:
        """The red flags in `text`, or None. Button payloads (`/intent`) are never symptoms."""
        clean = normalize(text)
        if not clean or clean.startswith("/"):
            return None
        found = [group for group in self._groups if group.matches(clean)]
        if not found:
            return None
        level = next(level for level in LEVELS if any(g.level == level for g in found))
        return RedFlagMatch(level=level, symptoms=tuple(g.name for g in found))
