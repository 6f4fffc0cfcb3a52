"""Rasa graph component that makes the red-flag decision the one the policies see.

It sits at the end of the NLU pipeline, after the intent classifier and the FallbackClassifier, and asks
`bot.understanding.escalation.decide` (rules, the model's red-flag confidence, the report
classifier it trains, the report guard):

- a red flag becomes `red_flag_emergency` or `red_flag_urgent` with confidence 1.0,
  whatever the model or the fallback said, with a `red_flag` entity per symptom group
  so that the tracker (and so the staff handoff) records what was recognised;
- a message the model called a red flag but the guard knows is a general question
  ("what does an infection look like?") gets the model's best other intent instead;
- every message carries a `red_flag_evidence` record (rule groups, model score, report
  probability, guard) so that `scripts/evaluate_red_flags.py` can measure each part on
  its own.

Training fits the report classifier (`bot.understanding.report_classifier`) on the blind-written
sets in `data/red_flags/` and on the NLU examples (the red-flag intents as reports,
every other intent as not), and stores it with the model. The sets are not Rasa
training data, so `fingerprint_addon` adds their digest: editing them retrains this
component, and only this one.
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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.handoffs.red_flags import ENTITY  # the name the handoff reads the groups by
from bot.settings import PROJECT_ROOT, get_settings
from bot.understanding import report_classifier
from bot.understanding.escalation import RED_FLAG_INTENTS, decide
from bot.understanding.red_flag_rules import RedFlagRules
from bot.understanding.report_classifier import ReportClassifier, read_sets, sets_digest

INTENT_FOR_LEVEL = {level: intent for intent, level in RED_FLAG_INTENTS.items()}
EXTRACTOR = "RedFlagDetector"
EVIDENCE = "red_flag_evidence"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RedFlagDetector(GraphComponent, IntentClassifier):
    """Red-flag override of the NLU result.

    Config: `patterns_file` (default: the `RED_FLAGS_FILE` setting; read when the server
    loads the model, so editing patterns needs a restart but no retraining) and
    `report_sets` (the folder of blind-written sets the report classifier learns from,
    relative to the project).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`patterns_file: null` means: use the `RED_FLAGS_FILE` setting."""
        return {"patterns_file": None, "report_sets": "data/red_flags"}

    def __init__(
        self,
        config: Dict[Text, Any],
        rules: RedFlagRules,
        classifier: Optional[ReportClassifier] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        """Keep the compiled rules and the report classifier (None until trained)."""
        self.component_config = config
        self.rules = rules
        self.classifier = classifier
        self._model_storage = model_storage
        self._resource = resource

    @staticmethod
    def _rules(config: Dict[Text, Any]) -> RedFlagRules:
        path: Optional[str] = config.get("patterns_file")
        return RedFlagRules.from_file(Path(path) if path else get_settings().red_flags_file)

    @staticmethod
    def _set_paths(config: Dict[Text, Any]) -> List[Path]:
        folder = Path(config.get("report_sets") or "data/red_flags")
        return sorted((folder if folder.is_absolute() else PROJECT_ROOT / folder).glob("*.yml"))

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[Text]:
        """The sets' and the classifier code's digest: Rasa retrains this component when they change.

        (Rasa fingerprints this class's own source, not the modules it calls.)
        """
        return sets_digest([*cls._set_paths(config), Path(report_classifier.__file__)])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagDetector":
        """Compile the patterns; the report classifier comes from `train`."""
        return cls(config, cls._rules(config), None, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RedFlagDetector":
        """Compile the patterns and read the trained report classifier back."""
        with model_storage.read_from(resource) as directory:
            classifier = ReportClassifier.load(directory)
        return cls(config, cls._rules(config), classifier, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the report classifier on the blind sets and the NLU examples, and store it."""
        sets = read_sets(self._set_paths(self.component_config))
        if not sets:
            raise ValueError(f"no red-flag sets in {self.component_config.get('report_sets')!r}")
        texts = [message.text for message in sets]
        labels = [message.escalate for message in sets]
        for example in training_data.intent_examples:
            texts.append(example.get(TEXT) or "")
            labels.append(example.get(INTENT) in RED_FLAG_INTENTS)
        self.classifier = ReportClassifier.fit(texts, labels)
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                self.classifier.save(directory)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent, ranking and entities from the red-flag decision."""
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            probability = self.classifier.probability(text) if self.classifier and text else None
            decision = decide(self.rules, text, ranking, probability)
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
