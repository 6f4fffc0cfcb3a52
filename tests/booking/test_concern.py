"""The article's skin concerns are picked out of earlier messages as canonical labels."""

import pytest

from bot.booking.concern import find_concern


@pytest.mark.parametrize(
    "texts, expected",
    [
        (["I want to get rid of my acne scars"], "acne scars"),
        (["scars from acne", "and a scar on my chin"], "acne scars, scars"),
        (["fine lines and wrinkles around my eyes"], "fine lines, wrinkles"),
        (["my pores are huge", "big pores", "enlarged pores"], "large pores"),
        (["rough skin texture", "textured skin"], "uneven texture"),
        (["anti-aging", "aging skin", "antiageing"], "anti-aging"),
        (["I'd like a better complexion", "dull skin"], "complexion"),
        (["lots of sun spots", "sun damaged skin"], "sun damage"),
        (["ACNE SCARRING", "WRINKELS"], "acne scars, wrinkles"),
        (["texture", "acne scars", "texture again"], "uneven texture, acne scars"),
    ],
)
def test_concerns_in_first_seen_order(texts, expected):
    assert find_concern(texts) == expected


@pytest.mark.parametrize(
    "texts",
    [[], [""], ["I have active acne"], ["the needles are scaring me", "I'm scared"], ["how much is it?"]],
)
def test_no_concern(texts):
    assert find_concern(texts) is None


def test_every_label_at_once_stays_within_200_characters():
    text = "acne scars, a scar, fine lines, wrinkles, large pores, uneven texture, anti-aging, complexion, sun damage"
    found = find_concern([text] * 50)
    assert found.split(", ") == [
        "acne scars", "scars", "fine lines", "wrinkles", "large pores", "uneven texture", "anti-aging", "complexion",
        "sun damage",
    ]  # fmt: skip
    assert len(found) <= 200
