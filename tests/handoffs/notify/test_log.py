"""The log line says that a handoff arrived, and nothing about who sent it."""

import logging

from bot.handoffs.notify.log import LogNotifier
from tests.handoffs.notify.handoffs import CONTACT, NAME, SENDER, handoff


def test_one_line_with_id_kind_and_channel_only(caplog):
    with caplog.at_level(logging.INFO, logger="bot.handoffs.notify.log"):
        LogNotifier().notify(handoff(question="can you call me", concern="melasma"))
    [record] = caplog.records
    line = record.getMessage()
    assert line == "new handoff id=12 kind=booking channel=rest"
    for private in (NAME, CONTACT, SENDER, "call me", "melasma", "Tuesday"):
        assert private not in line


def test_a_red_flag_is_logged_as_a_warning_without_the_patients_words(caplog):
    with caplog.at_level(logging.INFO, logger="bot.handoffs.notify.log"):
        LogNotifier().notify(handoff(kind="red_flag", question="my lips are swelling", red_flags=("swelling",)))
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "new handoff id=12 kind=red_flag channel=rest"
