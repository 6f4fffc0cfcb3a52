"""Only `Bearer <the token>` is accepted."""
import pytest

from bot.staff.auth import is_authorized

TOKEN = "correct-token-0123456789"


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"  Bearer   {TOKEN}  "])
def test_the_token_is_accepted(header):
    assert is_authorized(header, TOKEN)


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", TOKEN, f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}{TOKEN}",
     f"Bearer {TOKEN} extra", "Bearer \udcff\udcfe"],
)
def test_anything_else_is_refused(header):
    assert not is_authorized(header, TOKEN)
