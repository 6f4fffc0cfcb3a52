"""The staff process's weekly digest job: sent once per week, again after a failed send;
and `python -m bot.staff digest` printing the same text."""

import io
from datetime import datetime, timezone

import pytest

from bot.insights.digest import WeeklyDigests
from bot.insights.report import InsightsReader
from bot.staff.digest import DigestJob, print_digest
from tests.clock import Clock


class Mailer:
    def __init__(self, fail: bool = False) -> None:
        self.sent = []
        self.fail = fail

    def report(self, subject: str, body: str) -> None:
        if self.fail:
            raise OSError("mail server down")
        self.sent.append((subject, body))


@pytest.fixture
def reader(settings, database):
    return InsightsReader.from_settings(settings)


def test_a_weeks_digest_is_sent_once_across_restarts(reader, database, settings):
    clock = Clock(datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc))  # Monday, after 08:00 at the clinic
    mailer = Mailer()
    assert DigestJob(reader, WeeklyDigests(database), mailer, settings, clock).run_once() == "2026-W49"
    restarted = DigestJob(reader, WeeklyDigests(database), mailer, settings, clock)
    assert restarted.run_once() is None
    assert len(mailer.sent) == 1 and "0 conversations" in mailer.sent[0][0]


def test_a_failed_send_is_tried_again(reader, database, settings):
    clock = Clock(datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc))
    with pytest.raises(OSError):
        DigestJob(reader, WeeklyDigests(database), Mailer(fail=True), settings, clock).run_once()
    mailer = Mailer()
    assert DigestJob(reader, WeeklyDigests(database), mailer, settings, clock).run_once() == "2026-W49"
    assert len(mailer.sent) == 1


def test_the_command_prints_the_digest_of_the_last_days(reader, settings):
    out = io.StringIO()
    assert print_digest(reader, settings, 7, out, datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)) == 0
    text = out.getvalue()
    assert text.startswith(f"{settings.clinic.name} assistant: 0 conversations") and "Top unanswered" in text
