"""Whitespace tokens whose lemma spells out SMS shorthand and folds domain synonyms.

Patients text "how lng til the red goes away 2day" and "can u do the dermapen b4 my
appt". Rasa's CountVectorsFeaturizer counts each token's `lemma` (`use_lemma` is on by
default), so giving "lng" the lemma "long" and "dermapen" the lemma "microneedling"
lets the classifier see the words it was trained on. The message text itself is not
changed: transcripts keep what the patient typed.

The mapping is `bot/understanding/domain_terms.yml` (single-word variants; the spaCy variant
measured in docs/quality.md also uses its multi-word ones).
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.understanding.domain_terms import TERMS_FILE, load_terms


def shorthand_lemmas() -> Dict[str, str]:
    """Lower-case single-word variant -> canonical word."""
    return {
        variant: canonical for canonical, variants in load_terms().items() for variant in variants if " " not in variant
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ShorthandTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer that sets each token's lemma to its spelled-out form."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Load the mapping once per model load."""
        super().__init__(config)
        self.lemmas = shorthand_lemmas()

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The terms file's content, so that editing it retrains the model.

        Rasa caches each training step by its component's code and config; the mapping
        lives in a file, so without this a new shorthand would silently be ignored.
        """
        return hashlib.sha256(TERMS_FILE.read_bytes()).hexdigest()

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Whitespace tokens, each with its canonical lemma."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            lower = token.text.lower()
            token.lemma = self.lemmas.get(lower, lower)
        return tokens
