"""Generated messages that carry a phone number or an e-mail address, for the property tests
that none reaches what staff read or the training data (tests/retraining)."""

from __future__ import annotations

from typing import Tuple

from hypothesis import strategies as st

# Words around the contact: letters and punctuation only, so any digit or '@' left is a leak.
_WORDS = st.lists(
    st.sampled_from(
        [
            "call",
            "me",
            "on",
            "my",
            "is",
            "please",
            "thanks",
            "ok",
            "hi,",
            "number",
            "email",
            "at",
            "it",
            "hurts",
            "-",
            "...",
        ]
    ),
    max_size=5,
).map(" ".join)
_SEPARATORS = st.sampled_from(["", " ", "-", ".", " - ", ") ", "  "])
_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=16)
_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
_TLD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6)


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """7 to 15 digits in groups, with the prefixes and separators people type."""
    groups = draw(st.lists(st.text(alphabet="0123456789", min_size=2, max_size=4), min_size=2, max_size=5))
    digits = "".join(groups)
    if len(digits) < 7:
        groups.append("0" * (7 - len(digits)))
    prefix = draw(st.sampled_from(["", "+", "+1 ", "+44 ", "("]))
    number = groups[0]
    for group in groups[1:]:
        number += draw(_SEPARATORS) + group
    return prefix + number


@st.composite
def emails(draw: st.DrawFn) -> str:
    labels = draw(st.lists(_LABEL, min_size=1, max_size=3))
    return f"{draw(_LOCAL)}@{'.'.join(labels)}.{draw(_TLD)}"


@st.composite
def contact_messages(draw: st.DrawFn) -> Tuple[str, str]:
    """(a message, the contact in it)."""
    contact = draw(st.one_of(phone_numbers(), emails()))
    joiner = draw(st.sampled_from([" ", ": ", " <", " ("]))
    return f"{draw(_WORDS)}{joiner}{contact} {draw(_WORDS)}".strip(), contact


def leaked(text: str, contact: str) -> bool:
    """Whether `text` still shows any of `contact`: a digit (the words around it have none), an
    '@', or the address's domain."""
    if "@" in contact:
        return "@" in text or contact.split("@")[1] in text
    return any(character.isdigit() for character in text)
