"""What a red-flag handoff records, whoever submits it.

Three places submit one: the action `action_red_flag_handoff`, for every red flag the
assistant answers; the SMS channel, for a red flag the assistant could not take (every
place in the line taken, the number over its rate limit, the pipeline failing); and the
patient channels, for a red flag written while a person from the clinic has taken the
conversation over (`bot.rasa_server.takeover`): a warning symptom must reach a person
even when the assistant does not answer it. Both
read the symptom groups off the parse the same way, here.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, List, Mapping, Optional

from bot.db.models import RED_FLAG
from bot.handoffs.request import RED_FLAG_GROUP, UNSPECIFIED_GROUP, HandoffRequest

logger = logging.getLogger(__name__)

ENTITY = "red_flag"  # what bot.rasa_server.components.red_flag_detector names the groups it found


def groups_from_entities(entities: Optional[Iterable[Mapping[str, Any]]]) -> List[str]:
    """A parse's red-flag groups, in the detector's order; ["unspecified"] if it named none."""
    groups: List[str] = []
    for entity in entities or []:
        if entity.get("entity") != ENTITY:
            continue
        value = entity.get("value")
        name = value.strip().lower() if isinstance(value, str) else ""
        if not RED_FLAG_GROUP.fullmatch(name):
            logger.warning("ignoring a red_flag entity that is not a group name")
            continue
        if name not in groups:
            groups.append(name)
    return groups or [UNSPECIFIED_GROUP]


def unanswered_red_flag(
    sender_id: str, channel: str, text: str, phone: Optional[str], parse: Optional[Mapping[str, Any]]
) -> HandoffRequest:
    """The handoff for a red flag the assistant did not take: texted from `phone`, or
    written on the website (no phone: staff reach the patient in the conversation).

    `parse` is the NLU's reading of `text` (None when the parse failed, and the text was
    treated as a red flag because of it): its groups, or "unspecified".
    """
    return HandoffRequest(
        kind=RED_FLAG,
        sender_id=sender_id,
        channel=channel,
        question=text or None,
        contact=phone or None,
        contact_kind="phone" if phone else None,
        red_flags=groups_from_entities((parse or {}).get("entities")),
    )
