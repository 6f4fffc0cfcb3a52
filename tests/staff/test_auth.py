"""Only `Bearer <one token>` yields a token to look up; anything else costs no query."""

import pytest

from bot.staff.auth import MAX_TOKEN_LENGTH, bearer_token

TOKEN = "correct-token-0123456789"


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"  Bearer   {TOKEN}  "])
def test_the_token_is_read(header):
    assert bearer_token(header) == TOKEN


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        TOKEN,
        f"Basic {TOKEN}",
        f"Bearer {TOKEN} extra",
        f"Bearer {'x' * (MAX_TOKEN_LENGTH + 1)}",
    ],
)
def test_anything_else_yields_nothing(header):
    assert bearer_token(header) is None


def test_undecodable_bytes_are_passed_on_to_be_a_wrong_token_not_a_crash():
    assert bearer_token("Bearer \udcff\udcfe") == "\udcff\udcfe"
