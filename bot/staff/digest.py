"""The weekly digest, from the staff process: e-mailed to STAFF_EMAIL when SMTP is set, and
printed by `python -m bot.staff digest`.

The staff process checks once an hour whether a week's digest is due
(`bot.insights.digest.due_week`: Monday 08:00 on the clinic's clocks) and not yet sent; the
database records each week sent, so a restart, a missed Monday or a second staff process
never sends a week twice, and a failed e-mail is tried again an hour later.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Optional, TextIO, Tuple

from sanic import Sanic
from sqlalchemy.orm import sessionmaker

from bot.db.models import utcnow
from bot.handoffs.notify.smtp import SmtpNotifier
from bot.insights.digest import WeeklyDigests, compose, due_week
from bot.insights.report import InsightsReader, Period
from bot.settings import Settings

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 3600


class DigestJob:
    """Sends the digest of the week due, once."""

    def __init__(
        self,
        reader: InsightsReader,
        digests: WeeklyDigests,
        smtp: SmtpNotifier,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.reader, self.digests, self.smtp, self.settings, self.clock = reader, digests, smtp, settings, clock

    def run_once(self) -> Optional[str]:
        """The week sent now, or None when its digest already went out."""
        week, period = due_week(self.clock(), self.reader.zone)
        if not self.digests.claim(week):
            return None
        try:
            self.smtp.report(*digest_text(self.reader, self.settings, period))
        except BaseException:
            self.digests.release(week)
            raise
        return week


def digest_text(reader: InsightsReader, settings: Settings, period: Period) -> Tuple[str, str]:
    """(subject, body) of the digest over `period`, with a link to Insights when the console's address is known."""
    days = max(1, round((period.end - period.start) / timedelta(days=1)))
    link = (
        f"{settings.staff_public_url.rstrip('/')}/insights?days={7 if days <= 7 else 30}"
        if settings.staff_public_url
        else ""
    )
    return compose(reader.report(period), settings.clinic.name, reader.zone, link)


def print_digest(reader: InsightsReader, settings: Settings, days: int, out: TextIO, now: datetime) -> int:
    subject, body = digest_text(reader, settings, Period.last_days(days, now))
    out.write(f"{subject}\n\n{body}")
    return 0


def install(app: Sanic, settings: Settings, database: sessionmaker) -> None:
    """Check hourly while the app serves, when there is a mail server and someone to write to."""
    smtp = SmtpNotifier.from_settings(settings)
    if smtp is None or not smtp.recipients:
        return
    job = DigestJob(app.ctx.insights, WeeklyDigests(database), smtp, settings, app.ctx.clock)

    async def start(app: Any, _: Any) -> None:
        app.ctx.digest_task = asyncio.create_task(_hourly(job))

    async def stop(app: Any, _: Any) -> None:
        task = getattr(app.ctx, "digest_task", None)
        if task is not None:
            task.cancel()

    app.register_listener(start, "after_server_start")
    app.register_listener(stop, "before_server_stop")


async def _hourly(job: DigestJob) -> None:
    while True:
        try:
            week = await asyncio.to_thread(job.run_once)
            if week:
                logger.info("weekly digest for %s sent to staff", week)
        except Exception:  # the mail server or the database: try again next hour
            logger.exception("the weekly digest could not be sent; trying again in an hour")
        await asyncio.sleep(CHECK_EVERY_S)
