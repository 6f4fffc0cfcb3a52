"""Staff decisions about unanswered texts, on SQLite and PostgreSQL: stored redacted (with the
names the patient gave in a booking) under a hash of the text, one decision per text, read
back as pages, training examples and the content owner's list; and no phone number or
e-mail a patient typed can reach data/nlu/reviewed.yml."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.models import ASSIGN, IGNORE, NEW_ANSWER, UnansweredReview
from bot.handoffs.store import HandoffStore
from bot.retraining import job, reviews
from bot.retraining.progress import KEPT
from bot.retraining.reviews import MAX_NOTE, Reviews, ToReview, text_key
from bot.transcripts.unanswered import fold_key
from tests.clock import Clock
from tests.retraining.contacts import contact_messages, leaked
from tests.staff.fixtures import add_handoff

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _item(text: str, sender: str = "rest:p1") -> ToReview:
    return ToReview(fold_key(text), text, sender)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def decisions(db, clock) -> Reviews:
    return Reviews(db, clock=clock)


def test_a_decision_is_stored_redacted_under_the_hash_of_the_text_with_who_and_when(db, decisions):
    add_handoff(HandoffStore(db), "rest:p1", name="Maria Gonzalez")
    texts = [_item("Maria again, call me on 917 555 0163"), _item("does gonzalez's cream sting", "rest:p2")]
    batch = decisions.decide(texts, ASSIGN, "nurse@clinic.example", "faq_pain")
    with db() as session:
        rows = session.scalars(select(UnansweredReview).order_by(UnansweredReview.text)).all()
        stored = [(row.text, row.batch, row.decision, row.intent, row.reviewer, row.reviewed_at) for row in rows]
        keys = {row.text_key for row in rows}
    assert stored == [
        ("[name] again, [contact]", batch, ASSIGN, "faq_pain", "nurse@clinic.example", START),
        ("does gonzalez's cream sting", batch, ASSIGN, "faq_pain", "nurse@clinic.example", START),  # another patient
    ]
    assert keys == decisions.reviewed_keys() == {text_key(item.key) for item in texts}
    assert all(len(key) == 64 and "0163" not in key for key in keys)


def test_texts_that_fold_to_one_are_one_decision(decisions):
    decisions.decide([_item("Does it hurt?"), _item("does it hurt")], IGNORE, "ana@clinic.example")
    assert decisions.decisions(10)[1] == 1


def test_deciding_about_a_text_again_replaces_the_earlier_decision(decisions, clock):
    decisions.decide([_item("is it safe when pregnant")], NEW_ANSWER, "ana@clinic.example", note="write  one\n")
    clock.advance(timedelta(hours=1))
    decisions.decide([_item("Is it safe when pregnant?")], ASSIGN, "jo@clinic.example", "faq_pain")
    page, total = decisions.decisions(10)
    assert total == 1 and [(d.decision, d.intent, d.note, d.reviewer) for d in page] == [
        (ASSIGN, "faq_pain", None, "jo@clinic.example")
    ]


@pytest.mark.parametrize(
    "texts, decision, intent, note, says",
    [
        ([_item("hi")], "delete", None, "", "must be one of"),
        ([], IGNORE, None, "", "tick at least one"),
        ([_item("hi")], ASSIGN, None, "", "choose the question"),
        ([_item("hi")], IGNORE, "faq_pain", "", "only an assignment"),
        ([_item("hi")], NEW_ANSWER, None, "x" * (MAX_NOTE + 1), "at most 500"),
    ],
)
def test_a_bad_decision_is_refused_and_stores_nothing(decisions, texts, decision, intent, note, says):
    with pytest.raises(ValueError, match=says):
        decisions.decide(texts, decision, "ana@clinic.example", intent, note)
    assert decisions.reviewed_keys() == set()


def test_the_lists_read_back_what_each_is_for(decisions, clock):
    decisions.decide([_item("does it hurt after"), _item("sore after?")], ASSIGN, "ana@clinic.example", "faq_pain")
    clock.advance(timedelta(minutes=5))
    decisions.decide([_item("win a prize")], IGNORE, "ana@clinic.example")
    clock.advance(timedelta(minutes=5))
    first = decisions.decide(
        [_item("do you do lips"), _item("lip filler?")], NEW_ANSWER, "jo@clinic.example", note="fillers"
    )
    clock.advance(timedelta(minutes=5))
    second = decisions.decide([_item("tattoo removal?")], NEW_ANSWER, "jo@clinic.example")

    assert sorted(decisions.training_examples()) == [("faq_pain", "does it hurt after"), ("faq_pain", "sore after?")]
    requests = decisions.new_answer_requests()
    assert [(r.batch, sorted(r.texts), r.note, r.reviewer) for r in requests] == [
        (second, ["tattoo removal?"], None, "jo@clinic.example"),
        (first, ["do you do lips", "lip filler?"], "fillers", "jo@clinic.example"),
    ]
    page, total = decisions.decisions(2)
    assert total == 6 and [d.text for d in page] == ["tattoo removal?", sorted(["do you do lips", "lip filler?"])[0]]
    rest, _ = decisions.decisions(10, offset=2)
    assert [d.decision for d in rest] == [NEW_ANSWER, IGNORE, ASSIGN, ASSIGN]


def test_names_are_read_for_many_senders_in_chunks(db, decisions, monkeypatch):
    monkeypatch.setattr(reviews, "SENDERS_PER_QUERY", 2)
    store = HandoffStore(db)
    for number in range(5):
        add_handoff(store, f"rest:p{number}", name=f"Name{number} Surname")
    add_handoff(store, "rest:nameless")
    found = decisions.names([f"rest:p{number}" for number in range(5)] + ["rest:nameless", "rest:unknown"])
    assert found == {f"rest:p{number}": [f"Name{number} Surname"] for number in range(5)}


def _keep_everything(reviewed: Path, tmp_path: Path) -> job.Plan:
    """A plan whose training and scoring are stand-ins: the gate passes, so reviewed.yml is written and kept."""

    def train(directory: Path) -> Path:
        model = directory / "candidate.tar.gz"
        model.write_bytes(reviewed.read_bytes())
        return model

    current = tmp_path / "models" / "current.tar.gz"
    current.parent.mkdir(parents=True, exist_ok=True)
    current.write_bytes(b"current")
    return job.Plan(
        reviewed_file=reviewed, nlu_files=lambda: [reviewed], intents={"faq_pain"}, held_out=set(),
        current_model=current, candidates=tmp_path / "candidates", reports=tmp_path / "reports",
        train=train, score=lambda model: {"independent": 1.0},
    )  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messages=st.lists(contact_messages(), min_size=1, max_size=6))
def test_no_phone_number_or_email_a_patient_typed_reaches_the_training_file(decisions, tmp_path, messages):
    texts = {text: contact for text, contact in messages}
    items = [_item(text, f"rest:p{number}") for number, text in enumerate(texts)]
    decisions.decide(items, ASSIGN, "ana@clinic.example", "faq_pain")
    reviewed = tmp_path / "reviewed.yml"
    outcome = job.run(_keep_everything(reviewed, tmp_path), decisions.training_examples())
    assert outcome.state == KEPT, outcome.error
    written = reviewed.read_text(encoding="utf-8")
    body = written.split('version: "3.1"', 1)[1]  # the header has no contact and no digit
    assert outcome.data is not None and outcome.data.count >= 1
    for text, contact in texts.items():
        assert not leaked(body, contact), f"{text!r} reached reviewed.yml:\n{written}"
