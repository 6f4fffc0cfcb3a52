"""Run a slow notifier off the patient's request path.

An SMTP server that is slow or unreachable can take its whole timeout to fail; the
patient's reply must not wait for that. The handoff is already committed when a
notifier runs, so sending later (on one worker thread, in submission order) risks only
the e-mail, never the record. Python joins the worker at interpreter exit, so queued
e-mails still go out when the action server shuts down normally.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from bot.handoffs.notify.base import Notifier
from bot.handoffs.view import HandoffView

logger = logging.getLogger(__name__)


class BackgroundNotifier:
    """Queues each notification for `inner` on a single worker thread; failures are logged."""

    def __init__(self, inner: Notifier) -> None:
        self._inner = inner
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify")

    def notify(self, handoff: HandoffView) -> None:
        future = self._executor.submit(self._inner.notify, handoff)
        future.add_done_callback(lambda done: _log_failure(done, handoff.id, self._inner))

    def close(self) -> None:
        """Wait for queued notifications to finish, then stop the worker."""
        self._executor.shutdown(wait=True)


def _log_failure(future: Future, handoff_id: int, notifier: Notifier) -> None:
    error = future.exception()
    if error is not None:
        logger.error("%s failed for handoff %d: %s", type(notifier).__name__, handoff_id, error, exc_info=error)
