"""The weekly digest's text, which week is due when, and that a week is claimed once."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.insights.digest import WeeklyDigests, compose, due_week
from bot.insights.feedback import AnswerRating
from bot.insights.report import Insights, Period
from bot.transcripts.unanswered import UnansweredGroup

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "now, week, first",
    [
        (datetime(2026, 12, 7, 13, 0, tzinfo=timezone.utc), "2026-W49", date(2026, 11, 30)),  # Monday 08:00 in New York
        (datetime(2026, 12, 7, 12, 59, tzinfo=timezone.utc), "2026-W48", date(2026, 11, 23)),  # 07:59: not yet
        (datetime(2026, 12, 13, 23, 0, tzinfo=timezone.utc), "2026-W49", date(2026, 11, 30)),  # Sunday evening
        (datetime(2027, 1, 4, 15, 0, tzinfo=timezone.utc), "2026-W53", date(2026, 12, 28)),  # across the new year
    ],
)
def test_the_week_due_is_the_last_whole_week_from_monday_morning_on_the_clinics_clocks(now, week, first):
    key, period = due_week(now, NEW_YORK)
    assert key == week
    assert period.start.astimezone(NEW_YORK).date() == first
    assert period.end - period.start in (timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1))


def test_a_week_is_claimed_once_and_a_release_gives_it_back(sessions):
    digests = WeeklyDigests(sessions)
    assert digests.claim("2026-W49") and not digests.claim("2026-W49")
    digests.release("2026-W49")
    assert digests.claim("2026-W49")


def _report() -> Insights:
    period = Period(datetime(2026, 11, 30, 5, tzinfo=timezone.utc), datetime(2026, 12, 7, 5, tzinfo=timezone.utc))
    example = UnansweredGroup("can I  bring my dog?\n" + "x" * 100, ("can I bring my dog?",), 3, {"out_of_scope": 3},
                              period.start)  # fmt: skip
    return Insights(
        period=period, channel="all", conversations=40, patient_messages=130, days=(),
        outcomes={"handoff": 8, "asked_for_person": 2, "unresolved_fallback": 2, "contained": 28},
        handoffs_by_kind={"booking": 6, "red_flag": 2}, handoffs_made=8,
        first_action_median=timedelta(hours=2, minutes=5), not_acted_on=1, fallbacks=13, out_of_scope=4,
        red_flags={"swelling": 2}, top_questions=(("faq_pain", 20), ("faq_numbing", 9)), unanswered=(example,),
        feedback=(AnswerRating("utter_faq_pain", 5, 1, 1),),
    )  # fmt: skip


def test_the_digest_says_the_weeks_figures_and_what_went_unanswered():
    subject, body = compose(_report(), "Atalo", NEW_YORK, "https://staff.example/insights?days=7")
    assert subject == "Atalo assistant: 40 conversations, 70% contained (2026-11-30 to 2026-12-06)"
    for line in (
        "Conversations: 40 (130 patient messages)",
        "Contained: 28 (70%)",
        "Handed to staff: 8 (20%); booking 6, question 0, screening 0, red flag 2",
        "Median time to first staff action: 2 h 5 min (1 not acted on yet)",
        "Fallback rate: 10%; out-of-scope rate: 3%",
        "Red flags: swelling 2",
        "Patient feedback: 5 helpful, 1 not helpful",
        "  1. faq_pain (20)",
        "Every figure, defined: https://staff.example/insights?days=7",
    ):
        assert line in body.splitlines(), line
    unanswered = body.splitlines()[
        body.splitlines().index("Top unanswered (what patients asked that the assistant could not answer):") + 1
    ]
    assert unanswered.startswith("  1. \u201ccan I bring my dog? xxx") and unanswered.endswith("\u2026\u201d (3)")
    assert len(unanswered) < 100
