"""Text folding shared by the checks that compare text as a person reads it.

Curly quotes, long dashes, case and runs of whitespace vary between a patient's phone,
the clinic's article and our YAML files without changing what the text says.
"""
import re

_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-"})
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, straighten quotes and dashes, and fold whitespace."""
    return _SPACES.sub(" ", (text or "").translate(_TYPOGRAPHY)).strip().lower()
