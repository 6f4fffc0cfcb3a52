"""The store keeps handoffs once each, lists them newest first (open red flags before
everything), alerts once per conversation, red-flag group and hour, keeps staff notes,
and reports outages in one way."""

import threading
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db.engine import make_engine, session_factory
from bot.db.models import column_limit
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import HandoffRequest, clean_text
from bot.handoffs.store import MAX_NOTE_LENGTH, HandoffStore, clean_note
from tests.ports import free_port


def _request(sender="patient-1", kind="booking", **details):
    if kind == "booking":
        details.setdefault("name", "Ana Lima")
        details.setdefault("contact", "ana@example.com")
        details.setdefault("contact_kind", "email")
    return HandoffRequest(kind=kind, sender_id=sender, channel="rest", **details)


def test_add_stores_every_field_and_get_reads_it_back(store):
    answers = {"pregnant_or_nursing": False, "isotretinoin_last_6_months": None, "age": 34}
    request = HandoffRequest(
        kind="screening",
        sender_id="patient-1",
        channel="sms",
        name='Zoë <b>"O\'Neil"</b> \U0001f600',
        contact="+15550100100",
        contact_kind="phone",
        preferred_time="after 5pm",
        concern="acne scars",
        question="is it safe?",
        screening_answers=answers,
        screening_outcome="needs_review",
    )
    handoff, created = store.add(request)
    assert created
    assert store.get(handoff.id) == handoff
    assert (handoff.status, handoff.name, handoff.screening_answers) == ("new", request.name, answers)
    assert handoff.created_at.utcoffset() == timedelta(0)
    assert handoff.updated_at == handoff.created_at


def test_nul_bytes_and_lone_surrogates_never_reach_the_database(store):
    handoff, _ = store.add(_request(name="Ana\x00 \ud800Lima", kind="question", question="ok\udfff?"))
    assert (store.get(handoff.id).name, store.get(handoff.id).question) == ("Ana Lima", "ok?")


def test_the_same_request_twice_is_one_handoff(store):
    first, created = store.add(_request())
    again, created_again = store.add(_request())
    assert (created, created_again) == (True, False)
    assert again == first
    assert len(store.list()) == 1


def test_different_details_from_two_conversations_are_two_handoffs(store):
    store.add(_request("a", preferred_time="Monday"))
    store.add(_request("b", preferred_time="Monday"))
    assert len(store.list()) == 2


def test_one_conversations_requests_while_the_first_is_new_are_one_handoff_that_asks_the_most(timed_store, clock):
    """The walk-through's case: the patient asked for a person in the middle of a booking
    after a screening (a question), then confirmed the booking (a screening to review)."""
    question, created = timed_store.add(
        _request("p", kind="question", question="can someone call me?", contact="+19175550163", contact_kind="phone")
    )
    clock.advance(timedelta(minutes=5))
    booking = _request(
        "p", kind="screening", name="Maria Gonzalez", contact=None, contact_kind=None, preferred_time="evenings",
        screening_outcome="needs_review", screening_answers={"review": "isotretinoin"},
    )  # fmt: skip
    folded, created_again = timed_store.add(booking)
    assert (created, created_again, folded.id) == (True, False, question.id)
    assert [h.id for h in timed_store.list()] == [question.id]
    assert (folded.kind, folded.name, folded.contact, folded.preferred_time, folded.question) == (
        "screening", "Maria Gonzalez", "+19175550163", "evenings", "can someone call me?"
    )  # fmt: skip
    assert timed_store.add(booking) == (folded, False)  # a retry of the booking is a duplicate
    later_question, _ = timed_store.add(_request("p", kind="question", question="is it painful?"))
    assert (later_question.id, later_question.kind, later_question.question) == (
        question.id,
        "screening",
        "is it painful?",
    )


def test_a_request_after_staff_started_or_after_the_hour_is_a_new_handoff_and_red_flags_stand_alone(timed_store, clock):
    first, _ = timed_store.add(_request("p", preferred_time="Monday"))
    flag, flag_created = timed_store.add(_request("p", kind="red_flag", red_flags=["infection"]))
    assert flag_created and flag.id != first.id
    timed_store.set_status(first.id, "contacted")
    second, created = timed_store.add(_request("p", preferred_time="Friday"))
    assert created and second.id != first.id
    clock.advance(timedelta(hours=1, seconds=1))
    third, created = timed_store.add(_request("p", kind="question", question="still there?"))
    assert created and third.id not in (first.id, second.id)


def test_duplicates_racing_each_other_still_make_one_handoff(store):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit():
        barrier.wait()
        try:
            results.append(store.add(_request(kind="question", question="can I talk to someone?")))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({handoff.id for handoff, _ in results}) == 1
    assert len(store.list()) == 1


def test_list_is_newest_first_and_filters(store):
    booking, _ = store.add(_request("a"))
    question, _ = store.add(_request("b", kind="question", question="call me"))
    screening, _ = store.add(_request("c", kind="screening", screening_outcome="candidate"))
    store.set_status(booking.id, "contacted")
    assert [h.id for h in store.list()] == [screening.id, question.id, booking.id]
    assert [h.id for h in store.list(status="new")] == [screening.id, question.id]
    assert [h.id for h in store.list(kind="booking")] == [booking.id]
    assert store.list(status="contacted", kind="question") == []
    assert [h.id for h in store.list(limit=1, offset=1)] == [question.id]


@pytest.mark.parametrize(
    "arguments", [{"status": "open"}, {"kind": "call"}, {"limit": 0}, {"limit": 501}, {"offset": -1}]
)
def test_list_refuses_bad_arguments(store, arguments):
    with pytest.raises(ValueError):
        store.list(**arguments)


def test_set_status_updates_and_bumps_updated_at(store):
    handoff, _ = store.add(_request())
    changed = store.set_status(handoff.id, "contacted")
    assert changed.status == "contacted"
    assert changed.updated_at >= handoff.updated_at
    assert changed.created_at == handoff.created_at
    assert store.get(handoff.id).status == "contacted"
    with pytest.raises(ValueError):
        store.set_status(handoff.id, "done")


def test_missing_ids_are_none(store):
    assert store.get(12345) is None
    assert store.set_status(12345, "closed") is None


def test_a_closed_handoff_does_not_swallow_the_same_request_later(store):
    first, _ = store.add(_request())
    assert store.add(_request())[1] is False  # still open: a duplicate
    store.set_status(first.id, "closed")
    second, created = store.add(_request())
    assert created and second.id != first.id
    assert store.get(first.id).status == "closed"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=120),
    concern=st.text(max_size=260),
    question=st.text(max_size=1200),
)
def test_any_text_round_trips_exactly_as_validated(shared_store, name, concern, question):
    try:
        # a sender of its own per example: the dedupe key ignores case, so "u" after "U" is a duplicate
        request = _request(f"fuzz-{uuid.uuid4().hex}", kind="question", name=name, concern=concern, question=question)
    except ValueError:
        assert len(clean_text(name)) > column_limit("name")  # the only refusal these inputs allow
        return
    handoff, _ = shared_store.add(request)
    stored = shared_store.get(handoff.id)
    assert (stored.name, stored.concern, stored.question) == (request.name, request.concern, request.question)
    assert len(stored.question or "") <= column_limit("question")


def test_an_unreachable_postgresql_is_unavailable():
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    try:
        with pytest.raises(HandoffStoreUnavailable, match="unavailable"):
            HandoffStore(session_factory(engine)).add(_request())
    finally:
        engine.dispose()


def test_an_unopenable_sqlite_file_is_unavailable(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    engine = make_engine(f"sqlite:///{blocker / 'handoffs.db'}")
    try:
        with pytest.raises(HandoffStoreUnavailable):
            HandoffStore(session_factory(engine)).list()
    finally:
        engine.dispose()


def test_a_database_without_the_table_says_to_migrate(database_url):
    engine = make_engine(database_url)
    try:
        with pytest.raises(HandoffStoreUnavailable, match="bot.db.migrate"):
            HandoffStore(session_factory(engine)).add(_request())
    finally:
        engine.dispose()


def test_count_matches_the_list_with_the_same_filters(store):
    booking, _ = store.add(_request("a"))
    store.add(_request("b", kind="question", question="call me"))
    store.set_status(booking.id, "contacted")
    assert (store.count(), store.count(status="new"), store.count(kind="booking")) == (2, 1, 1)
    assert store.count(status="closed", kind="booking") == 0
    with pytest.raises(ValueError):
        store.count(status="open")


def test_notes_are_kept_per_handoff_oldest_first(store):
    handoff, _ = store.add(_request("a"))
    other, _ = store.add(_request("b"))
    first = store.add_note(handoff.id, "ana@clinic.example", "Left a voicemail")
    second = store.add_note(handoff.id, "api", "Booked for the 12th\n- bring sunscreen <b>!</b>")
    store.add_note(other.id, "api", "someone else's")
    assert store.notes(handoff.id) == [first, second]
    assert (second.author, second.text, second.handoff_id) == (
        "api",
        "Booked for the 12th\n- bring sunscreen <b>!</b>",
        handoff.id,
    )
    assert second.created_at.utcoffset() == timedelta(0)
    assert second.to_dict()["created_at"] == second.created_at.isoformat()
    assert "sunscreen" not in repr(second)


def test_a_note_on_a_missing_handoff_is_none_and_stores_nothing(store):
    assert store.add_note(12345, "api", "hello") is None
    assert store.notes(12345) == []


@pytest.mark.parametrize("text", ["", "  \n\t ", "\x00\x07", "x" * (MAX_NOTE_LENGTH + 1), None, 5])
def test_empty_too_long_or_non_text_notes_are_refused(store, text):
    handoff, _ = store.add(_request())
    with pytest.raises(ValueError, match="note"):
        store.add_note(handoff.id, "api", text)
    assert store.notes(handoff.id) == []


def test_notes_keep_line_breaks_and_drop_other_control_characters():
    assert clean_note("  one\r\ntwo\x00 \rthree\ud800  ") == "one\ntwo\nthree"
    assert clean_note("x" * MAX_NOTE_LENGTH) == "x" * MAX_NOTE_LENGTH


# ----- red flags: first in the queue, one alert per conversation, group and hour -----


def _red_flag(sender="patient-1", groups=("breathing",), question="my lips are swelling and I can't breathe"):
    return HandoffRequest(kind="red_flag", sender_id=sender, channel="rest", question=question, red_flags=groups)


def test_open_red_flags_come_first_then_newest_first(timed_store, clock):
    store = timed_store
    red_old, _ = store.add(_red_flag("a"))
    clock.advance(timedelta(minutes=1))
    booking_old, _ = store.add(_request("b"))
    clock.advance(timedelta(minutes=1))
    red_done, _ = store.add(_red_flag("c", groups=("fever",), question="fever of 102"))
    clock.advance(timedelta(minutes=1))
    red_new, _ = store.add(_red_flag("d", groups=("pain",), question="pain 8/10 and rising"))
    clock.advance(timedelta(minutes=1))
    question, _ = store.add(_request("e", kind="question", question="call me"))
    store.set_status(red_done.id, "contacted")
    assert [h.id for h in store.list()] == [red_new.id, red_old.id, question.id, red_done.id, booking_old.id]
    assert [h.id for h in store.list(status="new")] == [red_new.id, red_old.id, question.id, booking_old.id]
    assert [h.id for h in store.list(kind="red_flag")] == [red_new.id, red_old.id, red_done.id]
    assert [h.id for h in store.list(limit=2, offset=1)] == [red_old.id, question.id]


def test_a_red_flag_keeps_its_groups_message_and_time(timed_store, clock):
    handoff, created = timed_store.add(_red_flag(groups=["swelling", "breathing", "swelling"]))
    assert created and handoff.red_flags == ("swelling", "breathing")
    assert (handoff.kind, handoff.question, handoff.created_at) == (
        "red_flag",
        "my lips are swelling and I can't breathe",
        clock.now,
    )
    assert timed_store.get(handoff.id) == handoff


def test_the_same_groups_within_the_hour_alert_once(timed_store, clock):
    first, created = timed_store.add(_red_flag())
    clock.advance(timedelta(minutes=59))
    again, created_again = timed_store.add(_red_flag(question="still can't breathe properly"))
    assert (created, created_again) == (True, False)
    assert again == first
    assert len(timed_store.list()) == 1


def test_after_the_hour_the_same_group_alerts_again(timed_store, clock):
    first, _ = timed_store.add(_red_flag())
    clock.advance(timedelta(hours=1, seconds=1))
    second, created = timed_store.add(_red_flag())  # the very same words, too
    assert created and second.id != first.id
    clock.advance(timedelta(minutes=5))
    assert timed_store.add(_red_flag())[1] is False  # the new alert starts a new hour
    assert len(timed_store.list()) == 2


def test_a_new_group_within_the_hour_alerts_and_all_alerted_groups_count(timed_store, clock):
    timed_store.add(_red_flag(groups=("fever",), question="fever of 102"))
    clock.advance(timedelta(minutes=10))
    infection, created = timed_store.add(_red_flag(groups=("fever", "infection"), question="fever and pus"))
    assert created and infection.red_flags == ("fever", "infection")
    clock.advance(timedelta(minutes=10))
    assert timed_store.add(_red_flag(groups=("infection",), question="pus again"))[1] is False
    assert timed_store.add(_red_flag(groups=("fever", "infection"), question="both"))[1] is False
    assert len(timed_store.list()) == 2


def test_an_unspecified_red_flag_adds_nothing_to_an_alert_of_the_hour(timed_store, clock):
    first, _ = timed_store.add(_red_flag(groups=("fever",), question="fever of 102"))
    clock.advance(timedelta(minutes=20))
    assert timed_store.add(_red_flag(groups=("unspecified",), question="burning up and shivery"))[0] == first
    vague, created = timed_store.add(_red_flag("other", groups=("unspecified",), question="8/10 and rising"))
    assert created  # a first alert, even a vague one
    clock.advance(timedelta(minutes=5))
    specific, created = timed_store.add(_red_flag("other", groups=("pain",), question="severe pain"))
    assert created and specific.id != vague.id  # a named group is news after a vague alert
    clock.advance(timedelta(hours=1))
    assert timed_store.add(_red_flag(groups=("unspecified",), question="still shivery"))[1]


def test_the_window_is_per_conversation(timed_store):
    assert timed_store.add(_red_flag("a"))[1] and timed_store.add(_red_flag("b"))[1]


def test_a_closed_red_flag_does_not_hold_back_a_new_report(timed_store, clock):
    first, _ = timed_store.add(_red_flag())
    timed_store.set_status(first.id, "closed")
    clock.advance(timedelta(minutes=5))
    second, created = timed_store.add(_red_flag())
    assert created and second.id != first.id
    contacted, _ = timed_store.add(_red_flag("b"))
    timed_store.set_status(contacted.id, "contacted")  # staff are on it: still one alert
    assert timed_store.add(_red_flag("b"))[1] is False


def test_red_flags_racing_each_other_make_one_handoff(timed_store):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def submit(number):
        barrier.wait()
        try:
            results.append(timed_store.add(_red_flag(question=f"can't breathe ({number})")))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len(timed_store.list()) == 1


def test_pinned_conversations_follow_open_red_flags_in_the_order_given(store):
    old, _ = store.add(_request("old"))
    pinned_second, _ = store.add(_request("b", kind="question", question="hello?"))
    pinned_first, _ = store.add(_request("a", preferred_time="Monday"))
    newest, _ = store.add(_request("new", preferred_time="Friday"))
    flag, _ = store.add(_request("flag", kind="red_flag", red_flags=["infection"]))
    listed = store.list(pinned=["a", "b"])
    assert [h.id for h in listed] == [flag.id, pinned_first.id, pinned_second.id, newest.id, old.id]
    pages = store.list(pinned=["a", "b"], limit=2) + store.list(pinned=["a", "b"], limit=2, offset=2)
    assert [h.id for h in pages] == [h.id for h in listed[:4]]
    with pytest.raises(ValueError):
        store.list(pinned=[f"p{n}" for n in range(501)])


def test_search_matches_names_and_contacts_with_bound_literal_text(store):
    ana, _ = store.add(_request("a", name="Ana Lima", contact="+19175550163", contact_kind="phone"))
    ben, _ = store.add(_request("b", name="Ben O'Neil", contact="ben_o@example.com", contact_kind="email"))
    assert [h.id for h in store.list(search="LIMA")] == [ana.id]
    assert [h.id for h in store.list(search=" 917-555 ")] == [ana.id]
    assert [h.id for h in store.list(search="o'neil")] == [ben.id]
    assert [h.id for h in store.list(search="%")] == []
    assert [h.id for h in store.list(search="x' OR '1'='1")] == []
    assert store.count(search="ben_") == 1 and store.count(search="b%n") == 0


def test_the_latest_change_moves_with_a_new_handoff_and_a_status(store):
    assert store.latest_change() == (0, None)
    handoff, _ = store.add(_request())
    newest, changed = store.latest_change()
    assert newest == handoff.id and changed is not None
    store.set_status(handoff.id, "contacted")
    assert store.latest_change()[1] >= changed


def test_a_booking_folded_into_a_screened_request_stays_a_screening_to_review(timed_store):
    """The reproduced conversation: the question kept the screening outcome, the re-booking
    came after the form forgot it; staff must still see that a provider reviews it first."""
    timed_store.add(_request("p", kind="question", question="call me", screening_outcome="needs_review"))
    folded, created = timed_store.add(_request("p", preferred_time="weekday evenings"))
    assert (created, folded.kind, folded.screening_outcome) == (False, "screening", "needs_review")
