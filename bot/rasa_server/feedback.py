"""Patients' feedback on the assistant's answers, as the Rasa server's channels record it.

Which answer a message or a rating is about comes from the conversation's own tracker:
Rasa stores the response name of every answer in its `bot` event's metadata
(`utter_action`). The widget's rating names an answer, and is taken only if that answer
was said in the widget's own conversation; an SMS saying "that didn't help" is about the
conversation's last answer. Storage is `bot.insights.feedback` (our database, committed
before the channel answers).
"""

from __future__ import annotations

import asyncio
from typing import Any, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.engine import get_engine, session_factory
from bot.insights.feedback import MAX_COMMENT_CHARS, FeedbackStore, is_answer, last_answer
from bot.settings import Settings

RESPONSE_KEY = "utter_action"  # where Rasa's BotUttered metadata names the response


def responses(tracker: Optional[DialogueStateTracker], since_last_message: bool = False) -> List[Optional[str]]:
    """The response names of the tracker's answers, oldest first (only those after the
    patient's last message, with `since_last_message`)."""
    found: List[Optional[str]] = []
    for event in tracker.events if tracker else ():
        if isinstance(event, UserUttered) and since_last_message:
            found = []
        elif isinstance(event, BotUttered):
            found.append((event.metadata or {}).get(RESPONSE_KEY))
    return found


def answer_to_rate(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The answer the widget offers to rate under the reply just sent, if the reply held one."""
    return last_answer(responses(tracker, since_last_message=True))


class FeedbackRecorder:
    """Stores ratings for the channels; the database is reached on first use, so starting
    Rasa never waits on it."""

    def __init__(self, settings: Settings, store: Optional[FeedbackStore] = None) -> None:
        self._settings = settings
        self._store = store

    @property
    def store(self) -> FeedbackStore:
        if self._store is None:
            self._store = FeedbackStore(session_factory(get_engine(self._settings.database_url)))
        return self._store

    async def rate(
        self, tracker: Optional[DialogueStateTracker], response: str, helpful: bool, comment: Optional[str]
    ) -> bool:
        """Store a rating of `response` if it was said in `tracker`'s conversation (False: it was not)."""
        if tracker is None or not is_answer(response) or response not in responses(tracker):
            return False
        await asyncio.to_thread(self.store.record, tracker.sender_id, response, helpful, comment)
        return True

    async def not_helpful(self, agent: Any, sender_id: str, text: str) -> Optional[str]:
        """Record "not helpful" on the last answer of `sender_id`'s conversation, the patient's
        words as the comment; the answer's name, or None when there was no answer to rate."""
        tracker = await agent.tracker_store.retrieve(sender_id)
        answer = last_answer(responses(tracker))
        if answer is not None:
            await asyncio.to_thread(self.store.record, sender_id, answer, False, text[:MAX_COMMENT_CHARS])
        return answer
