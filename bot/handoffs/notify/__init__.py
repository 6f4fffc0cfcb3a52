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
    if not settings.smtp_host:
        return LogNotifier()
    smtp = SmtpNotifier(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        recipients=settings.staff_email,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        staff_url=settings.staff_public_url,
    )
    return CompositeNotifier([LogNotifier(), BackgroundNotifier(smtp)])
