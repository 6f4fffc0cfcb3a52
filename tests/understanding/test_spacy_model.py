"""The spaCy pipeline built from spaCy's own packages folds domain terms and shorthand."""

import pytest

# spaCy is installed for `make eval` only (make install-eval), which runs this file.
pytest.importorskip("spacy", reason="spaCy comes with `make install-eval`; `make eval` runs these tests")

from bot.understanding.domain_terms import load_terms  # noqa: E402
from bot.understanding.spacy_model import build  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    return build(load_terms())


def _lemmas(nlp, text):
    return [token.lemma_ for token in nlp(text.lower())]


def test_domain_terms_become_one_canonical_token(nlp):
    assert _lemmas(nlp, "Is the Skin Pen FDA approved?") == ["be", "the", "skinpen", "fda", "approve", "?"]
    assert "microneedling" in _lemmas(nlp, "how long after the derma pen")
    assert "prp" in _lemmas(nlp, "do you do the vampire facial")
    assert "redlight" in _lemmas(nlp, "the red light part")


def test_sms_shorthand_is_spelled_out(nlp):
    assert _lemmas(nlp, "can u do it b4 my appt tmrw") == [
        "can",
        "you",
        "do",
        "it",
        "before",
        "my",
        "appointment",
        "tomorrow",
    ]


def test_other_words_get_dictionary_lemmas(nlp):
    assert _lemmas(nlp, "treatments peeled") == ["treatment", "peel"]


def test_every_canonical_term_maps_to_itself():
    terms = load_terms()
    assert all(canonical in variants for canonical, variants in terms.items())
