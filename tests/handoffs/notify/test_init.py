"""Settings decide which notifiers run: always the log, e-mail (in the background) when SMTP_HOST is set."""

import logging
import time
from email import message_from_bytes, policy

from bot.handoffs.notify import LogNotifier, notifier_from_settings
from bot.settings import Settings
from tests.handoffs.notify.handoffs import handoff
from tests.handoffs.notify.smtp_server import Inbox, smtp_server

DELIVERY_WAIT_S = 10.0


def test_without_smtp_only_the_log_is_used():
    assert isinstance(notifier_from_settings(Settings.from_env({})), LogNotifier)


def test_with_smtp_staff_get_a_mail_and_the_log_a_line(caplog):
    inbox = Inbox()
    with smtp_server(inbox) as port, caplog.at_level(logging.INFO, logger="bot.handoffs.notify.log"):
        settings = Settings.from_env(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(port),
                "SMTP_STARTTLS": "false",
                "SMTP_FROM": "bot@clinic.example",
                "STAFF_NOTIFY_EMAIL": "desk@clinic.example, nurse@clinic.example",
                "STAFF_PUBLIC_URL": "https://staff.clinic.example",
            }
        )
        notifier_from_settings(settings).notify(handoff())
        deadline = time.monotonic() + DELIVERY_WAIT_S  # sent on a worker thread: wait for it to arrive
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "new handoff id=12" in caplog.text
    [(sender, recipients, raw)] = inbox.messages
    assert (sender, recipients) == ("bot@clinic.example", ["desk@clinic.example", "nurse@clinic.example"])
    assert (
        "https://staff.clinic.example/api/handoffs/12" in message_from_bytes(raw, policy=policy.default).get_content()
    )
