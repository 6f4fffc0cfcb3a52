"""SMS through Twilio, with every webhook's signature checked: POST /webhooks/twilio/webhook.

Rasa's built-in Twilio channel trusts any POST, so anyone who finds the URL could
talk to the assistant as any phone number. This channel:

- refuses (403, nothing processed) a request whose `X-Twilio-Signature` does not match
  `TWILIO_AUTH_TOKEN` over the public URL Twilio posted to (`TWILIO_WEBHOOK_URL`,
  because a proxy changes the scheme and host this server sees), and refuses every
  request, with a log line saying why, when no auth token is configured; with
  RUN_PROFILE=prod it refuses to start with a token but no TWILIO_WEBHOOK_URL, rather
  than check signatures against whatever Host header a client sends;
- refuses (400, nothing processed) a signed request that is not an inbound SMS as
  Twilio sends one (`bot.sms.inbound`: the SID's exact shape, an E.164 sender, only
  Twilio's parameters, none twice), so a captured request replayed with its parameter
  boundaries shifted, which keeps the signature valid, is never a new message;
- answers in the HTTP response as TwiML, so no outbound API call or account SID is
  needed, and the text is XML-escaped;
- honours the carrier keywords (STOP, START, HELP: `bot.sms.keywords`), storing opt-outs
  by phone number and sending nothing more to an opted-out number; a red flag from an
  opted-out number (the model's NLU decides) still reaches the assistant, unanswered,
  so its `red_flag` handoff alerts staff; any other text from it is not processed;
- stores a red flag the assistant could not take (the line full, the number over its
  rate limit, the pipeline failing) as a `red_flag` handoff itself
  (`bot.handoffs.red_flags`), so a warning symptom reaches a person even then;
- answers a retried webhook (same `MessageSid`) with the first answer, never twice;
- turns buttons into a numbered list and maps a reply of "2" back to that button;
- passes a typed `/payload` only when it is one of the domain's own intents
  (`bot.rasa_server.channels.guard.patient_text`), so a text cannot trigger Rasa's built-in
  intents or set slots;
- lets each number send `PATIENT_RATE_LIMIT` messages per `PATIENT_RATE_WINDOW`
  seconds to the assistant (keywords are always honoured); past that it gets
  `utter_rate_limited` at most once a window and no answer otherwise (each text costs
  the clinic), and each such text is recorded as handled, so Twilio's retries of it are
  not processed either;
- opens each conversation with a one-line notice that texts are not secure;
- records a text saying the last answer did not help ("that didn't help":
  `bot.understanding.not_helpful`) as "not helpful" on that answer (`bot.rasa_server.feedback`;
  SMS never asks, a question would cost the patient a text) and answers it here with
  `utter_faq_not_covered`, which says how to reach a person and the emergency line: the
  assistant would read it as thanks ("You're welcome!") or as a request for its topics;
- while a person from the clinic has the conversation (`bot.rasa_server.takeover`),
  stores each text for them and answers nothing (but for a red flag's safety answer):
  the person replies through Twilio's Messages API, whose delivery reports come back,
  signed like every webhook, to POST /webhooks/twilio/status (`bot.sms.outbox`);
- answers a text that finds MESSAGE_QUEUE_LIMIT others waiting to enter the assistant
  (`bot.rasa_server.channels.admission`) with `utter_unavailable` (the clinic's number) at once,
  rather than a 503 that Twilio would not pass on to the patient; only the NLU reads
  such a text, to tell whether it is a red flag for staff.

The conversation itself is Rasa's, `sms:<number>` (`bot.conversation_ids`): only this
channel, after the signature check, names a conversation by a phone number, so no other
channel can reach it. Responses come in their `channel: twilio` variants, sized for SMS.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple, Union
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.conversation_ids import SMS, conversation_id
from bot.db.engine import get_engine, session_factory
from bot.handoffs.red_flags import unanswered_red_flag
from bot.handoffs.service import HandoffService, get_handoff_service
from bot.rasa_server import action_responses, takeover
from bot.rasa_server.channels.admission import Overloaded, admitted, channel_gate
from bot.rasa_server.channels.guard import patient_text, rate_limiter, request_intents
from bot.rasa_server.channels.responses import render_text
from bot.rasa_server.feedback import FeedbackRecorder
from bot.rasa_server.takeover import Takeovers, has_conversations
from bot.settings import PROD, ConfigurationError, Settings, get_settings
from bot.sms.inbound import NotInbound, read_inbound
from bot.sms.keywords import Keyword, classify
from bot.sms.outbound import SmsSender
from bot.sms.outbox import SmsOutbox
from bot.sms.render import SmsReply, build_reply, number_choice, twiml
from bot.sms.store import SmsStore, SmsStoreUnavailable
from bot.understanding.escalation import RED_FLAG_INTENTS  # from an opted-out number only these reach Rasa
from bot.understanding.not_helpful import says_not_helpful

logger = logging.getLogger(__name__)

CHANNEL = "twilio"
# The key namespace of a second limiter (1 per window, counted from the first refused
# text) that lets one over-the-limit text a window be answered.
NOTICE_CHANNEL = f"{CHANNEL}-rate-notice"
SIGNATURE_HEADER = "X-Twilio-Signature"
NOT_HELPFUL_RESPONSE = "utter_faq_not_covered"  # the answer to "that didn't help": how to reach a person
# Twilio's own limit for an inbound message body is 1,600 characters; a form post far
# larger than that is not from Twilio.
MAX_BODY_BYTES = 32 * 1024
MAX_TEXT_CHARS = 1600
# The privacy notice opens a conversation; after this much silence Rasa starts a new
# session, and we use the domain's own value when the agent is loaded.
DEFAULT_SESSION_MINUTES = 60


class TwilioCollector(CollectingOutputChannel):
    """Collects the bot's messages; named "twilio" so Rasa picks the SMS response variants."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL


class TwilioInput(InputChannel):
    """The signature-checked Twilio SMS channel (see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Settings come from the environment via `bot.settings`, not from credentials.yml
        (and the Rasa process checks action server answers with the cached validator)."""
        action_responses.install()
        return cls(get_settings())

    def __init__(
        self, settings: Settings, store: Optional[SmsStore] = None, handoffs: Optional[HandoffService] = None
    ) -> None:
        if settings.run_profile == PROD and settings.twilio_auth_token and not settings.twilio_webhook_url:
            raise ConfigurationError(
                "the prod profile cannot start the SMS channel without TWILIO_WEBHOOK_URL: set it to the exact "
                "webhook URL entered at Twilio (e.g. https://bot.your-clinic.example/webhooks/twilio/webhook); "
                "without it signatures would be checked against the Host header the client sends"
            )
        self.settings = settings
        self._store = store
        self._handoffs = handoffs
        self.limiter = rate_limiter(settings)
        self._notices = rate_limiter(settings, limit=1)
        self.takeovers = Takeovers()
        self._outbox: Optional[SmsOutbox] = None
        self.feedback = FeedbackRecorder(settings)
        if not settings.twilio_auth_token:
            logger.warning("SMS channel disabled: TWILIO_AUTH_TOKEN is not set, so every webhook is refused")

    @property
    def store(self) -> SmsStore:
        """Created on first use, so starting Rasa never waits on the database."""
        if self._store is None:
            self._store = SmsStore(session_factory(get_engine(self.settings.database_url)))
        return self._store

    @property
    def outbox(self) -> SmsOutbox:
        """The texts staff sent, whose delivery reports arrive here; created on first use."""
        if self._outbox is None:
            self._outbox = SmsOutbox(session_factory(get_engine(self.settings.database_url)))
        return self._outbox

    @property
    def handoffs(self) -> HandoffService:
        """Where a red flag the assistant could not take is stored; the process's service by default."""
        if self._handoffs is None:
            self._handoffs = get_handoff_service()
        return self._handoffs

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """`GET /` (health) and `POST /webhook` under Rasa's /webhooks/twilio/ prefix; texts
        enter Rasa's pipeline in turn with the website's (`bot.rasa_server.channels.admission`)."""
        blueprint = Blueprint("signed_twilio_webhook", __name__)
        on_new_message = admitted(on_new_message, channel_gate(self.settings))

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": bool(self.settings.twilio_auth_token)})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = self._signed_form(request)
            if isinstance(form, HTTPResponse):
                return form
            try:
                inbound = read_inbound(form)
            except NotInbound as problem:
                logger.warning("SMS webhook refused: signed, but not an inbound SMS as Twilio sends one (%s)", problem)
                return response.text("not an inbound SMS webhook", status=400)
            text = _clean_text(inbound.body)
            try:
                bodies = await self._answer(request, on_new_message, inbound.sid, inbound.phone, text)
            except SmsStoreUnavailable:
                logger.exception("SMS not handled: the SMS database is unavailable")
                bodies = [self._render(request, "utter_unavailable")]
            return _twiml_response(bodies)

        @blueprint.route("/status", methods=["POST"])
        async def delivery_report(request: Request) -> HTTPResponse:
            """Twilio's word on a text staff sent (queued, sent, delivered, undelivered, failed)."""
            form = self._signed_form(request, SmsSender(self.settings).status_callback_url)
            if isinstance(form, HTTPResponse):
                return form
            sid, status = form.get("MessageSid") or "", form.get("MessageStatus") or ""
            if not (sid and status):
                return response.text("MessageSid and MessageStatus are required", status=400)
            error = form.get("ErrorCode")
            try:
                known = await asyncio.to_thread(
                    self.outbox.status_callback, sid, status, f"Twilio error {error}" if error else None
                )
            except SmsStoreUnavailable:  # Twilio retries a callback that failed
                logger.exception("a delivery report could not be stored")
                return response.text("try again", status=503)
            if not known:
                logger.info("a delivery report for a text we did not send through the console: ignored")
            return response.empty()

        return blueprint

    def _signed_form(
        self, request: Request, public_url: Optional[str] = None
    ) -> Union[RequestParameters, HTTPResponse]:
        """The posted fields when Twilio signed them for `public_url` (default: the inbound
        webhook's), else the answer refusing the request (413, 400 or 403)."""
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.text("request too large", status=413)
        form = _form(request)
        if form is None:
            return response.text("the body must be a UTF-8 form post", status=400)
        return self._refusal(request, form, public_url) or form

    def _refusal(
        self, request: Request, form: RequestParameters, public_url: Optional[str] = None
    ) -> Optional[HTTPResponse]:
        """403 unless Twilio signed this request with our auth token for our public URL
        (`public_url`, or the inbound webhook's)."""
        token = self.settings.twilio_auth_token
        if not token:
            logger.warning("SMS webhook refused: TWILIO_AUTH_TOKEN is not set")
            return response.text("SMS channel not configured", status=403)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        url = public_url or self.settings.twilio_webhook_url or request.url
        if not signature or not RequestValidator(token).validate(url, form, signature):
            logger.warning("SMS webhook refused: missing or invalid %s (checked against %s)", SIGNATURE_HEADER, url)
            return response.text("invalid signature", status=403)
        return None

    async def _answer(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sid: str,
        phone: str,
        text: str,
    ) -> List[str]:
        """The SMS bodies that answer one inbound message (empty: send nothing)."""
        store = self.store
        claim = await asyncio.to_thread(store.claim, sid, phone)
        if not claim.new:
            logger.info("SMS %s is a retry: answered as before", sid)
            return claim.reply or []
        try:
            bodies, menu = await self._handle(request, on_new_message, phone, text)
        except SmsStoreUnavailable:
            raise
        except Overloaded:  # MESSAGE_QUEUE_LIMIT texts already wait: the outage answer, with the number to call
            await self._alert_if_red_flag(request, phone, text)
            bodies, menu = [self._render(request, "utter_unavailable")], None
        except Exception:  # the patient still gets an answer that tells them how to reach us
            logger.exception("SMS %s could not be answered", sid)
            await self._alert_if_red_flag(request, phone, text)
            bodies, menu = [self._render(request, "utter_unavailable")], None
        await asyncio.to_thread(store.finish, sid, phone, bodies, menu)
        return bodies

    async def _handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], phone: str, text: str
    ) -> Tuple[List[str], Optional[List[str]]]:
        """The bodies answering `text`, and the new menu (None: a keyword, the menu stays)."""
        store = self.store
        state = await asyncio.to_thread(store.state, phone)
        keyword = classify(text)
        if keyword is Keyword.OPT_OUT:
            changed = await asyncio.to_thread(store.set_opted_out, phone, True)
            return ([self._render(request, "utter_sms_opted_out")] if changed else []), None
        if keyword is Keyword.OPT_IN:
            await asyncio.to_thread(store.set_opted_out, phone, False)
            return [self._render(request, "utter_sms_opted_in")], None
        if state.opted_out:
            await self._opted_out(request, on_new_message, phone, text)
            return [], None
        if keyword is Keyword.HELP:
            return [self._render(request, "utter_sms_help")], None
        if await self.limiter.allow(CHANNEL, phone) is not None:
            return await self._rate_limited(request, phone), None
        agent = getattr(request.app.ctx, "agent", None)
        sender = conversation_id(SMS, phone)
        if has_conversations(agent) and await self.takeovers.active(agent, sender) is not None:
            # A person from the clinic has the conversation: stored for them as written (a "2"
            # answers them, not the assistant's last menu), and not answered by the assistant
            # (but for a red flag's safety answer; bot.rasa_server.takeover).
            text = patient_text(text, request_intents(request))
            answer = await takeover.log_patient_message(agent, self.takeovers, sender, text, CHANNEL)
            return [str(message["text"]) for message in answer], None
        if says_not_helpful(text) and await self._not_helpful(agent, sender, text):
            # Feedback, recorded against the last answer: answered here, as a keyword is,
            # with the way to reach a person (the assistant would read it as thanks or help).
            return [self._render(request, NOT_HELPFUL_RESPONSE)], None
        text = patient_text(number_choice(text, state.menu), request_intents(request))
        reply = await self._converse(on_new_message, phone, text)
        # Rasa answers nothing when its action server is down mid-form: never leave a patient in silence.
        bodies = reply.bodies or [self._render(request, "utter_unavailable")]
        if state.starts_conversation(store.now(), self._session_idle(request)):
            bodies = [self._render(request, "utter_sms_notice"), *bodies]
        return bodies, reply.menu

    async def _opted_out(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]], phone: str, text: str
    ) -> None:
        """A text from a number that opted out: never answered, but a red flag is not ignored.

        The patient asked for no more texts, and gets none; but a reported warning symptom
        must reach a person, so a red flag goes through the assistant (whose action stores
        the `red_flag` handoff and e-mails staff) and its answer is thrown away; when the
        assistant cannot take it, the handoff is stored here. The caller records the
        message as handled, with no reply, so Twilio's retries of it are not processed again.
        """
        text = patient_text(text, request_intents(request))
        red_flag, parse = await self._red_flag_parse(request, text)
        if not red_flag:
            logger.info("SMS from an opted-out number: not answered (START opts back in)")
            return
        if await self.limiter.allow(CHANNEL, phone) is not None:
            logger.info("red flag from an opted-out number over the rate limit: stored for staff, not passed on")
            await self._alert_staff(phone, text, parse)
            return
        logger.info("red flag from an opted-out number: passed to the assistant for staff, not answered")
        try:
            await self._converse(on_new_message, phone, text)
        except Exception:  # nothing may be sent back either way
            logger.exception("a red flag from an opted-out number could not be processed: stored for staff")
            await self._alert_staff(phone, text, parse)

    async def _alert_if_red_flag(self, request: Request, phone: str, text: str) -> None:
        """Store `text` for staff if the model reads it as a red flag: the assistant did not take it.

        Only a parse that worked counts here: this patient was just answered with the
        clinic's number and 911, and a failing model would otherwise turn every text of
        an outage into a red flag for staff.
        """
        text = patient_text(text, request_intents(request))
        red_flag, parse = await self._red_flag_parse(request, text)
        if red_flag and parse is not None:
            await self._alert_staff(phone, text, parse)

    async def _alert_staff(self, phone: str, text: str, parse: Optional[Dict[str, Any]]) -> None:
        """Commit a `red_flag` handoff for a text the assistant did not take (the service e-mails staff).

        A red flag throttled by the store (one alert per conversation, group and hour)
        is not stored twice, so a text the assistant had already taken before failing
        adds nothing.
        """
        try:
            handoff = unanswered_red_flag(conversation_id(SMS, phone), CHANNEL, text, phone, parse)
            result = await asyncio.to_thread(self.handoffs.submit, handoff)
        except Exception:  # logged loudly: the patient was at least given the clinic's number, if opted in
            logger.exception("a red flag texted while the assistant could not take it was NOT stored for staff")
            return
        logger.warning("a red flag texted while the assistant could not take it is handoff %d", result.handoff.id)

    @staticmethod
    async def _red_flag_parse(request: Request, text: str) -> Tuple[bool, Optional[Dict[str, Any]]]:
        """Whether the model reads `text` as a red flag (its NLU only: no conversation is
        touched), and its parse.

        When the parse itself fails the text is treated as a red flag (and the parse is
        None): a person then reads it, and nothing is sent to the patient either way.
        """
        parse = getattr(getattr(request.app.ctx, "agent", None), "parse_message", None)
        if parse is None or not text.strip():
            return False, None
        try:
            parsed = await parse(text)
        except Exception:
            logger.exception("could not tell whether a text the assistant did not answer is a red flag")
            return True, None
        return ((parsed or {}).get("intent") or {}).get("name") in RED_FLAG_INTENTS, parsed

    async def _not_helpful(self, agent: Any, sender: str, text: str) -> bool:
        """Record "not helpful" on the conversation's last answer; False when there is none
        or it could not be stored (the text then goes to the assistant as any other)."""
        if not has_conversations(agent):
            return False
        try:
            return await self.feedback.not_helpful(agent, sender, text) is not None
        except Exception:  # the patient must still be answered
            logger.exception("an SMS saying an answer did not help could not be recorded")
            return False

    async def _rate_limited(self, request: Request, phone: str) -> List[str]:
        """The polite answer for the first text over the limit in a window, nothing for the rest."""
        logger.info("SMS over the rate limit: not passed to the assistant")
        if await self._notices.allow(NOTICE_CHANNEL, phone) is not None:
            return []
        body = self._render(request, "utter_rate_limited")
        return [body] if body else []  # empty from a model trained without the response

    @staticmethod
    async def _converse(on_new_message: Callable[[UserMessage], Awaitable[Any]], phone: str, text: str) -> SmsReply:
        """Pass the message to Rasa and collect its answer as SMS bodies and a menu."""
        collector = TwilioCollector()
        await on_new_message(UserMessage(text, collector, conversation_id(SMS, phone), input_channel=CHANNEL))
        return build_reply(collector.messages)

    @staticmethod
    def _session_idle(request: Request) -> timedelta:
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        minutes = domain.session_config.session_expiration_time if domain else DEFAULT_SESSION_MINUTES
        return timedelta(minutes=minutes or DEFAULT_SESSION_MINUTES)

    @staticmethod
    def _render(request: Request, name: str) -> str:
        return render_text(request, name, CHANNEL)


def _form(request: Request) -> Optional[RequestParameters]:
    """The posted fields, blank ones included (Twilio signs them too: an MMS has an empty Body).

    Sanic's `request.form` drops blank values, which would break the signature of any
    message with an empty field. None when the body is not UTF-8.
    """
    try:
        return RequestParameters(parse_qs((request.body or b"").decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


def _clean_text(text: str) -> str:
    """The message as the patient meant it: capped, and with a carrier's '¡' for '@' undone.

    Some carriers deliver GSM-7's '@' (code 0) as '¡'; e-mail addresses in a booking
    would break without this (Rasa's own Twilio channel does the same).
    """
    return text.replace("\u00a1", "@")[:MAX_TEXT_CHARS]


def _twiml_response(bodies: Sequence[str]) -> HTTPResponse:
    return response.text(twiml(bodies), content_type="application/xml")
