"""Where the console may send a browser after signing in: only to its own pages."""

import pytest

from bot.staff.pages import HOME, safe_next


@pytest.mark.parametrize(
    "target", ["/handoffs", "/handoffs/12", "/handoffs?status=new&kind=booking", "/unanswered?days=7"]
)
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [None, "", "handoffs", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
     "https://evil.example/handoffs", "javascript:alert(1)", "/\t/evil.example", "/handoffs\r\nSet-Cookie: x=1",
     "/ok\x00", "/a b", "/path\\..\\x"],
)  # fmt: skip
def test_anything_else_goes_to_the_queue(target):
    assert safe_next(target) == HOME
