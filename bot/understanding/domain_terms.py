"""The word list of domain synonyms and SMS shorthand (`domain_terms.yml`).

Shared by the shorthand tokenizer (in the served pipeline) and the spaCy pipeline
builder (in `make eval`); it imports neither Rasa nor spaCy, so the served pipeline does
not need spaCy installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

TERMS_FILE = Path(__file__).with_name("domain_terms.yml")


def load_terms(path: Path = TERMS_FILE) -> Dict[str, List[str]]:
    """Canonical lemma -> its lower-case variants; every canonical also maps to itself."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {canonical: sorted({canonical, *(v.lower() for v in variants)}) for canonical, variants in raw.items()}
