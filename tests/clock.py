"""A clock the test moves by hand, for code that takes `clock=` (idle timeouts, windows, retention)."""

from datetime import datetime, timedelta, timezone
from typing import Optional


class Clock:
    """Returns `now` until the test moves it (default start: a fixed, timezone-aware instant)."""

    def __init__(self, start: Optional[datetime] = None) -> None:
        self.now = start or datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
