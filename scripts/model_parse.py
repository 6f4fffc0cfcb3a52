"""Every text through a trained model's whole NLU pipeline: shared by the scoring scripts."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence


async def _parse_all(texts: Sequence[str], model: Path, before: Optional[str] = None) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent  # heavy: only when a model is scored
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    if before is None:
        return [await agent.parse_message(text) for text in texts]
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    assert agent.processor is not None
    first = await agent.parse_message(before)  # the previous message, as the assistant read it
    previous = UserUttered(before, intent=first.get("intent"), parse_data=first)
    parsed = []
    for text in texts:
        tracker = DialogueStateTracker.from_events("context", [previous])
        parsed.append(await agent.processor.parse_message(UserMessage(text), tracker))
    return parsed


def parse_all(texts: Sequence[str], model: Path, before: Optional[str] = None) -> List[Dict[str, Any]]:
    """Rasa's parse of each text (intent, ranking, entities, the red-flag evidence), in order;
    with `before`, each as the message that follows the patient's message `before`."""
    return asyncio.run(_parse_all(texts, model, before))
