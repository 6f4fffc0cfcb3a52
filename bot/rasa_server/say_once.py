"""Say it once: a warning already given in this conversation is referred to, not repeated.

Follow-ups bring the same answer back ("k how long do i sit under it", "is that bad??"),
and neighbouring answers share a warning (redness and flaking both end with the signs of
an infection). Patients skim a paragraph they have read before, and a warning read
twice word for word reads as filler. So the second time, each warning sentence of
`say_once.yml` becomes its short form, which still names the signs and whom to call.

An answer given twice in a row means the patient asked for something it does not say; the
second time it carries a note offering the team (`said_again`).

Applied by the response generator (bot.rasa_server.nlg), which sees the conversation: every
templated response goes through it, whether a rule or an action sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Mapping, Sequence, Tuple

import yaml

SAY_ONCE_FILE = Path(__file__).with_name("say_once.yml")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")  # our own file, never patient text


@dataclass(frozen=True)
class Warning:
    """One warning: the sentences that give it, and what is said once it was given."""

    name: str
    sentences: Tuple[str, ...]
    again: str


def load_warnings(path: Path = SAY_ONCE_FILE) -> List[Warning]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        Warning(name, tuple(entry["sentences"]), entry["again"]) for name, entry in (raw.get("warnings") or {}).items()
    ]


def load_repeat_note(path: Path = SAY_ONCE_FILE) -> str:
    """What follows an answer given twice in a row (`said_again`)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return str(raw["repeated"])


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with the placeholders `values` knows filled in, as the generator fills them."""
    return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), template)


def said_once(text: str, earlier: Sequence[str], warnings: Iterable[Warning], values: Mapping[str, str]) -> str:
    """`text` with each warning given in one of the `earlier` texts shortened to its reference."""
    for warning in warnings:
        sentences = [fill(sentence, values) for sentence in warning.sentences]
        present = [sentence for sentence in sentences if sentence in text]
        if present and any(sentence in before for before in earlier for sentence in sentences):
            for sentence in present:
                text = text.replace(sentence, fill(warning.again, values))
    return text


def said_again(text: str, given: str, earlier: Sequence[str], note: str, values: Mapping[str, str]) -> str:
    """`text` with the repeat note when the previous thing the assistant said was this
    same answer (`given` is the answer as written, before any warning was shortened)."""
    if earlier and any(earlier[0].startswith(version) for version in (text, given)):
        return f"{text} {fill(note, values)}"
    return text
