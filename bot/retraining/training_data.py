"""The reviewed examples as Rasa NLU training data: data/nlu/reviewed.yml.

Written whole each time from the stored decisions: one block per intent (intents in
alphabetical order, examples in alphabetical order of their folded text), so the same
decisions always give the same file and a diff shows only what changed. Left out, and
counted in the report:

- a text that folds to one already in the training data (another file, or twice here);
- a text staff assigned to two different intents (after redaction two messages can read
  the same): the model cannot learn both;
- a text of a held-out test set: training on it would make the gate's score a lie;
- an intent the domain no longer has.

The examples are written the way `bot.transcripts.nlu_export` writes them (quoted,
entity markup defused), then read back and checked before the file is replaced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

import yaml

from bot.transcripts.nlu_export import example_line, without_entity_markup
from bot.transcripts.unanswered import fold_key

HEADER = """\
# Patient messages staff reviewed in the console and assigned to an intent (issue 20).
# Written by `make retrain` (bot.retraining) from the unanswered_reviews table: edit the
# decisions in the console, not this file. Names and contact details are redacted.
"""


@dataclass
class ReviewedData:
    """The file's text and what was left out of it, and why."""

    text: str
    examples: Dict[str, List[str]]  # intent -> examples written
    left_out: Dict[str, int] = field(default_factory=dict)  # reason -> how many

    @property
    def count(self) -> int:
        return sum(len(texts) for texts in self.examples.values())


def reviewed_data(
    assigned: Iterable[Tuple[str, str]], intents: Set[str], known: Set[str], held_out: Set[str]
) -> ReviewedData:
    """The file for `assigned` (intent, text) pairs. `known` and `held_out` are folded texts
    (`fold_key`) of the other training files and of the test sets."""
    by_text: Dict[str, Set[str]] = defaultdict(set)
    first_text: Dict[str, str] = {}
    left_out: Dict[str, int] = defaultdict(int)
    for intent, text in assigned:
        key = fold_key(text)
        if not key:
            continue
        if intent not in intents:
            left_out["intent no longer in the domain"] += 1
        elif key in held_out:
            left_out["in a held-out test set"] += 1
        elif key in known:
            left_out["already in the training data"] += 1
        else:
            by_text[key].add(intent)
            first_text.setdefault(key, without_entity_markup(text))  # as written, so `check` compares like with like
    examples: Dict[str, List[str]] = defaultdict(list)
    for key in sorted(by_text):
        if len(by_text[key]) > 1:
            left_out["assigned to two intents"] += 1
            continue
        examples[next(iter(by_text[key]))].append(first_text[key])
    return ReviewedData(_yaml(examples), dict(sorted(examples.items())), dict(left_out))


def _yaml(examples: Dict[str, List[str]]) -> str:
    lines = [HEADER + 'version: "3.1"']
    if not examples:
        return "\n".join([*lines, "nlu: []", ""])
    lines.append("nlu:")
    for intent in sorted(examples):
        lines += [f"- intent: {intent}", "  examples:"]
        lines += [example_line(text) for text in examples[intent]]
    return "\n".join([*lines, ""])


def check(data: ReviewedData) -> None:
    """Read the file back as YAML: every intent and example must be what was meant (ValueError if not)."""
    parsed = yaml.safe_load(data.text) or {}
    read = {block["intent"]: [example["text"] for example in block["examples"]] for block in parsed.get("nlu") or ()}
    if parsed.get("version") != "3.1" or read != data.examples:
        raise ValueError("data/nlu/reviewed.yml would not read back as written")


def folded_examples(paths: Iterable[Path]) -> Set[str]:
    """The folded text of every example in these Rasa NLU files (block or list form)."""
    found: Set[str] = set()
    for path in paths:
        parsed = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in parsed.get("nlu") or ():
            examples = block.get("examples") or ()
            if isinstance(examples, str):
                texts = [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
            else:
                texts = [str(example.get("text", "")) for example in examples if isinstance(example, dict)]
            found.update(fold_key(text) for text in texts)
    return found
