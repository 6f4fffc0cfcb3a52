"""Query and form parameters of the staff routes, and the error for bad ones.

The API and the console read the same filters (status, kind, whole numbers) the same
way; a bad value is a `BadRequest` whose message names the parameter and what it may be,
which the app shows as JSON or as a page.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

from bot.handoffs.request import check_choice


class BadRequest(ValueError):
    """A request the client must fix (HTTP 400); its message is safe to show."""


def choice(name: str, value: Optional[str], allowed: Tuple[str, ...], required: bool = False) -> Optional[str]:
    """`value` if it is one of `allowed` (or None/empty, unless required); else BadRequest."""
    value = value or None
    try:
        check_choice(name, value, allowed, required=required)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return value


def integer(args: Mapping, name: str, default: int, lowest: int, highest: int) -> int:
    """The whole number `args[name]` within [lowest, highest], `default` when absent; else BadRequest."""
    raw = args.get(name)
    if not raw:
        return default
    problem = BadRequest(f"{name} must be a whole number from {lowest} to {highest}")
    try:
        value = int(raw, 10)
    except ValueError:
        raise problem from None
    if not lowest <= value <= highest:
        raise problem
    return value
