"""The year generator writes what Insights reads, and the measurement times every reading (no timing asserted)."""

from datetime import datetime, timezone

from bench.insights_year import generate, measure, sqlite_database
from bot.db.engine import make_engine, session_factory
from bot.insights.report import InsightsReader, Period

END = datetime(2026, 12, 7, tzinfo=timezone.utc)


def test_a_small_year_is_read_back_as_its_conversations():
    with sqlite_database() as url:
        counts = generate(url, url, 200, END, seed=1)
        engine = make_engine(url)
        try:
            report = InsightsReader(session_factory(engine), session_factory(engine)).report(Period.last_days(365, END))
        finally:
            engine.dispose()
        assert report.conversations == 200
        assert counts["handoffs"] == report.handoffs_made > 0 and counts["events"] > 200 * 5
        assert sum(report.outcomes.values()) == 200 and sum(day.conversations for day in report.days) == 200
        timings = measure(url, url, END, runs=1)
        assert [t.what.split(",")[0] for t in timings] == ["page", "page", "page", "CSV"]
        assert all(t.seconds > 0 for t in timings)
