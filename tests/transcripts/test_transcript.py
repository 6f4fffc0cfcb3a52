"""Conversations, red flags and unanswered messages read from what Rasa's tracker store wrote."""

import dataclasses

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
from sqlalchemy import event

from bot.db.engine import make_engine
from bot.db.session import DatabaseUnavailable
from bot.transcripts import transcript
from bot.transcripts.transcript import CHOSEN_OPTION, SENDERS_PER_QUERY, Transcript, TranscriptReader, Turn
from bot.transcripts.unanswered import UnansweredMessage
from tests.ports import free_port
from tests.tracker_data import answered, at, said

PAIN_BUTTONS = (("Does it hurt?", "/faq_pain"), ("Book a visit", "/request_booking"))


def _session_start(minute: float):
    timestamp = at(minute).timestamp()
    return [ActionExecuted("action_session_start", timestamp=timestamp), SessionStarted(timestamp=timestamp)]


def _listen(minute: float):
    return ActionExecuted("action_listen", timestamp=at(minute).timestamp())


def test_both_sides_in_order_with_times_channels_and_buttons(rasa, reader):
    rasa.save(
        "patient-1",
        [
            *_session_start(0),
            _listen(0),
            said("hi there", "greet", confidence=0.97, minute=1),
            ActionExecuted("utter_greet", timestamp=at(1).timestamp()),
            answered("Hello! What would you like to know?", minute=1, buttons=PAIN_BUTTONS),
            _listen(1),
            said("/faq_pain", "faq_pain", confidence=1.0, minute=2),
            answered("Most people feel mild discomfort.", minute=2),
            SlotSet("concern", "pain", timestamp=at(2).timestamp()),
            said("thanks, and downtime?", "aftercare_redness", confidence=0.88, minute=3, channel="twilio"),
            answered("Redness usually settles in a few days.", minute=3),
        ],
    )
    assert reader.transcript("patient-1") == Transcript(
        "patient-1",
        (
            Turn("patient", "hi there", at(1), "rest", intent="greet", confidence=0.97),
            Turn(
                "bot",
                "Hello! What would you like to know?",
                at(1),
                None,
                buttons=("Does it hurt?", "Book a visit"),
                payloads=("/faq_pain", "/request_booking"),
            ),
            Turn("patient", "Does it hurt?", at(2), "rest", chosen_button=True, intent="faq_pain", confidence=1.0),
            Turn("bot", "Most people feel mild discomfort.", at(2), None),
            Turn("patient", "thanks, and downtime?", at(3), "twilio", intent="aftercare_redness", confidence=0.88),
            Turn("bot", "Redness usually settles in a few days.", at(3), None),
        ),
    )


def test_a_payload_shows_the_title_of_the_latest_button_that_sent_it(rasa, reader):
    rasa.save(
        "patient-1",
        [
            answered("Topics:", minute=0, buttons=[("Pain", "/faq_pain")]),
            answered("Anything else?", minute=1, buttons=[("Will it hurt?", "/faq_pain")]),
            said("/faq_pain", "faq_pain", confidence=1.0, minute=2),
        ],
    )
    assert reader.transcript("patient-1").turns[-1].text == "Will it hurt?"


def test_a_payload_no_button_offered_is_never_shown(rasa, reader):
    secret = '/request_booking{"name": "Sam"}'
    rasa.save(
        "patient-1",
        [
            answered("Hello!", minute=0, buttons=PAIN_BUTTONS),
            said(secret, "request_booking", confidence=1.0, minute=1),
            said("/faq_device", "faq_device", confidence=1.0, minute=2),
        ],
    )
    turns = reader.transcript("patient-1").turns
    assert [(turn.text, turn.chosen_button) for turn in turns[1:]] == [(CHOSEN_OPTION, True), (CHOSEN_OPTION, True)]
    assert not any("/" in turn.text for turn in turns)


def test_a_red_flag_is_marked_on_the_turn_and_the_conversation(rasa, reader):
    rasa.save("patient-1", [said("hello", "greet"), said("my face is swelling", "red_flag_emergency", 1.0, minute=1)])
    rasa.save("patient-2", [said("hello", "greet"), said("it itches a bit", "red_flag_urgent", 1.0, minute=1)])
    rasa.save("patient-3", [said("is it safe?", "faq_contraindications", minute=0)])
    first = reader.transcript("patient-1")
    assert [turn.red_flag for turn in first.turns] == [False, True]
    assert first.red_flag
    assert reader.transcript("patient-2").red_flag
    assert not reader.transcript("patient-3").red_flag


def test_other_conversations_are_not_mixed_in(rasa, reader):
    mine = [said("first", "greet", minute=0), answered("one", minute=0)]
    rasa.save("patient-1", mine)
    rasa.save("patient-2", [said("someone else", "greet", minute=1), answered("theirs", minute=1)])
    rasa.save("patient-1", [*mine, said("second", "thank", minute=2), answered("two", minute=2)])
    assert [turn.text for turn in reader.transcript("patient-1").turns] == ["first", "one", "second", "two"]
    assert [turn.text for turn in reader.transcript("patient-2").turns] == ["someone else", "theirs"]


def test_channels_are_listed_once_in_order_of_first_use(rasa, reader):
    rasa.save(
        "patient-1",
        [said("a", "greet", channel="twilio"), said("b", "greet", minute=1), said("c", "greet", 0.9, 2, "twilio")],
    )
    assert reader.transcript("patient-1").channels == ("twilio", "rest")


def test_empty_messages_are_left_out(rasa, reader):
    rasa.save("patient-1", [said("  ", None, minute=0), answered(None, minute=0), answered("Still there?", minute=1)])
    assert [turn.text for turn in reader.transcript("patient-1").turns] == ["Still there?"]


def test_the_limit_keeps_the_latest_messages(rasa, reader):
    rasa.save("patient-1", [said(str(n), "inform", minute=n) for n in range(5)])
    assert [turn.text for turn in reader.transcript("patient-1", limit=2).turns] == ["3", "4"]


def test_an_unknown_sender_has_an_empty_transcript(rasa, reader):
    rasa.save("patient-1", [said("hi", "greet")])
    transcript = reader.transcript("nobody")
    assert transcript == Transcript("nobody", ())
    assert not transcript.red_flag
    assert transcript.channels == ()


def test_before_rasa_ever_ran_everything_is_empty(reader):
    assert reader.transcript("patient-1") == Transcript("patient-1", ())
    assert reader.red_flag_senders(["patient-1"]) == set()
    assert list(reader.unanswered()) == []


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable(request, tmp_path):
    if request.param == "sqlite":
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        engine = make_engine(f"sqlite:///{blocker / 'tracker.db'}")
    else:
        engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    yield TranscriptReader(engine)
    engine.dispose()


def test_an_outage_is_database_unavailable(unreachable):
    with pytest.raises(DatabaseUnavailable, match="^the tracker store is unavailable"):
        unreachable.transcript("patient-1")
    with pytest.raises(DatabaseUnavailable):
        unreachable.red_flag_senders(["patient-1"])
    with pytest.raises(DatabaseUnavailable):
        list(unreachable.unanswered())


def test_red_flag_senders_of_a_long_page_in_chunked_queries(rasa, reader, store_engine):
    rasa.save("early", [said("I can't breathe", "red_flag_emergency", 1.0)])
    rasa.save("late", [said("there is pus", "red_flag_urgent", 1.0)])
    rasa.save("calm", [said("hi", "greet")])
    rasa.save("not-asked", [said("fever", "red_flag_urgent", 1.0)])
    asked = ["early", *(f"sender-{n:04d}" for n in range(1200)), "calm", "late"]
    queries = []  # (statement, its parameters)
    event.listen(store_engine, "before_cursor_execute", lambda *args: queries.append((args[2], args[3])))
    assert reader.red_flag_senders(asked) == {"early", "late"}
    reads = [parameters for statement, parameters in queries if "FROM events" in statement]
    assert len(reads) == -(-len(asked) // SENDERS_PER_QUERY)  # ceil: one query per chunk
    assert max(len(parameters) for parameters in reads) <= SENDERS_PER_QUERY + 3  # + type and two intents


def test_red_flag_senders_of_nobody_asks_nothing(reader):
    assert reader.red_flag_senders([]) == set()


def test_unanswered_messages_with_their_reasons(rasa, reader):
    rasa.save(
        "patient-1",
        [
            said("hi", "greet", 0.99, minute=0),
            said("  can I bring my dog  ", "nlu_fallback", 0.35, minute=1),
            said("who won the match", "out_of_scope", 0.9, minute=2),
            said("what needle depth do you use", "faq_not_covered", 0.9, minute=3),
            said("is it ok for rosacea", "faq_skin_concerns", 0.41, minute=4),
            said("/faq_pain", "faq_pain", 0.2, minute=5),
            said("my skin is burning", "red_flag_urgent", 1.0, minute=6),
        ],
    )
    rasa.save("patient-2", [said("price?", "nlu_fallback", 0.35, minute=7)])
    found = list(reader.unanswered())
    # Each names its own tracker event, which the console links to (no sender id in a URL).
    assert len({message.event_id for message in found}) == len(found)
    assert all(isinstance(message.event_id, int) for message in found)
    assert [dataclasses.replace(message, event_id=None) for message in found] == [
        UnansweredMessage("patient-1", "can I bring my dog", at(1), "fallback"),
        UnansweredMessage("patient-1", "who won the match", at(2), "out_of_scope"),
        UnansweredMessage("patient-1", "what needle depth do you use", at(3), "not_covered"),
        UnansweredMessage("patient-1", "is it ok for rosacea", at(4), "unsure"),
        UnansweredMessage("patient-2", "price?", at(7), "fallback"),
    ]


def test_unanswered_since_a_time(rasa, reader):
    rasa.save("patient-1", [said(f"question {n}", "nlu_fallback", 0.35, minute=n) for n in range(4)])
    assert [message.text for message in reader.unanswered(since=at(2))] == ["question 2", "question 3"]


def test_unanswered_messages_are_read_a_page_at_a_time(rasa, reader, store_engine, monkeypatch):
    """However many messages there are, one query reads at most ROWS_PER_PAGE of them, and
    the next page starts where the last ended (no message twice, none skipped)."""
    monkeypatch.setattr(transcript, "ROWS_PER_PAGE", 3)
    rasa.save("patient-1", [said(f"question {n}", "nlu_fallback", 0.35, minute=n) for n in range(7)])
    rasa.save("patient-2", [said("hi", "greet", 0.99, minute=8), said("question 7", "nlu_fallback", 0.35, minute=9)])
    reads = []  # each statement that read `events`
    event.listen(
        store_engine, "before_cursor_execute", lambda *args: reads.append(args[2]) if "FROM events" in args[2] else None
    )
    texts = [message.text for message in reader.unanswered(since=at(1))]
    assert texts == [f"question {n}" for n in range(1, 8)]
    assert len(reads) == 3 and all("LIMIT" in statement for statement in reads)  # 8 rows since minute 1: 3 + 3 + 2


def test_staff_messages_show_their_author_and_the_assistants_notices_do_not(rasa, reader):
    """A take-over (bot.rasa_server.takeover): the joined notice is the assistant's, the reply Ana's."""
    joined = answered("Ana from the clinic has joined this chat.", minute=1)
    joined.metadata = {"staff": "Ana", "actor": "ana@clinic.example", "notice": "joined"}
    reply = answered("Hi, Ana here. How can I help?", minute=2)
    reply.metadata = {"staff": "Ana", "actor": "ana@clinic.example"}
    rasa.save("patient-9", [said("a person please", "request_human"), joined, reply])
    turns = reader.transcript("patient-9").turns
    assert [(turn.speaker, turn.author) for turn in turns] == [("patient", None), ("bot", None), ("staff", "Ana")]
