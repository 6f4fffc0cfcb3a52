"""The weekly digest: last week's Insights figures and top unanswered groups, as plain text.

`python -m bot.staff digest` prints it for the last N days; the staff process e-mails it
to STAFF_EMAIL once a week (`bot.staff.digest`). The week is the clinic's Monday-to-Sunday
week just ended; it is due from Monday 08:00 on the clinic's clocks, and each week is sent
once: `WeeklyDigests.claim` records it in the database (its key is the week, so a restart or
a second staff process finds it taken), and a failed send gives the claim back.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import Iterable, List, Tuple

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.db.models import KINDS, WeeklyDigest, utcnow
from bot.db.session import unit_of_work
from bot.insights.report import ASKED_FOR_PERSON, HANDOFF, UNRESOLVED_FALLBACK, Insights, Period
from bot.text import waited

SEND_AT = time(8, 0)  # Monday morning on the clinic's clocks: the week is over, staff are in
TOP_LINES = 5  # questions and unanswered groups listed
EXAMPLE_CHARS = 80  # of an unanswered example: enough to recognise it


def due_week(now: datetime, zone: tzinfo) -> Tuple[str, Period]:
    """The last week whose digest is due at `now`: its key ("2026-W49") and its period.

    From Monday SEND_AT on, the week that just ended; before it, the week before that
    (due since last Monday, and already sent unless the process was down then).
    """
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    if local.time() < SEND_AT and local.weekday() == 0:
        monday -= timedelta(days=7)
    first = monday - timedelta(days=7)
    year, week, _ = first.isocalendar()
    return f"{year}-W{week:02d}", Period.between(first, first + timedelta(days=6), zone)


class WeeklyDigests:
    """The weeks whose digest went out (`weekly_digests`); each call is one unit of work."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def claim(self, week: str) -> bool:
        """Record `week` as sent; False when it already was (here or by another process)."""
        with unit_of_work(self._sessions, what="digest record") as session:
            session.add(WeeklyDigest(week=week, sent_at=utcnow()))
            try:
                session.commit()
            except IntegrityError:
                return False
        return True

    def release(self, week: str) -> None:
        """Give a claim back (the e-mail failed), so the next attempt sends it."""
        with unit_of_work(self._sessions, what="digest record") as session:
            session.execute(delete(WeeklyDigest).where(WeeklyDigest.week == week))
            session.commit()


def compose(report: Insights, clinic_name: str, zone: tzinfo, insights_url: str = "") -> Tuple[str, str]:
    """(subject, body) of the digest for `report`."""
    first, last = report.period.days(zone)
    whole, median = report.conversations, report.first_action_median
    subject = (
        f"{clinic_name} assistant: {whole} conversations, {_pct(report.contained, whole)} contained ({first} to {last})"
    )
    lines = [
        f"How the {clinic_name} assistant did from {first} to {last} (the clinic's dates).",
        "",
        f"Conversations: {whole} ({report.patient_messages} patient messages)",
        f"Contained: {report.contained} ({_pct(report.contained, whole)})",
        f"Handed to staff: {report.outcomes[HANDOFF]} ({_pct(report.outcomes[HANDOFF], whole)}); "
        + ", ".join(f"{kind.replace('_', ' ')} {report.handoffs_by_kind.get(kind, 0)}" for kind in KINDS),
        f"Asked for a person: {report.outcomes[ASKED_FOR_PERSON]}; "
        f"ended not understood: {report.outcomes[UNRESOLVED_FALLBACK]}",
        f"Median time to first staff action: {waited(median) if median is not None else 'none yet'}"
        + (f" ({report.not_acted_on} not acted on yet)" if report.not_acted_on else ""),
        f"Fallback rate: {_pct(report.fallbacks, report.patient_messages)}; "
        f"out-of-scope rate: {_pct(report.out_of_scope, report.patient_messages)}",
        "Red flags: " + (", ".join(f"{g.replace('_', ' ')} {n}" for g, n in report.red_flags.items()) or "none"),
        "Patient feedback: "
        + (
            f"{sum(r.helpful for r in report.feedback)} helpful, {sum(r.not_helpful for r in report.feedback)} not helpful"
            if report.feedback
            else "none"
        ),
        "",
        "Top questions answered:",
        *(_numbered(f"{intent} ({count})" for intent, count in report.top_questions[:TOP_LINES]) or ["  none"]),
        "",
        "Top unanswered (what patients asked that the assistant could not answer):",
        *(
            _numbered(f"\u201c{_short(group.example)}\u201d ({group.count})" for group in report.unanswered[:TOP_LINES])
            or ["  none"]
        ),
    ]
    if insights_url:
        lines += ["", f"Every figure, defined: {insights_url}"]
    return subject, "\n".join(lines) + "\n"


def _numbered(items: Iterable[str]) -> List[str]:
    return [f"  {number}. {item}" for number, item in enumerate(items, 1)]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXAMPLE_CHARS else flat[: EXAMPLE_CHARS - 1] + "\u2026"


def _pct(count: int, whole: int) -> str:
    return f"{100 * count / whole:.0f}%" if whole else "n/a"
