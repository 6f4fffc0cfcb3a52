"""Rasa graph component that makes the red-flag decision the one the policies see.

It sits at the end of the NLU pipeline, after DIET and the FallbackClassifier, and asks
`bot.nlu.escalation.decide` (rules, the model's red-flag confidence, the report guard):

- a red flag becomes `red_flag_emergency` or `red_flag_urgent` with confidence 1.0,
  whatever the model or the fallback said, with a `red_flag` entity per symptom group
  so that the tracker (and so the staff handoff) records what was recognised;
- a message the model called a red flag but the guard knows is a general question
  ("what does an infection look like?") gets the model's best other intent instead;
- every message carries a `red_flag_evidence` record (rule groups, model score, guard)
  so that `scripts/evaluate_red_flags.py` can measure each part on its own.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.escalation import RED_FLAG_INTENTS, decide
from bot.nlu.red_flag_rules import RedFlagRules
from bot.settings import get_settings

INTENT_FOR_LEVEL = {level: intent for intent, level in RED_FLAG_INTENTS.items()}
ENTITY = "red_flag"
EXTRACTOR = "RedFlagDetector"
EVIDENCE = "red_flag_evidence"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagDetector(GraphComponent, IntentClassifier):
    """Deterministic red-flag override of the NLU result.

    Config: `patterns_file` (default: the `RED_FLAGS_FILE` setting). The file is read when
    the server loads the model, so editing patterns needs a restart but no retraining.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`patterns_file: null` means: use the `RED_FLAGS_FILE` setting."""
        return {"patterns_file": None}

    def __init__(self, config: Dict[Text, Any], rules: RedFlagRules) -> None:
        """Keep the compiled rules; `create` builds them from the config."""
        self.component_config = config
        self.rules = rules

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagDetector":
        """Compile the patterns file named in the config or the settings."""
        path: Optional[str] = config.get("patterns_file")
        rules_path = Path(path) if path else get_settings().red_flags_file
        return cls(config, RedFlagRules.from_file(rules_path))

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent, ranking and entities from the red-flag decision."""
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            decision = decide(self.rules, text, ranking)
            message.set(EVIDENCE, decision.evidence(), add_to_output=True)
            if decision.red_flag is not None:
                self._escalate(message, ranking, decision.red_flag.level, decision.red_flag.symptoms)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in RED_FLAG_INTENTS:
                self._stand_down(message, ranking)
        return messages

    @staticmethod
    def _escalate(message: Message, ranking: List[Dict[Text, Any]], level: str, symptoms: Any) -> None:
        intent = {INTENT_NAME_KEY: INTENT_FOR_LEVEL[level], PREDICTED_CONFIDENCE_KEY: 1.0}
        others = [item for item in ranking if item.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *others], add_to_output=True)
        entities = list(message.get(ENTITIES) or [])
        entities.extend({"entity": ENTITY, "value": symptom, "extractor": EXTRACTOR} for symptom in symptoms)
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _stand_down(message: Message, ranking: List[Dict[Text, Any]]) -> None:
        """A general question the model took for a report: its best other intent answers it."""
        others = [item for item in ranking if item.get(INTENT_NAME_KEY) not in RED_FLAG_INTENTS]
        if not others:
            return
        best = others[0]
        message.set(
            INTENT,
            {INTENT_NAME_KEY: best[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: best.get(PREDICTED_CONFIDENCE_KEY, 0.0)},
            add_to_output=True,
        )
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)
