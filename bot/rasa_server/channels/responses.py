"""Domain responses that a channel sends by itself, outside a conversation turn.

The widget's greeting and notice and the SMS keyword answers are written in
`domain.yml` like every other answer (so they get channel variants and the same
checks), but no action sends them: the channel renders them here, with the clinic's
details filled in by the same generator the Rasa server uses.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.shared.core.domain import Domain
from sanic.request import Request

from bot.rasa_server.nlg import ClinicNLG


class DomainNotLoaded(RuntimeError):
    """The Rasa server has no model (and so no domain) loaded yet."""


def request_domain(request: Request) -> Domain:
    """The loaded model's domain, from the Rasa server's app context."""
    domain = getattr(getattr(request.app.ctx, "agent", None), "domain", None)
    if domain is None:
        raise DomainNotLoaded("no model loaded")
    return domain


def render(domain: Domain, name: str, channel: str, **values: Any) -> Dict[str, Any]:
    """The response `name` as `channel` gets it: {"text": ..., "buttons": [...]} (empty if
    unknown), with `values` filled in beside the clinic's ("{staff_name}")."""
    return ClinicNLG(domain=domain).generate_from_slots(name, {}, channel, **values) or {}


def render_text(request: Request, name: str, channel: str) -> str:
    """Just the text of `render` for the request's loaded domain."""
    return str(render(request_domain(request), name, channel).get("text") or "")
