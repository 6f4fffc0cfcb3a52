from pathlib import Path

import pytest

from bench.training import EDIT_SUFFIX, components, edit_one_response

LOG = """
2026-11-28 12:42:12 INFO     rasa.engine.training.hooks  - Restored component 'CountVectorsFeaturizer' from cache.
2026-11-28 12:42:12 INFO     rasa.engine.training.hooks  - Restored component 'DIETClassifier' from cache.
2026-11-28 12:42:13 INFO     rasa.engine.training.hooks  - Finished training component 'RulePolicy'.
"""

DOMAIN = """version: "3.1"
responses:
  utter_greet:
    - text: "Hello!"
  utter_goodbye:
    - text: "Bye for now."
    - channel: twilio
      text: "Bye."
"""


def test_reads_which_components_were_trained_and_which_restored() -> None:
    found = components(LOG)
    assert found.trained == ["RulePolicy"]
    assert found.restored == ["CountVectorsFeaturizer", "DIETClassifier"]


def test_edits_only_the_first_text_of_the_response(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN)
    assert edit_one_response(domain, "utter_goodbye") == "Bye for now." + EDIT_SUFFIX
    assert domain.read_text() == DOMAIN.replace("Bye for now.", "Bye for now." + EDIT_SUFFIX)


def test_refuses_a_response_the_domain_lacks(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN)
    with pytest.raises(ValueError):
        edit_one_response(domain, "utter_nothing")
    assert domain.read_text() == DOMAIN


def test_refuses_when_another_response_has_the_same_text_first(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN.replace("Hello!", "Bye for now."))
    with pytest.raises(ValueError):
        edit_one_response(domain, "utter_goodbye")
