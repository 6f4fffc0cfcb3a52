"""Patients' "was this helpful?" on the assistant's answers, stored per answer (a Rasa response name).

The website widget asks under answers to questions (thumbs up or down, an optional
comment); a text like "that didn't help" is recorded the same way against the last
answer of the SMS conversation (`bot.understanding.not_helpful`). One row per
conversation and answer: rating an answer again replaces the earlier rating, so a
patient who changes their mind counts once. Writes commit before the caller answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Dict, Iterable, Optional, Sequence, Tuple

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import sessionmaker

from bot.conversation_ids import namespace_of
from bot.db.models import AnswerFeedback, utcnow
from bot.db.session import unit_of_work

# The article's answers, the ones a patient is asked to rate: not greetings, menus or
# form questions. The NLG adds its repeat note to the same ones (bot.rasa_server.nlg).
ANSWERS = ("utter_faq_", "utter_aftercare_")
MAX_COMMENT_CHARS = AnswerFeedback.__table__.c.comment.type.length
MAX_RESPONSE_CHARS = AnswerFeedback.__table__.c.response.type.length


def is_answer(response: Optional[str]) -> bool:
    """Whether `response` (a response name) is one of the answers patients rate."""
    return bool(response) and str(response).startswith(ANSWERS) and len(str(response)) <= MAX_RESPONSE_CHARS


def last_answer(responses: Sequence[Optional[str]]) -> Optional[str]:
    """The last of a conversation's responses (oldest first) that patients rate, if any."""
    return next((name for name in reversed(responses) if is_answer(name)), None)


@dataclass(frozen=True)
class AnswerRating:
    """What patients said of one answer over a period."""

    response: str
    helpful: int
    not_helpful: int
    comments: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful


class FeedbackStore:
    """The `answer_feedback` table; each call is one unit of work (DatabaseUnavailable on an outage)."""

    def __init__(self, sessions: sessionmaker, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._clock = clock

    def record(self, conversation_id: str, response: str, helpful: bool, comment: Optional[str] = None) -> None:
        """Store (or replace) the rating of `response` in `conversation_id`, committed on return.

        ValueError for a response patients are not asked to rate, or a conversation id of no channel.
        """
        channel = namespace_of(conversation_id)
        if channel is None or not is_answer(response):
            raise ValueError("only an answer of a channel's conversation can be rated")
        text = " ".join((comment or "").split())[:MAX_COMMENT_CHARS] or None
        values = {
            "conversation_id": conversation_id,
            "channel": channel,
            "response": response,
            "helpful": helpful,
            "comment": text,
            "created_at": self._clock(),
        }
        with unit_of_work(self._sessions, what="feedback store") as session:
            dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(AnswerFeedback).values(**values)
            changed = {
                "helpful": insert.excluded.helpful,
                # a rating without a comment keeps the one given before (the widget rates, then comments)
                "comment": func.coalesce(insert.excluded.comment, AnswerFeedback.comment),
                "created_at": insert.excluded.created_at,
            }
            session.execute(insert.on_conflict_do_update(index_elements=["conversation_id", "response"], set_=changed))
            session.commit()

    def per_answer(self, start: datetime, end: datetime, channels: Iterable[str]) -> Dict[str, AnswerRating]:
        """Ratings given in [start, end) in conversations of `channels`, by answer."""
        query = (
            select(AnswerFeedback.response, _HELPFUL, _NOT_HELPFUL, func.count(AnswerFeedback.comment))
            .where(*_period(start, end, channels))
            .group_by(AnswerFeedback.response)
        )
        with unit_of_work(self._sessions, what="feedback store") as session:
            rows = session.execute(query).all()
        return {row[0]: AnswerRating(row[0], int(row[1]), int(row[2]), int(row[3])) for row in rows}

    def per_conversation(self, start: datetime, end: datetime, channels: Iterable[str]) -> Dict[str, Tuple[int, int]]:
        """(helpful, not helpful) per conversation rated in [start, end): the CSV's feedback columns."""
        query = (
            select(AnswerFeedback.conversation_id, _HELPFUL, _NOT_HELPFUL)
            .where(*_period(start, end, channels))
            .group_by(AnswerFeedback.conversation_id)
        )
        with unit_of_work(self._sessions, what="feedback store") as session:
            rows = session.execute(query).all()
        return {row[0]: (int(row[1]), int(row[2])) for row in rows}


_HELPFUL = func.sum(case((AnswerFeedback.helpful, 1), else_=0))
_NOT_HELPFUL = func.sum(case((AnswerFeedback.helpful, 0), else_=1))


def _period(start: datetime, end: datetime, channels: Iterable[str]) -> list:
    return [
        AnswerFeedback.created_at >= start,
        AnswerFeedback.created_at < end,
        AnswerFeedback.channel.in_(tuple(channels)),
    ]
