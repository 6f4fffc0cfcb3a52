"""A composite notifier runs every notifier even when one fails."""

import logging

from bot.handoffs.notify.base import CompositeNotifier
from tests.handoffs.notify.handoffs import handoff


class Recorder:
    def __init__(self):
        self.ids = []

    def notify(self, view):
        self.ids.append(view.id)


class Failing:
    def notify(self, view):
        raise OSError("mail server down")


def test_a_failure_is_logged_and_the_rest_still_run(caplog):
    first, last = Recorder(), Recorder()
    with caplog.at_level(logging.ERROR, logger="bot.handoffs.notify.base"):
        CompositeNotifier([first, Failing(), last]).notify(handoff())
    assert first.ids == last.ids == [12]
    assert "Failing failed for handoff 12" in caplog.text
