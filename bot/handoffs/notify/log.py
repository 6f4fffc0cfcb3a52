"""One log line per new handoff, so `make run` shows staff work arriving even without e-mail."""

from __future__ import annotations

import logging

from bot.handoffs.view import HandoffView

logger = logging.getLogger(__name__)


class LogNotifier:
    """Logs id, kind and channel only.

    Names, contacts, questions and sender ids (an SMS sender id is a phone number) are
    health-adjacent personal data; logs are copied and kept far more loosely than the
    database, so they never contain them.
    """

    def notify(self, handoff: HandoffView) -> None:
        # A red flag is a warning, so it stands out in the console and log filters.
        level = logging.WARNING if handoff.is_red_flag else logging.INFO
        logger.log(level, "new handoff id=%d kind=%s channel=%s", handoff.id, handoff.kind, handoff.channel)
