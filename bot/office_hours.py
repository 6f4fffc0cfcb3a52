"""When the clinic's team is in: its opening hours in real time, in the clinic's time zone.

The profile's opening hours are wall-clock times where the clinic is (`bot.opening_hours`).
This module turns them into instants, so the console shows times as the clinic reads
them, the queue marks a request that came in after hours, and a patient who asks for a
person after hours is told when the team is back.

Daylight saving: each span is turned into instants on its own date, so a 9:00-18:00 day
lasts 8 hours on the spring-forward day and 10 on the fall-back day. A wall time the
clocks skip (02:30 on a spring-forward night) is read as if they had not changed (03:30),
and one they pass twice as its first occurrence: Python's `fold=0`, in both
`is_open` and `next_opening`, so the two always agree.

Without opening hours we cannot say the clinic is closed: `is_open` is then always
True and `next_opening` None.

Instants are compared in UTC: Python compares two times of the same zone by their wall
clocks alone, which is wrong in the hour the clocks pass twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterator, Optional, Tuple
from zoneinfo import ZoneInfo

from bot.clinic_profile import ClinicProfile
from bot.opening_hours import DAY_NAMES, WeeklyHours, clock


@dataclass(frozen=True)
class OfficeHours:
    """The clinic's opening hours in its time zone."""

    zone: ZoneInfo
    week: WeeklyHours

    @classmethod
    def from_profile(cls, profile: ClinicProfile) -> "OfficeHours":
        """The profile's time zone (validated when it was read) and opening hours."""
        return cls(ZoneInfo(profile.time_zone), profile.opening_hours)

    @property
    def known(self) -> bool:
        """Whether any opening hours are set."""
        return self.week.known

    def local(self, at: datetime) -> datetime:
        """`at` on the clinic's clocks; a naive `at` is UTC (as the database stores times)."""
        return _utc(at).astimezone(self.zone)

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls in an opening span (always, when no hours are set)."""
        if not self.known:
            return True
        instant = _utc(at)
        # The neighbouring days' spans too, so clocks changing near midnight cannot hide one.
        spans = self._spans_from(self.local(at).date() - timedelta(days=1), days=3)
        return any(start <= instant < end for start, end in spans)

    def next_opening(self, at: datetime) -> Optional[datetime]:
        """The first instant at or after `at` when the clinic is open, on its clocks.

        `at` itself (in the clinic's time) while the clinic is open; None when no hours are set.
        """
        if not self.known:
            return None
        instant = _utc(at)
        for start, end in self._spans_from(self.local(at).date() - timedelta(days=1), days=9):
            if instant < end:
                return max(start, instant).astimezone(self.zone)
        raise AssertionError("a week with opening hours opens within nine days")  # pragma: no cover

    def back_at(self, at: datetime) -> Optional[str]:
        """When the team is back, as a patient reads it ('today at 9:00', 'on Monday at 9:00').

        None while the clinic is open, and when no hours are set (we cannot say it is closed).
        """
        opening = self.next_opening(at)
        if opening is None or self.is_open(at):
            return None
        days = (opening.date() - self.local(at).date()).days
        day = "today" if days == 0 else "tomorrow" if days == 1 else f"on {DAY_NAMES[opening.weekday()]}"
        return f"{day} at {clock(opening.hour * 60 + opening.minute)}"

    def _spans_from(self, first: date, days: int) -> Iterator[Tuple[datetime, datetime]]:
        """Each opening span of `days` days from `first`, as (start, end) UTC instants in order."""
        for offset in range(days):
            day = first + timedelta(days=offset)
            for span in self.week.days[day.weekday()]:
                yield self._instant(day, span.start), self._instant(day, span.end)

    def _instant(self, day: date, minutes: int) -> datetime:
        """The wall time `minutes` after `day`'s midnight, in UTC (fold=0, see the module's doc)."""
        wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.zone).astimezone(timezone.utc)


def _utc(at: datetime) -> datetime:
    """`at` in UTC; a naive `at` already is."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
