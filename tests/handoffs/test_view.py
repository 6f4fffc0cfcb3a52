"""Views carry every column but the dedupe key, as JSON-safe values."""

import json
from datetime import datetime, timezone

from bot.db.models import Handoff
from bot.handoffs.view import HandoffView

CREATED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def _view(**changes):
    values = dict(
        id=7,
        kind="booking",
        status="new",
        sender_id="patient-1",
        channel="rest",
        name="Ana",
        contact="ana@example.com",
        contact_kind="email",
        preferred_time=None,
        concern=None,
        question=None,
        screening_answers={"pregnant_or_nursing": False},
        screening_outcome=None,
        created_at=CREATED,
        updated_at=CREATED,
    )
    values.update(changes)
    return HandoffView(**values)


def test_to_dict_has_the_column_names_except_the_dedupe_key():
    columns = {column.name for column in Handoff.__table__.columns}
    assert set(_view().to_dict()) == columns - {"dedupe_key"}


def test_to_dict_is_json_safe_with_iso_timestamps():
    data = json.loads(json.dumps(_view().to_dict()))
    assert data["created_at"] == "2026-03-04T05:06:07+00:00"
    assert data["screening_answers"] == {"pregnant_or_nursing": False}


def test_to_dict_is_a_copy():
    view = _view()
    view.to_dict()["screening_answers"]["pregnant_or_nursing"] = True
    assert view.screening_answers == {"pregnant_or_nursing": False}


def test_from_row_copies_a_row():
    row = Handoff(**{name: value for name, value in _view().__dict__.items()}, dedupe_key="k" * 64)
    assert HandoffView.from_row(row) == _view()


def test_repr_shows_no_personal_data():
    assert "Ana" not in repr(_view()) and "patient-1" not in repr(_view())


def test_a_red_flags_groups_are_a_tuple_in_the_view_and_a_list_in_json():
    view = _view(kind="red_flag", red_flags=("breathing", "swelling"))
    assert view.is_red_flag and not _view().is_red_flag
    assert json.loads(json.dumps(view.to_dict()))["red_flags"] == ["breathing", "swelling"]
    assert _view().to_dict()["red_flags"] == []
    row = Handoff(**{**view.__dict__, "red_flags": "breathing,swelling"}, dedupe_key="k" * 64)
    assert HandoffView.from_row(row) == view
