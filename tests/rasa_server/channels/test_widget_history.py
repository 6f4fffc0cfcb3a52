"""What a reloaded widget shows: the current session only, button clicks as their titles."""

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server.channels.widget_history import MAX_MESSAGES, history

NOW = 1_800_000_000.0
HOUR = 60  # the domain's session expiry, in minutes


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "widget:x", [ActionExecuted("action_listen", timestamp=NOW - 7200), *events]
    )


def _said(messages):
    """The messages without their times (checked where they matter)."""
    return [{key: value for key, value in message.items() if key != "at"} for message in messages]


def test_nothing_without_a_conversation():
    assert history(None, HOUR, NOW) == []


def test_an_expired_session_shows_nothing_as_the_bot_remembers_nothing():
    tracker = _tracker(
        UserUttered("I'm Priya, 646-555-0123", timestamp=NOW - 61 * 60), BotUttered("Thanks", timestamp=NOW - 61 * 60)
    )
    assert _said(history(tracker, HOUR, NOW)) == []
    assert _said(history(tracker, HOUR, NOW - 120)) == [
        {"from": "user", "text": "I'm Priya, 646-555-0123"},
        {"from": "bot", "text": "Thanks"},
    ]
    assert len(history(tracker, 0, NOW)) == 2  # sessions disabled: never expires


def test_only_what_was_said_with_buttons_still_open():
    tracker = _tracker(
        SessionStarted(timestamp=NOW - 10),
        SlotSet("booking_name", "Priya Shah", timestamp=NOW - 10),
        BotUttered("Pick one", {"buttons": [{"title": "Pain", "payload": "/faq_pain"}]}, timestamp=NOW - 9),
        UserUttered("/faq_pain", timestamp=NOW - 8),
        UserUttered("/not_offered", timestamp=NOW - 7),
        UserUttered("   ", timestamp=NOW - 6),
        BotUttered("Mild.", {"buttons": [{"title": "Book", "payload": "/request_booking"}]}, timestamp=NOW - 5),
        BotUttered(None, {"custom": {"x": 1}}, timestamp=NOW - 4),
    )
    assert _said(history(tracker, HOUR, NOW)) == [
        {"from": "bot", "text": "Pick one"},
        {"from": "user", "text": "Pain"},
        {"from": "user", "text": "(chose an option)"},
        {"from": "bot", "text": "Mild.", "buttons": [{"title": "Book", "payload": "/request_booking"}]},
    ]


def test_at_most_the_last_messages_the_widget_renders():
    said = [UserUttered(f"message {n}", timestamp=NOW - 300 + n) for n in range(MAX_MESSAGES + 20)]
    messages = history(_tracker(*said), HOUR, NOW)
    assert len(messages) == MAX_MESSAGES and messages[-1]["text"] == f"message {MAX_MESSAGES + 19}"


def test_each_message_has_its_time_and_a_persons_reply_its_author():
    """What the widget polls for: a reply from a person at the clinic, newer than it has seen."""
    joined = BotUttered("A member of our team has joined.", timestamp=NOW - 5)
    joined.metadata = {"staff": "A member of our team", "actor": "ana@clinic.example", "notice": "joined"}
    reply = BotUttered("Hi, Ana here.", timestamp=NOW - 2)
    reply.metadata = {"staff": "Ana", "actor": "ana@clinic.example"}
    tracker = _tracker(
        SessionStarted(timestamp=NOW - 10), UserUttered("a person please", timestamp=NOW - 8), joined, reply
    )
    assert history(tracker, HOUR, NOW) == [
        {"from": "user", "text": "a person please", "at": NOW - 8},
        {"from": "bot", "text": "A member of our team has joined.", "at": NOW - 5, "notice": True},
        {"from": "bot", "text": "Hi, Ana here.", "at": NOW - 2, "staff": "Ana"},
    ]
