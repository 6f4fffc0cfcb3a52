"""The questions staff may assign a message to: the domain's intents that have examples, in
the domain's order, with readable labels."""

from __future__ import annotations

from bot.retraining.intents import IntentChoice, assignable_intents, label
from bot.settings import PROJECT_ROOT


def test_labels_name_the_kind_of_question_then_its_words():
    assert label("aftercare_first_48h") == "Aftercare: first 48h"
    assert label("faq_pain") == "About the treatment: pain"
    assert label("red_flag_infection") == "Warning sign: infection"
    assert label("ask_price") == "Ask price"


def test_only_intents_with_examples_in_the_domains_order(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text(
        'version: "3.1"\nintents:\n  - greet\n  - ask_two_questions\n  - faq_pain:\n      use_entities: []\n'
    )
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n- intent: faq_pain\n  examples: |\n    - does it hurt\n- intent: greet\n  examples: |\n    - hi\n- regex: code\n  examples: |\n    - \\d+\n'
    )
    assert assignable_intents(domain, [nlu]) == [
        IntentChoice("greet", "Greet"),
        IntentChoice("faq_pain", "About the treatment: pain"),
    ]


def test_the_projects_choices_cover_its_questions_but_not_the_classifiers_own_intent():
    choices = assignable_intents(PROJECT_ROOT / "domain.yml", sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")))
    names = [choice.name for choice in choices]
    assert "ask_two_questions" not in names
    assert len(names) == len(set(names)) > 20
    assert any(name.startswith("aftercare_") for name in names)
