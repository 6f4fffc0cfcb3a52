"""Background notification returns at once; the work and its failures happen on a worker."""

import logging
import threading

from bot.handoffs.notify.background import BackgroundNotifier
from tests.handoffs.notify.handoffs import handoff


class Gate:
    """Blocks until released, so the test can see notify() return before the work is done."""

    def __init__(self, fail: bool = False):
        self.release = threading.Event()
        self.threads = []
        self.fail = fail

    def notify(self, view):
        self.release.wait()
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise ConnectionRefusedError("smtp down")


def test_notify_returns_before_the_work_and_close_waits_for_it():
    gate = Gate()
    background = BackgroundNotifier(gate)
    background.notify(handoff())
    assert gate.threads == []  # still blocked on the gate: notify() did not wait
    gate.release.set()
    background.close()
    assert len(gate.threads) == 1 and gate.threads[0].startswith("notify")


def test_failures_on_the_worker_are_logged(caplog):
    gate = Gate(fail=True)
    gate.release.set()
    background = BackgroundNotifier(gate)
    with caplog.at_level(logging.ERROR, logger="bot.handoffs.notify.background"):
        background.notify(handoff())
        background.close()
    assert "Gate failed for handoff 12: smtp down" in caplog.text
