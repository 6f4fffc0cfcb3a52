"""Deterministic red-flag symptom rules, read from `clinic/red_flags.yml`.

Why rules and not only the model: a patient who writes "my lips are swelling" must be
told to call emergency services every time, whatever the classifier thinks. The model
still learns the red-flag intents (so it catches phrasings nobody wrote a pattern for);
these rules make the listed phrasings certain.

This module has no Rasa import so that other parts of the project (the staff console's
red-flag marker, tests) can use the same rules cheaply. Patterns are RE2's
(`bot.patterns`): matching takes time linear in the message whatever the clinic writes,
and a pattern RE2 cannot match that way is refused when the file is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import yaml

from bot import patterns
from bot.patterns import IGNORECASE, Pattern, PatternError
from bot.text import MAX_MESSAGE_CHARS, normalize

SYMPTOM_WORDS = "symptom_words"  # the file's list of plain symptom words (see RedFlagScan)
EMERGENCY = "emergency"
URGENT = "urgent"
LEVELS = (EMERGENCY, URGENT)  # in order of precedence


# A negation directly in front of the symptom ("no fever or pus", "I don't have a
# fever", "not having trouble breathing") cancels the match; anything further away
# ("not sure if it's infected") does not, because a hedged report is still a report.
_NEGATED = patterns.compile(
    r"\b(no|not|never|without|free of|history of|prone to|zero|nothing|"
    r"worried (i'?d|id|i would|i'?ll|that i'?d)|afraid (i'?d|id|of)|scared (i'?d|id|of)|thought (i'?d|id|it would|i would)|"
    r"don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|isn'?t|aren'?t|wasn'?t|weren'?t)\s+"
    r"(have\s+|having\s+|had\s+|got\s+|get\s+|getting\s+|experiencing\s+|noticed\s+|seen\s+|felt\s+|gotten\s+|feel\s+|feeling\s+|in\s+)?"
    r"(a\s+|any\s+|an\s+|the\s+)?(signs?\s+of\s+)?(a\s+|any\s+|an\s+)?"
    r"(\w+\s+(or|and|nor)\s+)*$"
)
_LISTED_NEGATION = patterns.compile(
    r"\b(no|not|without|zero|isn'?t|aren'?t|didn'?t|doesn'?t|hasn'?t|haven'?t|wasn'?t|never)\s+(\w+\s+(or|and|nor)\s+)*$"
)
# "fever? no", "pus: none", "swelling - nope": the symptom named, then denied.
_ANSWERED_NO = patterns.compile(r"\s*[?:=-]+\s*(no|nope|nah|none|negative|not really)\b")
# "no fever but ...": a denial followed by a turn is no all-clear.
_CONTRAST = patterns.compile(r"\b(but|though|except|however|although|only thing|apart from)\b")
_LAST_WORD = patterns.compile(r"\w+\W*$")


@dataclass(frozen=True)
class RedFlagMatch:
    """What was found: the most serious level, and every symptom group that matched."""

    level: str
    symptoms: Tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    level: str
    name: str
    patterns: Tuple[Pattern, ...]
    unless: Tuple[Pattern, ...]

    def mentions(self, text: str) -> Optional[bool]:
        """True: the symptom is reported; False: only mentioned negated; None: not mentioned."""
        if any(pattern.search(text) for pattern in self.unless):
            return None
        negated = [
            _negated(text, found.start(), found.end()) for pattern in self.patterns for found in pattern.finditer(text)
        ]
        if not negated:
            return None
        return not all(negated)


def _negated(text: str, start: int, end: int) -> bool:
    """Whether a match is negated: "no fever", or "eyes are fine, no blur, no pain".

    A pattern may start at the body part and end at the symptom; a "no" or "not" right
    before the match's last word negates it too, except before "stop" ("bleeding does
    not stop" stays a report). "fever? no" is a denial too.
    """
    if _NEGATED.search(text[max(0, start - 60) : start]) or _ANSWERED_NO.match(text, end):
        return True
    last_word = _LAST_WORD.search(text, start, end)
    if last_word is None or last_word.group(0).startswith("stop"):
        return False
    return bool(_LISTED_NEGATION.search(text[max(start, last_word.start() - 40) : last_word.start()]))


class RedFlagRules:
    """The clinic's red-flag patterns, compiled once, and the plain symptom words."""

    def __init__(self, groups: List[_Group], symptom_words: Tuple[Pattern, ...] = ()) -> None:
        self._groups = groups
        self._symptom_words = symptom_words

    @classmethod
    def from_file(cls, path: Path) -> "RedFlagRules":
        """Load and compile the YAML file; a malformed file, or a pattern RE2 cannot
        match in linear time, fails loudly at start-up, naming the pattern."""
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_mapping(raw, source=str(path))

    @classmethod
    def from_mapping(cls, raw: Dict, source: str = "<mapping>") -> "RedFlagRules":
        """Build rules from `{level: {symptom: {patterns: [...], unless: [...]}}}`."""
        raw = dict(raw)
        words = raw.pop(SYMPTOM_WORDS, None) or []
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
                            patterns=tuple(patterns.compile(p, IGNORECASE) for p in spec["patterns"]),
                            unless=tuple(patterns.compile(p, IGNORECASE) for p in spec.get("unless") or ()),
                        )
                    )
                except PatternError as exc:
                    raise ValueError(f"{source}: {level}.{name}: bad pattern: {exc}") from exc
        try:
            compiled = tuple(patterns.compile(p, IGNORECASE) for p in words)
        except PatternError as exc:
            raise ValueError(f"{source}: {SYMPTOM_WORDS}: bad pattern: {exc}") from exc
        return cls(groups, compiled)

    def detect(self, text: str) -> Optional[RedFlagMatch]:
        """The red flags in `text`, or None. Button payloads (`/intent`) are never symptoms."""
        return self.scan(text).found

    def scan(self, text: str) -> "RedFlagScan":
        """The red flags reported in `text`, and the groups it mentions only negated."""
        clean = normalize((text or "")[:MAX_MESSAGE_CHARS])
        if not clean or clean.startswith("/"):
            return RedFlagScan(None, ())
        mentions = [(group, group.mentions(clean)) for group in self._groups]
        found = [group for group, reported in mentions if reported]
        negated = tuple(group.name for group, reported in mentions if reported is False)
        if not found:
            return RedFlagScan(None, negated + self._denied_words(clean) if not _CONTRAST.search(clean) else ())
        level = next(level for level in LEVELS if any(g.level == level for g in found))
        return RedFlagScan(RedFlagMatch(level=level, symptoms=tuple(g.name for g in found)), negated)

    def symptom_words(self, text: str) -> Set[str]:
        """The plain symptom words `text` names (normalized), denied or not."""
        clean = normalize((text or "")[:MAX_MESSAGE_CHARS])
        return {found.group(0) for pattern in self._symptom_words for found in pattern.finditer(clean)}

    def _denied_words(self, clean: str) -> Tuple[str, ...]:
        """(SYMPTOM_WORDS,) when the message names symptoms only to deny them."""
        spans = [found.span() for pattern in self._symptom_words for found in pattern.finditer(clean)]
        if spans and all(_negated(clean, start, end) for start, end in spans):
            return (SYMPTOM_WORDS,)
        return ()


@dataclass(frozen=True)
class RedFlagScan:
    """What the rules saw: the red flags reported (None: none) and what was only denied.

    `negated` names the groups (and `symptom_words`) the message mentions only to deny
    them, with no "but" after: "no fever, no pus, just pink". Empty when anything is
    reported.
    """

    found: Optional[RedFlagMatch]
    negated: Tuple[str, ...]
