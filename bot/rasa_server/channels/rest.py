"""Rasa's REST channel, guarded for patients: POST /webhooks/rest/webhook.

The website widget and the evaluation post `{"sender": "...", "message": "..."}` here.
Rasa's own `RestInput` trusts the body; this subclass keeps its route, its answers and
its `?stream=true` mode, and adds what a public endpoint needs (`bot.rasa_server.channels.guard`):

- a body Rasa's handler would fail on is a 400 with `{"error": ...}`, never a 500: not
  JSON, not an object, `message` not a string, `sender` missing, not a string, empty,
  longer than 255 characters (the tracker store's column) or with unprintable characters;
  a body over 64 KiB is a 413 (the Rasa server started by the launcher refuses it before
  reading it: `bot.rasa_server.channels.MAX_BODY_BYTES`);
- each client address gets `PATIENT_ADDRESS_LIMIT` POSTs per `PATIENT_RATE_WINDOW`
  seconds to this blueprint (messages, and the widget's own routes), whatever senders it
  names; past that the answer is a 429 with `Retry-After` (`guard.AddressLimit`);
- each sender gets `PATIENT_RATE_LIMIT` messages per `PATIENT_RATE_WINDOW` seconds;
  past that the message never reaches Rasa and the answer is a 200 with the domain's
  `utter_rate_limited` and a `Retry-After` header;
- the text is capped at 2,000 characters (the widget allows 1,000), and a `/payload`
  passes only when it is one of the domain's own intents, with nothing after it;
- the conversation is the REST channel's own, `rest:<sender>` (`bot.conversation_ids`):
  a client picks its sender, so it must never reach a widget or SMS conversation (an
  SMS patient's phone number as `sender` opens a fresh `rest:+1...` conversation);
- the input channel is always "rest": Rasa would take `input_channel` from the body;
- client `metadata` is dropped: neither the widget nor the evaluation sends any, and a
  client must not write arbitrary JSON into every tracker event.

An empty or blank `message` goes through as Rasa handles it: NLU reads it as
`nlu_fallback` and the bot answers with its fallback. When Rasa itself answers nothing
(its action server is down in the middle of a form), the patient gets the domain's
`utter_unavailable` (sorry, try again, the clinic's contact, the emergency number)
instead of silence.

The checks run as the blueprint's request middleware, before Rasa's handler, because a
400 or a rate-limited answer has to end the request there; Rasa's handler is not copied.
They screen the message webhook only: a subclass (the widget's channel) may add routes
of its own to the blueprint. A subclass names its conversations in `conversation`, and
a sender it cannot name (a forged widget token) is refused with a 403.
Messages that pass enter Rasa's pipeline MESSAGE_CONCURRENCY at a time, in arrival order
(`bot.rasa_server.channels.admission`), so that no patient waits far longer than another under load.
When MESSAGE_QUEUE_LIMIT messages already wait, a message is refused with a 503 and
`Retry-After` before it reaches Rasa's handler. One that slips past that check (others
arrived in between) is refused by the gate itself and answered like a silent Rasa, with
`utter_unavailable`: the refusal must never reach Rasa's handler, which would log the
patient's text with the exception and, in `?stream=true` mode, never end the stream.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, cast

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation_ids import REST, conversation_id
from bot.rasa_server import action_responses, takeover
from bot.rasa_server.channels import MAX_BODY_BYTES
from bot.rasa_server.channels.admission import RETRY_AFTER_S, Gate, Handler, Overloaded, admitted, channel_gate
from bot.rasa_server.channels.guard import (
    AddressLimit,
    RateLimiter,
    address_limit,
    patient_text,
    rate_limiter,
    request_intents,
)
from bot.rasa_server.channels.responses import DomainNotLoaded, render_text
from bot.rasa_server.takeover import Takeovers, has_conversations
from bot.settings import get_settings

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
# Rasa's SQL tracker store keeps sender ids in a VARCHAR(255), "rest:" included.
MAX_SENDER_CHARS = 255 - len(conversation_id(REST, ""))
WEBHOOK_PATH = "/webhook"  # the message route of Rasa's REST blueprint
# Lone UTF-16 surrogates can come out of a JSON "\ud800" escape; no database stores them.
_SURROGATE = re.compile("[\ud800-\udfff]")


class GuardedRestInput(RestInput):
    """Rasa's REST channel ("rest") with the checks of the module docstring."""

    #: why a sender that `conversation` cannot name is refused (the REST channel names every one)
    unknown_conversation = "unknown conversation"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Limits come from the environment via `bot.settings`, not from credentials.yml.

        Rasa builds its channels once, in its own process, as it starts: the moment to
        make that process check action server answers with the cached validator.
        """
        action_responses.install()
        return cls(rate_limiter(get_settings()))

    def __init__(self, limiter: RateLimiter, addresses: Optional[AddressLimit] = None) -> None:
        self.limiter = limiter
        self.addresses = addresses or address_limit(get_settings())
        self.gate: Gate = channel_gate(get_settings())
        self.takeovers = Takeovers()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's REST blueprint, with the address limit in front of its POSTs, `_screen` in
        front of its webhook, and its messages admitted in turn."""
        blueprint = super().blueprint(_refused_quietly(admitted(on_new_message, self.gate)))
        # The decorator form: Sanic 21.12's blueprints silently drop a bound method passed directly.
        blueprint.middleware("request")(self._limit_address)
        blueprint.middleware("request")(self._screen)
        blueprint.middleware("response")(self._never_silent)
        return blueprint

    async def _limit_address(self, request: Request) -> Optional[HTTPResponse]:
        """A 429 with Retry-After for a POST past its client address's limit, else None (go on)."""
        if request.method != "POST":  # the widget's files and texts, the health check
            return None
        wait = await self.addresses.wait(request)
        if wait is None:
            return None
        refusal = _error("too many requests from this address; please try again later", 429)
        refusal.headers["Retry-After"] = str(wait)
        return refusal

    async def _screen(self, request: Request) -> Optional[HTTPResponse]:
        """A 400/413 for a bad body, 403 for a sender that names no conversation of ours,
        the polite answer past the rate limit, 503 when the line into Rasa is full, else
        None (go on)."""
        if not _is_message(request):  # the health check, a subclass's own routes
            return None
        refusal = _body_refusal(request)
        if refusal is not None:
            return refusal
        sender = self.conversation(request.json["sender"])
        if sender is None:
            return _error(self.unknown_conversation, 403)
        wait = await self.limiter.allow(self.name(), sender)
        if wait is not None:
            return response.json(
                await self._answer(request, sender, "utter_rate_limited"), headers={"Retry-After": str(wait)}
            )
        agent = getattr(request.app.ctx, "agent", None)
        if has_conversations(agent) and await self.takeovers.active(agent, sender) is not None:
            # A person from the clinic has the conversation: stored, and not answered
            # by the assistant (but for a red flag's safety answer; bot.rasa_server.takeover).
            text = self._extract_message(request) or ""
            try:
                answer = await takeover.log_patient_message(agent, self.takeovers, sender, text, self.name())
            except Exception:  # never a 500: the apology with the clinic's number, as when Rasa fails
                logger.exception("a message in a taken-over conversation could not be stored")
                answer = await self._answer(request, sender, "utter_unavailable")
            return response.json(answer)
        if self.gate.full():
            refusal = _error("the assistant is busy; please try again in a few seconds", 503)
            refusal.headers["Retry-After"] = str(RETRY_AFTER_S)
            return refusal
        request.ctx.reaches_rasa = True
        return None

    async def _never_silent(self, request: Request, answer: HTTPResponse) -> Optional[HTTPResponse]:
        """Rasa's empty answer to a message it was given, replaced by an apology with our contact."""
        silent = answer.status == 200 and answer.body == b"[]"
        if not (silent and getattr(request.ctx, "reaches_rasa", False)):
            return None
        sender = cast(str, await self._extract_sender(request))  # Rasa took the message: it had a sender
        return response.json(await self._answer(request, sender, "utter_unavailable"))

    def conversation(self, sender: str) -> Optional[str]:
        """The sender id Rasa stores for the body's `sender`: `rest:<sender>`."""
        return conversation_id(REST, sender)

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return self.conversation(req.json["sender"])

    async def _answer(self, request: Request, sender: str, name: str) -> List[Dict[str, Any]]:
        """The domain response `name`, shaped as Rasa's REST answers are (empty without a model)."""
        try:
            text = render_text(request, name, self.name())
        except DomainNotLoaded:
            text = ""
        if not text:  # no model yet, or one trained without the response
            return []
        collector = CollectingOutputChannel()
        await collector.send_text_message(sender, text)
        return collector.messages

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = _SURROGATE.sub("\ufffd", super()._extract_message(req)[:MAX_TEXT_CHARS])
        return patient_text(text, request_intents(req))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return None


def _refused_quietly(handle: Handler) -> Handler:
    """`handle`, with a refusal by the gate ending the message unhandled (the answer is then
    `utter_unavailable`) instead of raising into Rasa's handler."""

    async def quietly(message: UserMessage) -> Any:
        try:
            return await handle(message)
        except Overloaded:
            return None

    return quietly


def _is_message(request: Request) -> bool:
    """Whether `request` is a POST to the message webhook (Rasa's `receive`)."""
    route = getattr(request, "route", None)
    return request.method == "POST" and route is not None and f"/{route.path}".endswith(WEBHOOK_PATH)


def _body_refusal(request: Request) -> Optional[HTTPResponse]:
    """Why Rasa's handler must not see this body, as a JSON error response; None if it may."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        return _error(f"the body is larger than {MAX_BODY_BYTES} bytes", 413)
    try:
        body = request.load_json()
    except InvalidUsage:
        body = None
    if not isinstance(body, dict):
        return _error('the body must be a JSON object: {"sender": "...", "message": "..."}')
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return _error(f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters')
    if not sender.isprintable():
        return _error('"sender" must not contain control or other unprintable characters')
    if not isinstance(body.get("message"), str):
        return _error('"message" must be a string')
    return None


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)
