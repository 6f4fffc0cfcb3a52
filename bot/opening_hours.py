"""The clinic's weekly opening hours as its profile writes them: wall-clock spans per weekday.

`opening_hours: {mon: ["09:00-18:00"], sat: ["10:00-14:00"], sun: []}` in the profile
becomes a `WeeklyHours`. Reading is strict, because a typo here would tell a patient
the team is back on the wrong day: every error names the day and the span to fix.
A span ends on the day it starts: one past midnight is refused with how to split it
("22:00-24:00" on one day, "00:00-02:00" on the next). What the spans mean in real time
(the clinic's time zone, daylight saving) is `bot.office_hours`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Sequence, Tuple

from bot.errors import ConfigurationError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EXAMPLE = '"09:00-18:00"'


@dataclass(frozen=True)
class Span:
    """Open from `start` until `end` (exclusive), in minutes after the day's midnight (24:00 is 1440).

    Minutes rather than `time`s, because a span may end at 24:00 and the wall-clock
    arithmetic in `bot.office_hours` is then one addition.
    """

    start: int
    end: int

    def __str__(self) -> str:
        return f"{clock(self.start)}-{clock(self.end)}"

    @classmethod
    def parse(cls, text: str) -> "Span":
        """'09:00-18:00' (or '9:00 - 18:00'); a ValueError says what is wrong with it."""
        parts = text.split("-")
        if len(parts) != 2:
            raise ValueError(f"{text!r} is not a span like {EXAMPLE}")
        start, end = (_minutes(part, text) for part in parts)
        if end <= start:
            raise ValueError(
                f"{text!r} ends before it starts; a span ends on the day it starts, so split one that "
                'runs past midnight: "22:00-24:00" on one day and "00:00-02:00" on the next'
            )
        return cls(start, end)


@dataclass(frozen=True)
class WeeklyHours:
    """The spans of each weekday, Monday first, sorted and never overlapping; none at all: unknown."""

    days: Tuple[Tuple[Span, ...], ...] = ((),) * 7

    @property
    def known(self) -> bool:
        """Whether the profile gives any opening hours (none: we cannot say when the clinic is closed)."""
        return any(self.days)

    @classmethod
    def parse(cls, raw: Any) -> "WeeklyHours":
        """Read the profile's `opening_hours` mapping; a missing day is closed.

        A day's value is a list of spans, one span as a plain string, or empty (closed).
        The ConfigurationError names the day and the span that is wrong.
        """
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ConfigurationError(f"'opening_hours' must map days ({', '.join(DAYS)}) to spans like [{EXAMPLE}]")
        unknown = sorted(str(day) for day in raw if day not in DAYS)
        if unknown:
            raise ConfigurationError(
                f"opening_hours: unknown day(s) {', '.join(unknown)}; the days are {', '.join(DAYS)}"
            )
        return cls(tuple(_day_spans(day, raw.get(day)) for day in DAYS))

    def describe(self) -> str:
        """What patients read, e.g. 'Mon-Fri 9:00-18:00, Sat 10:00-14:00'; '' when unknown.

        Consecutive days with the same spans share one entry; closed days are left out.
        """
        entries: List[str] = []
        first = 0
        for day in range(1, 8):
            if day < 7 and self.days[day] == self.days[first]:
                continue
            if self.days[first]:
                days = DAY_LABELS[first] if day - 1 == first else f"{DAY_LABELS[first]}-{DAY_LABELS[day - 1]}"
                entries.append(f"{days} {' and '.join(str(span) for span in self.days[first])}")
            first = day
        return ", ".join(entries)


def _day_spans(day: str, value: Any) -> Tuple[Span, ...]:
    """One day's spans, sorted; overlapping ones are refused (a typo more often than a plan)."""
    if value is None:
        return ()
    texts: Sequence[Any] = [value] if isinstance(value, str) else value
    if not isinstance(texts, (list, tuple)):
        raise ConfigurationError(f"opening_hours: {day}: give a list of spans like [{EXAMPLE}], not {value!r}")
    spans = []
    for text in texts:
        if not isinstance(text, str):
            # YAML reads an unquoted 9:00 as the number 540 (minutes, base 60).
            raise ConfigurationError(f"opening_hours: {day}: {text!r} is not a span like {EXAMPLE}; put it in quotes")
        try:
            spans.append(Span.parse(text.strip()))
        except ValueError as exc:
            raise ConfigurationError(f"opening_hours: {day}: {exc}") from exc
    spans.sort(key=lambda span: span.start)
    for before, after in zip(spans, spans[1:]):
        if before.end > after.start:
            raise ConfigurationError(f"opening_hours: {day}: {before} and {after} overlap; give each time once")
    return tuple(spans)


def _minutes(text: str, span: str) -> int:
    """'9:00' or '09:00' as minutes after midnight; '24:00' (the end of the day) is 1440."""
    hours, _, minutes = text.strip().partition(":")
    digits = hours + minutes
    if not (digits.isascii() and digits.isdigit() and 1 <= len(hours) <= 2 and len(minutes) == 2):
        raise ValueError(f"{span!r} is not a span like {EXAMPLE}")
    hour, minute = int(hours), int(minutes)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise ValueError(f"{span!r} has a time that does not exist ({text.strip()})")
    return hour * 60 + minute


def clock(minutes: int) -> str:
    """9:00, 13:30: how patients read a time given in minutes after midnight."""
    return f"{minutes // 60}:{minutes % 60:02d}"
