"""Timestamps are timezone-aware UTC whatever the backend stores."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.db.models import UTCDateTime, utcnow


def test_utcnow_is_aware_utc():
    assert utcnow().utcoffset() == timedelta(0)


def test_values_are_stored_in_utc_and_read_back_aware():
    column = UTCDateTime()
    local = datetime(2026, 1, 2, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    stored = column.process_bind_param(local, dialect=None)
    assert stored == local and stored.utcoffset() == timedelta(0)
    naive_from_sqlite = datetime(2026, 1, 2, 10, 0)
    assert column.process_result_value(naive_from_sqlite, dialect=None) == datetime(
        2026, 1, 2, 10, 0, tzinfo=timezone.utc
    )


def test_naive_values_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 2), dialect=None)
