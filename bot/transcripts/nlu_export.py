"""Unanswered messages as a Rasa NLU training-data stub for a developer to label.

Each group becomes an intent block named TODO_label_<n>: the developer renames it (to an
intent of domain.yml or a new one), drops the examples that do not belong, and moves it
into data/nlu/. Patient text is written as double-quoted YAML scalars (by PyYAML, which
knows YAML's escapes), so quotes, "#", braces, leading dashes and line breaks survive as
typed; only Rasa's entity markup is defused (see `without_entity_markup`).
"""

from __future__ import annotations

from typing import List, Sequence

import yaml

from bot import patterns
from bot.transcripts.unanswered import UnansweredGroup

HEADER = """\
# Patient messages the assistant could not answer, grouped by similar text
# (written by `python -m bot.staff export-unanswered`). Before training:
#   1. rename each TODO_label_<n> to the intent it asks for (an intent of domain.yml,
#      or a new one you add there),
#   2. delete the examples that do not belong to it, and
#   3. move the block into the matching file under data/nlu/.
# The texts are what patients typed; no sender ids or times are exported.
"""
INTENT_PREFIX = "TODO_label_"
# Rasa reads "[text](entity)", "[text]{...}" and "[text][...]" in an example as an
# entity annotation, which would change the example; a space after "]" keeps it text.
# The bracket after "]" is matched and put back: none of them is a "]", so no markup is missed.
_ENTITY_MARKUP = patterns.compile(r"\]([(\[{])")


def nlu_stub(groups: Sequence[UnansweredGroup]) -> str:
    """Rasa NLU YAML with one TODO_label_<n> intent per group (n from 1, in the given order)."""
    lines: List[str] = [HEADER + 'version: "3.1"']
    if not groups:
        return "\n".join([*lines, "nlu: []", ""])
    lines.append("nlu:")
    for number, group in enumerate(groups, start=1):
        lines.append(f"# {_seen(group)}")
        lines.append(f"- intent: {INTENT_PREFIX}{number}")
        lines.append("  examples:")
        lines.extend(example_line(text) for text in group.texts)
    return "\n".join([*lines, ""])


def example_line(text: str) -> str:
    """One example of an intent block: `text` quoted, its entity markup defused (also
    bot.retraining.training_data's)."""
    return f"  - text: {_quoted(without_entity_markup(text))}"


def _seen(group: UnansweredGroup) -> str:
    """How often the group's messages came, and why each went unanswered: the developer's
    hint for what matters most ("seen 5 times (fallback: 3, unsure: 2)")."""
    reasons = ", ".join(f"{reason}: {count}" for reason, count in group.reasons.items())
    return f"seen {group.count} time{'' if group.count == 1 else 's'} ({reasons})"


def without_entity_markup(text: str) -> str:
    """`text` as `example_line` writes it: "[a](b)" would be read by Rasa as an entity."""
    return _ENTITY_MARKUP.sub(lambda markup: "] " + markup.group(1), text)


def _quoted(text: str) -> str:
    """`text` as one double-quoted YAML scalar on one line (line breaks escaped)."""
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n")
