"""The staff process's way into a conversation: take over, reply, hand back.

Mounted by the Rasa server at /webhooks/staff/ (credentials.yml). Only the staff process
calls it, with `Authorization: Bearer <STAFF_BRIDGE_TOKEN>`; patients' browsers have no
business here, so it answers no CORS preflight and every other caller gets 401. Each
route changes the conversation under its lock (`bot.rasa_server.takeover`, which says
why the staff process does not write the tracker store itself):

    POST /webhooks/staff/takeover  {"sender_id": "...", "staff": {"name": "Ana", "actor": "ana@clinic"},
                                    "handoff_id": 12}  (optional: the e-mails to Ana link to it)
    POST /webhooks/staff/reply     {... , "text": "..."}
    POST /webhooks/staff/handback  {... }
    POST /webhooks/staff/model     {}  load the model file RASA_MODEL names again (after `make retrain`
                                       kept a new one): loaded in a worker thread while the old one
                                       answers, then swapped in; no conversation waits or is dropped

Each Rasa server also hands back, once a minute, the conversations with no staff reply
for the clinic profile's `takeover_timeout_hours` (`takeover.hand_back_idle`).

Answers: 200 {"events": [...]} with the events appended (Rasa's JSON form; a reply by SMS
adds "sms": {"status": ..., "error": ...}, Twilio's answer), 400 for a
malformed body, 404 for a conversation the tracker store does not hold, 409 when it is
not in the state the action needs (taken over twice, a reply or hand-back without a
take-over, an SMS patient who cannot be texted: the message says why), 503 before the
model is loaded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import Event
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server import takeover
from bot.rasa_server.takeover import NoSuchConversation, StaffMember, TakeoverConflict, Takeovers, Texting
from bot.settings import get_settings
from bot.shared_secrets import authorized, staff_bridge_token
from bot.sms.delivery import SmsDelivery
from bot.transcripts.takeovers import MAX_REPLY_CHARS

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 80
SWEEP_S = 60.0  # how often idle take-overs are looked for
Answer = Tuple[List[Event], Dict[str, Any]]  # a route's events, and more for its answer


class StaffBridgeInput(InputChannel):
    """Authenticated routes the staff process uses to act in a conversation."""

    @classmethod
    def name(cls) -> Text:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The token comes from the environment (STAFF_BRIDGE_TOKEN or its file), never from credentials.yml;
        so do the Twilio account and number staff replies are texted from."""
        settings = get_settings()
        return cls(staff_bridge_token(settings, create=True), Texting(SmsDelivery.from_settings(settings)))

    def __init__(self, token: str, texting: Texting) -> None:
        self.token = token
        self.texting = texting
        self.takeovers = Takeovers()
        self.reloading = asyncio.Lock()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bridge = Blueprint("staff_bridge", __name__)

        @bridge.listener("after_server_start")
        async def start_sweeping(app: Any, _: Any) -> None:
            app.ctx.takeover_sweeper = asyncio.create_task(self._sweep(app))

        @bridge.listener("before_server_stop")
        async def stop_sweeping(app: Any, _: Any) -> None:
            sweeper = getattr(app.ctx, "takeover_sweeper", None)
            if sweeper is not None:
                sweeper.cancel()

        @bridge.middleware("request")
        async def authenticate(request: Request) -> Optional[HTTPResponse]:
            if not authorized(request.headers.get("authorization"), self.token):
                return response.json({"error": "unauthorized"}, status=401)
            return None

        @bridge.route("/takeover", methods=["POST"])
        async def take_over(request: Request) -> HTTPResponse:
            return await self._act(request, lambda agent, sender, staff, body: takeover.take_over(
                agent, self.takeovers, sender, staff, self.texting, _handoff_id(body)
            ))  # fmt: skip

        @bridge.route("/reply", methods=["POST"])
        async def reply(request: Request) -> HTTPResponse:
            async def send(agent: Any, sender: str, staff: StaffMember, body: Dict[str, Any]) -> Answer:
                text = body.get("text")
                if not isinstance(text, str) or not text.strip() or len(text) > MAX_REPLY_CHARS:
                    raise ValueError(f'"text" must be a non-empty string of at most {MAX_REPLY_CHARS} characters')
                message, sent = await takeover.reply(agent, self.takeovers, sender, staff, text.strip(), self.texting)
                return [message], ({"sms": {"status": sent.status, "error": sent.error}} if sent else {})

            return await self._act(request, send)

        @bridge.route("/handback", methods=["POST"])
        async def hand_back(request: Request) -> HTTPResponse:
            return await self._act(request, lambda agent, sender, staff, body: takeover.hand_back(
                agent, self.takeovers, sender, staff, self.texting
            ))  # fmt: skip

        @bridge.route("/model", methods=["POST"])
        async def reload_model(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"error": "the assistant is starting; try again shortly"}, status=503)
            started = time.monotonic()
            async with self.reloading:  # one load at a time: two would double the memory
                try:  # the path is the server's own setting, never the caller's
                    await asyncio.to_thread(agent.load_model, str(get_settings().model_path))
                except Exception:
                    logger.exception("the new model could not be loaded; the old one still answers")
                    return response.json({"error": "the model could not be loaded"}, status=500)
            logger.info("loaded the model again after a retrain")
            return response.json({"loaded_in_s": round(time.monotonic() - started, 1)})

        return bridge

    async def _sweep(self, app: Any) -> None:
        """Hand back idle take-overs every SWEEP_S seconds, for as long as the server runs."""
        hours = get_settings().clinic.takeover_timeout_hours
        while True:
            await asyncio.sleep(SWEEP_S)
            agent = getattr(app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                continue
            try:
                handed = await takeover.hand_back_idle(agent, self.takeovers, self.texting, hours, time.time())
            except Exception:  # the next sweep tries again; a patient is never left with nobody for long
                logger.exception("the automatic hand-back of idle take-overs failed")
                continue
            if handed:
                logger.info("handed %d conversation(s) back to the assistant: no staff reply for %g h", handed, hours)

    async def _act(self, request: Request, action: Callable[..., Awaitable[Any]]) -> HTTPResponse:
        """Read the body, run `action(agent, sender_id, staff, body)`, answer with its events (and
        what else it adds: an `Answer`) or the error."""
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            return response.json({"error": "the assistant is starting; try again shortly"}, status=503)
        try:
            body = request.load_json()
            sender, staff = _parties(body)
            done = await action(agent, sender, staff, body)
        except (InvalidUsage, ValueError) as exc:
            return response.json({"error": str(exc) or "the body must be JSON"}, status=400)
        except NoSuchConversation:
            return response.json({"error": "no such conversation"}, status=404)
        except TakeoverConflict as exc:
            return response.json({"error": str(exc)}, status=409)
        logger.info("staff %s in a conversation: %s", request.path.rsplit("/", 1)[-1], staff.actor)
        events, extra = done if isinstance(done, tuple) else (done, {})
        return response.json({"events": [event.as_dict() for event in events], **extra})


def _parties(body: Any) -> "tuple[str, StaffMember]":
    """The conversation and the staff member a body names (ValueError saying what is wrong)."""
    if not isinstance(body, dict):
        raise ValueError('the body must be a JSON object with "sender_id" and "staff"')
    sender = body.get("sender_id")
    staff = body.get("staff")
    if not isinstance(sender, str) or not sender or len(sender) > 255:
        raise ValueError('"sender_id" must be a conversation id')
    if not isinstance(staff, dict):
        raise ValueError('"staff" must be {"name": ..., "actor": ...}')
    name, actor = staff.get("name"), staff.get("actor")
    for field, value in (("name", name), ("actor", actor)):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS or not value.isprintable():
            raise ValueError(f'"staff.{field}" must be printable text of at most {MAX_NAME_CHARS} characters')
    return sender, StaffMember(name=str(name).strip(), actor=str(actor).strip())


def _handoff_id(body: Dict[str, Any]) -> Optional[int]:
    """The optional handoff the take-over starts from (ValueError when it is not a handoff id)."""
    value = body.get("handoff_id")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('"handoff_id" must be a positive whole number')
    return value
