"""A Rasa NLU model that trains in well under a second once Rasa is imported: our own
TextIntentClassifier on a handful of examples, trained in this process (Rasa's
`train_nlu`). For tests that need a real model file but not the assistant's (100 MB)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

# Rasa's LogisticRegressionClassifier would load through skops, which imports and walks all
# of scikit-learn and SciPy on first use (10-20 s); ours is persisted with joblib.
CONFIG = """\
recipe: default.v1
language: en
assistant_id: tiny-test-model
pipeline:
  - name: WhitespaceTokenizer
  - name: bot.rasa_server.components.intent_classifier.TextIntentClassifier
policies: []
"""


def nlu_yaml(examples: Dict[str, List[str]]) -> str:
    """Rasa NLU training data: one block per intent."""
    blocks = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)} for intent, texts in examples.items()
    ]
    return yaml.safe_dump({"version": "3.1", "nlu": blocks}, sort_keys=False)


def train_nlu_model(config: Path, data: Path, out: Path) -> Path:
    """`rasa train nlu --config config --nlu data --out out`, in this process."""
    from rasa.model_training import train_nlu

    model = train_nlu(str(config), str(data), str(out), fixed_model_name="candidate")
    assert model is not None, "Rasa trained no model"
    return Path(model)


def tiny_model(directory: Path, examples: Dict[str, List[str]]) -> Path:
    """A model trained on `examples` in `directory` (its config, data and model file)."""
    (directory / "data").mkdir(parents=True, exist_ok=True)
    (directory / "config.yml").write_text(CONFIG, encoding="utf-8")
    (directory / "data" / "nlu.yml").write_text(nlu_yaml(examples), encoding="utf-8")
    return train_nlu_model(directory / "config.yml", directory / "data", directory / "models")
