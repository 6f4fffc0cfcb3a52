"""`rasa data validate --fail-on-warnings`, knowing which responses forms and actions send.

Rasa's validator warns about every response that no story or rule mentions. Two kinds
of response are used without one: a form asks for a slot with `utter_ask_<slot>` (or
`utter_ask_<form>_<slot>`), and some actions choose a response themselves (the stop
message that fits the active form). Rather than drop `--fail-on-warnings` and let real
mistakes through, this runs Rasa's own checks with those responses counted as used;
every other warning still fails the build.

    python -m scripts.validate_data
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import List, Sequence, Set, Text

from rasa.shared.core.events import ActionExecuted
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.validator import Validator

from bot.settings import PROJECT_ROOT
from bot.understanding.question_parts import TWO_QUESTIONS_INTENT

# Modules that send responses by name: the actions, the channels' notices and keywords, and
# the Rasa server's own notices (a take-over's).
SENDER_DIRS = (
    PROJECT_ROOT / "actions",
    PROJECT_ROOT / "bot" / "rasa_server",
    PROJECT_ROOT / "bot" / "rasa_server" / "channels",
)
_RESPONSE_NAME = re.compile(r"[\"'](utter_[a-z0-9_]+)[\"']")


def responses_sent_by_code(dirs: Sequence[Path] = SENDER_DIRS) -> Set[str]:
    """Response names that appear as string literals in the action and channel modules."""
    missing = [str(directory) for directory in dirs if not directory.is_dir()]
    if missing:  # a moved package must move here too, or its responses look unused
        raise FileNotFoundError(f"no such directory of response senders: {', '.join(missing)}")
    return {
        match.group(1)
        for directory in dirs
        for path in directory.glob("*.py")
        for match in _RESPONSE_NAME.finditer(path.read_text(encoding="utf-8"))
    }


class ProjectValidator(Validator):
    """Rasa's validator, minus the false 'not used' warnings for form and action responses,
    and the false "no training examples" warning for the intent a component sets itself."""

    def _non_default_intents(self) -> List[Text]:
        """Intents that need training examples: not `ask_two_questions`, which the intent
        classifier gives a message of two questions (bot/understanding/question_parts.py)."""
        return [intent for intent in super()._non_default_intents() if intent != TWO_QUESTIONS_INTENT]

    def form_questions(self) -> Set[str]:
        """The responses forms ask their slots with."""
        return {
            name
            for form, spec in self.domain.forms.items()
            for slot in spec.get("required_slots", [])
            for name in (f"utter_ask_{slot}", f"utter_ask_{form}_{slot}")
        }

    def _gather_utterance_actions(self) -> Set[Text]:
        """Responses that stories and rules must use: all but those forms and code send.

        A response that code sends *and* a story uses (the widget shows `utter_greet`)
        stays in the set: Rasa also reads this set as the list of valid responses.
        """
        used = {
            event.action_name
            for step in self.story_graph.story_steps
            for event in step.events
            if isinstance(event, ActionExecuted)
        }
        exempt = (self.form_questions() | responses_sent_by_code()) - used
        return {name for name in super()._gather_utterance_actions() if name not in exempt}


def main() -> int:
    """Run every check of `rasa data validate --fail-on-warnings`; 1 when one fails."""
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"),
        str(PROJECT_ROOT / "domain.yml"),
        [str(PROJECT_ROOT / "data")],
    )
    validator = ProjectValidator.from_importer(importer)
    checks = [
        validator.verify_domain_validity(),
        validator.verify_actions_in_stories_rules(),
        validator.verify_forms_in_stories_rules(),
        validator.verify_form_slots(),
        validator.verify_slot_mappings(),
        validator.verify_nlu(ignore_warnings=False),
        validator.verify_story_structure(ignore_warnings=False),
    ]
    if all(checks):
        print("Training data, domain, stories and rules are consistent.")
        return 0
    print("Validation failed: see the warnings above.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
