"""Command-line values shared by `python -m bench` and `python -m bench.ab`."""

from __future__ import annotations

from typing import Dict, List, Sequence


def levels(text: str) -> List[int]:
    """ "1,10,50": the concurrent conversations of each level."""
    found = [int(part) for part in text.split(",") if part.strip()]
    if not found or min(found) < 1:
        raise ValueError(f"expected levels such as 1,10,50, not {text!r}")
    return found


def environment(pairs: Sequence[str]) -> Dict[str, str]:
    """NAME=VALUE strings as a dict (the value may contain '=')."""
    env: Dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"expected NAME=VALUE, not {pair!r}")
        env[name] = value
    return env
