"""What a notifier is, and how several are combined."""

from __future__ import annotations

import logging
from typing import Protocol, Sequence

from bot.handoffs.view import HandoffView

logger = logging.getLogger(__name__)


class Notifier(Protocol):
    """Tells staff that a new handoff exists; may raise (callers log and carry on)."""

    def notify(self, handoff: HandoffView) -> None: ...


class CompositeNotifier:
    """Runs every notifier in turn; one failing (say, e-mail) does not silence the others."""

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self._notifiers = tuple(notifiers)

    def notify(self, handoff: HandoffView) -> None:
        for notifier in self._notifiers:
            try:
                notifier.notify(handoff)
            except Exception:
                logger.exception("%s failed for handoff %d", type(notifier).__name__, handoff.id)
