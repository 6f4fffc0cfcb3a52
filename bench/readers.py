"""`python -m bench.readers`: the free-text readers on adversarial messages of 2,000 characters.

Issue 15: under Python's `re`, the contact reader's lead-in pattern took time cubic in the
length of a run of spaces before a contact, so one ~540-character message kept the action
server busy ~5 s. Every pattern applied to patient text now runs on RE2 (`bot.patterns`).
This times each reader on messages shaped to make a backtracking matcher work hardest,
each as long as a channel lets in (`MAX_MESSAGE_CHARS`), and prints the best of
`--repeat` runs in milliseconds. A report to read, never a check: the tests assert what
makes these numbers small (every pattern is RE2's, every reader's input is capped), not
the numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Callable, Dict, List, Optional

from bot.booking import find_contact, read_details
from bot.booking.clauses import prepare
from bot.booking.contact import contact_spans
from bot.screening import get_screening
from bot.settings import get_settings
from bot.text import MAX_MESSAGE_CHARS
from bot.understanding.escalation import decide
from bot.understanding.red_flag_rules import RedFlagRules


def _filled(head: str, unit: str) -> str:
    """`head`, then `unit` again and again, to exactly the channel's cap."""
    return (head + unit * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]


# The booking readers look at the first 1,000 characters, so each shape starts there.
ADVERSARIAL: Dict[str, str] = {
    "spaces, then addresses (issue 15)": _filled(" " * 985 + "x a@b c@d ", "x a@b "),
    "spaces, then a phone number": _filled(" " * 985 + "x 617-555-0142 ", " "),
    "'a@a.' repeated": _filled("", "a@a."),
    "'(555)' repeated": _filled("", "(555)"),
    "'(555) ' repeated": _filled("", "(555) "),
    "digits and spaces": _filled("", "1 "),
    "'@' repeated": _filled("", "@"),
    "'.' repeated": _filled("", "."),
    "letters": _filled("", "a"),
}


def readers() -> Dict[str, Callable[[str], object]]:
    """What runs on a patient's message, by the reader's name."""
    rules = RedFlagRules.from_file(get_settings().red_flags_file)
    screening = get_screening()
    return {
        "contact (find_contact)": find_contact,
        # where the contact reader's lead-in pattern runs: the name and time readers blank these spans
        "contact spans (contact_spans)": lambda text: contact_spans(prepare(text)),
        "booking form, contact asked (read_details)": lambda text: read_details(text, asked="contact"),
        "screening (interpret)": screening.interpret,
        "red flags: rules and guard (decide)": lambda text: decide(rules, text),
    }


def best_ms(read: Callable[[str], object], text: str, repeat: int) -> float:
    """The fastest of `repeat` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        read(text)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readers", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per reader and message (the best counts)")
    args = parser.parse_args(argv)
    found = readers()
    print(f"best of {args.repeat} runs, ms, on messages of {MAX_MESSAGE_CHARS} characters")
    for case, text in ADVERSARIAL.items():
        for name, read in found.items():
            print(f"{case:36} {name:44} {best_ms(read, text, args.repeat):10.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
