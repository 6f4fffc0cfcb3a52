"""Rasa graph component that overrides the predicted intent when a red flag is found.

It sits at the end of the NLU pipeline, after DIET and the FallbackClassifier, so its
decision is the one the policies see: a message with a red-flag symptom becomes
`red_flag_emergency` or `red_flag_urgent` with confidence 1.0, whatever the model or
the fallback said. It also adds a `red_flag` entity per symptom group so that the
tracker (and so the staff console) records what was recognised.
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

from bot.nlu.red_flag_rules import RedFlagRules
from bot.settings import get_settings

INTENT_FOR_LEVEL = {"emergency": "red_flag_emergency", "urgent": "red_flag_urgent"}
ENTITY = "red_flag"
EXTRACTOR = "RedFlagDetector"


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
        """Override intent and ranking of each message in which a red flag is found."""
        for message in messages:
            found = self.rules.detect(message.get(TEXT) or "")
            if found is None:
                continue
            intent = {
                INTENT_NAME_KEY: INTENT_FOR_LEVEL[found.level],
                PREDICTED_CONFIDENCE_KEY: 1.0,
            }
            ranking = [
                item
                for item in message.get(INTENT_RANKING_KEY) or []
                if item.get(INTENT_NAME_KEY) != intent[INTENT_NAME_KEY]
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
            entities = list(message.get(ENTITIES) or [])
            entities.extend(
                {"entity": ENTITY, "value": symptom, "extractor": EXTRACTOR}
                for symptom in found.symptoms
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
