"""The questions the assistant covers, as staff pick one: each intent of domain.yml that has
training examples, with a readable label ("Aftercare: first 48h" for aftercare_first_48h).

Intents without examples (`ask_two_questions`, set by the intent classifier) cannot take
an example, so they are not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Set, Tuple

import yaml

# Prefixes that name what kind of question an intent is, for its label.
_KINDS = (("faq_", "About the treatment: "), ("aftercare_", "Aftercare: "), ("red_flag_", "Warning sign: "))


@dataclass(frozen=True)
class IntentChoice:
    """One intent staff may assign a message to."""

    name: str
    label: str


def label(intent: str) -> str:
    """A readable name for `intent`: its kind, then its words."""
    for prefix, kind in _KINDS:
        if intent.startswith(prefix):
            return kind + intent[len(prefix) :].replace("_", " ")
    return intent.replace("_", " ").capitalize()


def assignable_intents(domain_file: Path, nlu_files: Iterable[Path]) -> List[IntentChoice]:
    """The domain's intents that have training examples, in the domain's order.

    Reading the training data takes about 0.6 s, and every staff app (so every console
    test) asks once: the answer is kept while none of the files changed (size and mtime).
    """
    files = (domain_file, *nlu_files)
    stamp = tuple((path.stat().st_mtime_ns, path.stat().st_size) for path in files)
    return list(_assignable(files, stamp))


@lru_cache(maxsize=4)
def _assignable(files: Tuple[Path, ...], stamp: Tuple[Tuple[int, int], ...]) -> Tuple[IntentChoice, ...]:
    domain_file, *nlu_files = files
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    trained = _trained_intents(nlu_files)
    names = [next(iter(entry)) if isinstance(entry, dict) else str(entry) for entry in domain.get("intents") or ()]
    return tuple(IntentChoice(name, label(name)) for name in names if name in trained)


def _trained_intents(nlu_files: Iterable[Path]) -> Set[str]:
    found: Set[str] = set()
    for path in nlu_files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.update(str(block["intent"]) for block in data.get("nlu") or () if "intent" in block)
    return found
