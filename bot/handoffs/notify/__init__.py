"""Telling clinic staff about new handoffs: a log line always, e-mail when configured."""

from __future__ import annotations

from bot.handoffs.notify.background import BackgroundNotifier
from bot.handoffs.notify.base import CompositeNotifier, Notifier
from bot.handoffs.notify.log import LogNotifier
from bot.handoffs.notify.smtp import SmtpNotifier
from bot.settings import Settings

__all__ = [
    "BackgroundNotifier",
    "CompositeNotifier",
    "LogNotifier",
    "Notifier",
    "SmtpNotifier",
    "notifier_from_settings",
]


def notifier_from_settings(settings: Settings) -> Notifier:
    """The log notifier, plus e-mail (sent in the background) when SMTP_HOST is set."""
    smtp = SmtpNotifier.from_settings(settings)
    if smtp is None:
        return LogNotifier()
    return CompositeNotifier([LogNotifier(), BackgroundNotifier(smtp)])
