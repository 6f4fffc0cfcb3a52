"""Which taken-over conversations wait for a staff reply, read from what Rasa's tracker store wrote."""

from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed
from sqlalchemy import event

from bot.db.engine import session_factory
from bot.transcripts.takeovers import ACTOR_KEY, NOTICE_KEY, STAFF_KEY
from bot.transcripts.waiting import Waiting, WaitingReader
from tests.tracker_data import answered, at, said

STAFF = {STAFF_KEY: "Front desk", ACTOR_KEY: "nurse@clinic.example"}


def _pause(minute: float) -> ConversationPaused:
    return ConversationPaused(timestamp=at(minute).timestamp(), metadata=STAFF)


def _staff_reply(text: str, minute: float) -> BotUttered:
    return BotUttered(text, timestamp=at(minute).timestamp(), metadata=STAFF)


def _joined(minute: float) -> BotUttered:
    return BotUttered(
        "A member of our team joined.", timestamp=at(minute).timestamp(), metadata={**STAFF, NOTICE_KEY: "joined"}
    )


def _reader(store_engine) -> WaitingReader:
    return WaitingReader(session_factory(store_engine))


def test_a_patient_who_wrote_after_the_latest_staff_reply_waits_since_the_first_unanswered_message(rasa, store_engine):
    rasa.save(
        "waits",
        [
            said("can someone call me", "request_human", minute=0),
            _pause(1),
            _joined(1),
            said("hello?", None, minute=2),
            _staff_reply("Hi, this is Sam", 3),
            said("is it safe while nursing?", "faq", minute=5),
            answered("Call us now if you have a fever.", minute=6),  # the red-flag answer is no staff reply
            said("and how long is the visit?", "faq", minute=7),
        ],
    )
    rasa.save("answered", [_pause(0), said("hi", "greet", minute=1), _staff_reply("Hello!", 2)])
    rasa.save(
        "handed back", [_pause(0), said("hi", "greet", minute=1), ConversationResumed(timestamp=at(2).timestamp())]
    )
    rasa.save("never taken over", [said("hi", "greet", minute=1)])
    rasa.save("silent", [said("hi", "greet", minute=0), _pause(1), _joined(1)])
    waiting = _reader(store_engine).waiting()
    assert set(waiting) == {"waits"}
    found = waiting["waits"]
    assert isinstance(found, Waiting) and found.since == at(5)
    assert found.latest_message_id > 0


def test_a_message_before_the_take_over_does_not_wait_but_one_after_it_does(rasa, store_engine):
    rasa.save("p", [said("help", "request_human", minute=0), _pause(1)])
    reader = _reader(store_engine)
    assert reader.waiting() == {}
    rasa.save("p", [said("help", "request_human", minute=0), _pause(1), said("still there?", None, minute=4)])
    assert reader.waiting()["p"].since == at(4)


def test_a_second_take_over_counts_from_itself(rasa, store_engine):
    events = [_pause(0), said("hi", "greet", minute=1), ConversationResumed(timestamp=at(2).timestamp()), _pause(3)]
    rasa.save("p", events)
    reader = _reader(store_engine)
    assert reader.waiting() == {}
    rasa.save("p", [*events, said("thanks", "thank", minute=4)])
    assert reader.waiting()["p"].since == at(4)


def test_one_query_answers_for_every_conversation(rasa, store_engine):
    for number in range(5):
        rasa.save(f"p{number}", [_pause(0), said("hi", "greet", minute=1)])
    statements = []
    event.listen(store_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert len(_reader(store_engine).waiting()) == 5
    assert len([sql for sql in statements if "FROM events" in sql]) == 1


def test_the_latest_event_id_moves_with_each_message_and_take_over(rasa, store_engine):
    reader = _reader(store_engine)
    assert reader.latest_event_id("p") == 0
    rasa.save("p", [said("hi", "greet", minute=0)])
    first = reader.latest_event_id("p")
    rasa.save("p", [said("hi", "greet", minute=0), _pause(1)])
    assert reader.latest_event_id("p") > first > 0


def test_a_tracker_store_rasa_never_wrote_to_has_no_one_waiting(store_engine):
    reader = _reader(store_engine)
    assert (reader.waiting(), reader.latest_event_id("p")) == ({}, 0)
