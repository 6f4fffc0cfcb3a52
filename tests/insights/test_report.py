"""Insights' definitions on a seeded set of conversations whose outcomes are known, on each backend."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.db.models import AuditEntry, Handoff, HandoffNote
from bot.insights.feedback import AnswerRating, FeedbackStore
from bot.insights.report import (
    ASKED_FOR_PERSON,
    CONTAINED,
    HANDOFF,
    UNRESOLVED_FALLBACK,
    ConversationOutcome,
    Day,
    InsightsReader,
    Period,
    outcome_rows,
)
from bot.retraining.redaction import redact
from tests.clock import Clock
from tests.tracker_data import answered, at, said

PERIOD = Period(at(-60), at(180))  # 08:00 to 12:00 UTC on 2 March 2026


def _handoff(session, sender_id, kind, minute, red_flags=None):
    handoff = Handoff(
        kind=kind, sender_id=sender_id, channel="widget", red_flags=red_flags, created_at=at(minute), question="q"
    )
    session.add(handoff)
    session.flush()
    return handoff.id


@pytest.fixture
def seeded(rasa, sessions):
    """Seven conversations of the period, one before it, one by the REST channel."""
    rasa.save("widget:a", [said("does it hurt", "faq_pain", minute=0), answered("A little.", minute=0),
                           said("thanks", "thank", minute=1)])  # fmt: skip
    rasa.save(
        "widget:b", [said("what is blorp? 917 555 0163", "nlu_fallback", 0.3, minute=2), answered("Sorry?", minute=2)]
    )
    rasa.save("widget:c", [said("i cannot breathe", "red_flag_urgent", minute=3)])
    rasa.save("sms:+15550001", [said("book me in", "request_booking", minute=4), said("Ana", "inform", minute=5)])
    rasa.save(
        "sms:+15550002", [said("numbing?", "faq_numbing", minute=10), said("a person", "request_human", minute=200)]
    )
    rasa.save("widget:d", [said("talk to a human", "request_human", minute=20)])
    rasa.save(
        "widget:e",
        [said("can you fix my car", "out_of_scope", minute=30), said("does it hurt?", "faq_pain", minute=31)],
    )
    rasa.save("widget:old", [said("hello", "greet", minute=-120)])
    rasa.save("rest:eval", [said("does it hurt", "faq_pain", minute=40)])
    with sessions() as session:
        red = _handoff(session, "widget:c", "red_flag", 4, "breathing")
        booking = _handoff(session, "sms:+15550001", "booking", 6)
        _handoff(session, "widget:old", "question", -100)  # before the period, for a conversation before it
        session.add(AuditEntry(at=at(4 + 30), actor="ana@clinic", action="status_change", handoff_id=red))
        session.add(AuditEntry(at=at(5), actor="ana@clinic", action="view_transcript", handoff_id=red))  # not an action
        session.add(HandoffNote(handoff_id=booking, author="ana@clinic", text="called", created_at=at(6 + 10)))
        session.commit()
    store = FeedbackStore(sessions, clock=Clock(start=at(1)))
    store.record("widget:a", "utter_faq_pain", True)
    store.record("sms:+15550002", "utter_faq_numbing", False, "did not say how long")
    return InsightsReader(sessions, sessions)


def test_each_conversation_gets_the_first_outcome_that_applies(seeded):
    outcomes = {o.sender_id: o for o in seeded.outcomes(PERIOD)}
    assert {sender: o.outcome for sender, o in outcomes.items()} == {
        "widget:a": CONTAINED,
        "widget:b": UNRESOLVED_FALLBACK,
        "widget:c": HANDOFF,
        "sms:+15550001": HANDOFF,
        "sms:+15550002": ASKED_FOR_PERSON,  # 190 minutes after its last message: within 24 hours
        "widget:d": ASKED_FOR_PERSON,
        "widget:e": CONTAINED,  # out of scope first, then understood
    }
    assert outcomes["sms:+15550001"] == ConversationOutcome(
        "sms:+15550001", at(4), at(5), 2, HANDOFF, ("booking",), (0, 0)
    )
    assert outcomes["widget:a"].feedback == (1, 0)
    assert outcomes["sms:+15550002"].channel == "sms" and outcomes["widget:a"].channel == "website"


def test_the_figures_of_the_period(seeded):
    report = seeded.report(PERIOD)
    assert (report.conversations, report.patient_messages) == (7, 10)
    assert report.outcomes == {HANDOFF: 2, ASKED_FOR_PERSON: 2, UNRESOLVED_FALLBACK: 1, CONTAINED: 2}
    assert report.handoffs_by_kind == {"red_flag": 1, "booking": 1}
    assert report.handoffs_made == 2 and report.not_acted_on == 0
    assert report.first_action_median == timedelta(minutes=20)  # 30 (a status change) and 10 (a note)
    assert (report.fallbacks, report.out_of_scope) == (1, 1)
    assert report.red_flags == {"breathing": 1}
    assert report.top_questions == (("faq_pain", 2), ("faq_numbing", 1))
    # the examples as the Unanswered page lists them: contact details redacted
    assert [group.example for group in report.unanswered] == [
        "can you fix my car",
        redact("what is blorp? 917 555 0163"),
    ]
    assert "555" not in report.unanswered[1].example
    assert report.feedback == (
        AnswerRating("utter_faq_numbing", 0, 1, 1),
        AnswerRating("utter_faq_pain", 1, 0, 0),
    )
    assert report.days == (Day(date(2026, 3, 2), 7, 10),)
    assert report.share(report.contained) == pytest.approx(2 / 7)


def test_a_channel_counts_only_its_own_conversations(seeded):
    report = seeded.report(PERIOD, "sms")
    assert (report.conversations, report.patient_messages, report.outcomes[HANDOFF]) == (2, 3, 1)
    assert report.handoffs_by_kind == {"booking": 1} and report.red_flags == {}
    assert [rating.response for rating in report.feedback] == ["utter_faq_numbing"]


def test_an_empty_period_has_every_day_and_no_division_by_zero(seeded):
    report = seeded.report(Period(at(60 * 24 * 3), at(60 * 24 * 5)))
    assert report.conversations == 0 and report.share(report.contained) == 0.0
    assert report.first_action_median is None
    assert [day.day for day in report.days] == [date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 7)]  # 09:00 to 09:00


def test_a_period_between_two_dates_is_whole_days_on_the_clinics_clocks():
    period = Period.between(date(2026, 3, 2), date(2026, 3, 2), ZoneInfo("America/New_York"))
    assert (period.start, period.end) == (
        datetime(2026, 3, 2, 5, tzinfo=timezone.utc),  # midnight in New York (UTC-5)
        datetime(2026, 3, 3, 5, tzinfo=timezone.utc),
    )


def test_the_csv_has_a_pseudonym_never_the_sender_id(seeded):
    rows = list(outcome_rows(seeded.outcomes(PERIOD)))
    assert rows[0][:6] == ["conversation", "channel", "started", "ended", "messages", "outcome"]
    assert len(rows) == 8
    assert not any("+1555" in cell or "widget:" in cell for row in rows for cell in row)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)  # no spreadsheet formulas
