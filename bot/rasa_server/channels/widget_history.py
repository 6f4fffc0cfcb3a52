"""What the widget shows after a reload: its conversation's current session, read from the server.

The widget keeps nothing of the conversation in the browser but its token
(`bot.rasa_server.channels.widget_tokens`); a reload asks the server for the transcript instead.
It gets the session Rasa still holds, the same one the bot answers from: once the
session has expired (the domain's idle time), the bot remembers nothing of it and
carries nothing over, so the widget shows nothing of it either and greets afresh.

Messages come as the widget stores them in memory: `{"from": "user" | "bot", "text": ...}`,
with `at` (epoch seconds, so the widget can ask for what is new), `staff` (the name of
the person from the clinic who wrote it, in a taken-over conversation) and `notice` (the
assistant's notice that a person joined, or that it is back),
a button click as the button's title (`bot.transcripts.transcript.turns`), and the
buttons of the bot's answers since the patient's last message, which can still be
chosen, as `buttons: [{"title", "payload"}]`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.transcripts.transcript import turns

MAX_MESSAGES = 100  # what the widget renders at most


def session_expired(tracker: DialogueStateTracker, expiration_minutes: float, now: float) -> bool:
    """Whether Rasa would start a new session at the next message (its `_has_session_expired` rule)."""
    if expiration_minutes <= 0:  # sessions disabled
        return False
    last = tracker.get_last_event_for(UserUttered)
    return last is not None and (now - last.timestamp) / 60 > expiration_minutes


def history(tracker: Optional[DialogueStateTracker], expiration_minutes: float, now: float) -> List[Dict[str, Any]]:
    """The latest `MAX_MESSAGES` messages of the tracker's current session (none once it expired)."""
    if tracker is None or session_expired(tracker, expiration_minutes, now):
        return []
    entries = ((event.type_name, event.timestamp, event.as_dict()) for event in tracker.events)
    messages: List[Dict[str, Any]] = []
    for turn in turns(entries):
        at = turn.at.timestamp()
        if turn.speaker == "patient":
            messages.append({"from": "user", "text": turn.text, "at": at})
            continue
        message: Dict[str, Any] = {"from": "bot", "text": turn.text, "at": at}
        if turn.author:  # a person from the clinic wrote it
            message["staff"] = turn.author
        if turn.notice:  # the assistant's notice that a person joined, or that it is back
            message["notice"] = True
        if turn.buttons:
            message["buttons"] = [{"title": t, "payload": p} for t, p in zip(turn.buttons, turn.payloads)]
        messages.append(message)
    _keep_open_buttons(messages)
    return messages[-MAX_MESSAGES:]


def _keep_open_buttons(messages: List[Dict[str, Any]]) -> None:
    """Drop the buttons of answers the patient has replied to since (as the widget does when sending)."""
    replied = False
    for message in reversed(messages):
        if message["from"] == "user":
            replied = True
        elif replied:
            message.pop("buttons", None)
