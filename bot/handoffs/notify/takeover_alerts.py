"""E-mail the staff member who took a conversation over when the patient writes again.

While a person has the conversation the assistant says nothing, so a patient's new
message waits for that person alone; if they have stepped away from the console, an
e-mail brings them back. One e-mail per conversation per quiet period (default 10
minutes): a patient who sends five short texts in a row means one e-mail, not five.
The period is kept per process, so with several Rasa servers a burst split between
them may mean one e-mail per server; that is the cost of needing no shared state.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Dict, Optional

from bot.handoffs.notify.smtp import SmtpNotifier
from bot.settings import Settings

logger = logging.getLogger(__name__)

QUIET_S = 600.0


class TakeoverAlerts:
    """`patient_wrote` e-mails (through `smtp`, when configured) at most once per conversation per `quiet_s`."""

    def __init__(
        self, smtp: Optional[SmtpNotifier], quiet_s: float = QUIET_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.smtp = smtp
        self.quiet_s = quiet_s
        self.clock = clock
        self._last: Dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "TakeoverAlerts":
        return cls(SmtpNotifier.from_settings(settings))

    def patient_wrote(self, actor: str, sender_id: str, handoff_id: Optional[int]) -> bool:
        """E-mail `actor` (the staff account, an e-mail address) unless this conversation had an
        e-mail within the quiet period; whether one was sent. Blocking: call it off the event loop."""
        if self.smtp is None or "@" not in actor:
            return False
        now = self.clock()
        with self._lock:
            last = self._last.get(sender_id)
            if last is not None and now - last < self.quiet_s:
                return False
            self._last[sender_id] = now
        try:
            self.smtp.patient_wrote(actor, handoff_id)
        except Exception:  # the message is stored and shown in the console either way
            logger.exception("could not e-mail the staff member who took a conversation over")
            return False
        return True
