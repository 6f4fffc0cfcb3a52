"""Every text through a trained model's whole NLU pipeline: shared by the scoring scripts."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, List, Sequence


async def _parse_all(texts: Sequence[str], model: Path) -> List[Dict[str, Any]]:
    from rasa.core.agent import Agent  # heavy: only when a model is scored
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def parse_all(texts: Sequence[str], model: Path) -> List[Dict[str, Any]]:
    """Rasa's parse of each text (intent, ranking, entities, the red-flag evidence), in order."""
    return asyncio.run(_parse_all(texts, model))
