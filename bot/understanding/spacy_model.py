"""Build the project's spaCy pipeline from spaCy's own packages (no downloaded model).

`spacy.blank("en")` gives the tokenizer; `spacy-lookups-data` gives lookup lemmas (Rasa's
`SpacyNLP` lower-cases text first, with `case_sensitive: false`, so the lower-case lookup
table applies); an `EntityRuler` marks the domain's terms and SMS shorthand from
`domain_terms.yml`, `merge_entities` makes each one token, and an `AttributeRuler` gives
it its canonical lemma, so "derma pen", "skin pen" and "SkinPen" all reach the
classifier as `skinpen`. The result is saved to disk and loaded by Rasa's `SpacyNLP`.

    python -m bot.understanding.spacy_model models/spacy-cit
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, List

import spacy
from spacy.language import Language

from bot.understanding.domain_terms import load_terms


def build(terms: Dict[str, List[str]]) -> Language:
    """The pipeline: lookup lemmatizer, domain-term ruler, merge, lemma override."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # Loads the lemma table from spacy-lookups-data. Rule components are added after it
    # because initialize() would clear their patterns.
    nlp.initialize()
    ruler: Any = nlp.add_pipe("entity_ruler")  # an EntityRuler; typed as any Pipe by spaCy
    ruler.add_patterns(
        [
            {"label": "TERM", "id": canonical, "pattern": [{"LOWER": t.text} for t in nlp.tokenizer(variant)]}
            for canonical, variants in terms.items()
            for variant in variants
        ]
    )
    nlp.add_pipe("merge_entities")
    lemmas: Any = nlp.add_pipe("attribute_ruler")  # an AttributeRuler
    for canonical, variants in terms.items():
        lemmas.add([[{"LOWER": variant}] for variant in variants], {"LEMMA": canonical})
    return nlp


def main() -> None:
    """Build and save the pipeline where Rasa's `SpacyNLP` will load it."""
    parser = argparse.ArgumentParser(description="Build the project's spaCy pipeline.")
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    build(load_terms()).to_disk(args.output)
    print(f"spaCy pipeline saved to {args.output}")


if __name__ == "__main__":
    main()
