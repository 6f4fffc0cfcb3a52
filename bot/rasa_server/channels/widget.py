"""The website chat widget, served by the Rasa server itself (`/webhooks/widget/...`).

A clinic adds one `<script src=".../webhooks/widget/widget.js" defer>` tag to its site.
Serving the script, its styles and its texts from the Rasa server keeps the widget on
the same origin as the conversation it talks to, and leaves nothing else to host: no
CDN, no npm build, no third party that could read patients' messages.

It is also the widget's conversation channel. Each conversation is named by the
server, never by the browser (`bot.rasa_server.channels.widget_tokens`):

- `POST conversations`: a new conversation's signed token, `{"token": ...}`;
- `POST webhook` with `{"sender": <token>, "message": ...}`: a patient message, handled
  exactly as the REST channel handles one (`bot.rasa_server.channels.rest.GuardedRestInput`: body
  checks, rate limit, payload policy, never silent), in the conversation
  `widget:<id>` on the input channel "widget"; a token the server did not sign (made
  up, altered, or an old widget's own id) is refused with a 403, and the widget asks
  for a new one;
- `POST history` with `{"sender": <token>}`: `{"messages": [...]}`, the conversation's
  current session (`bot.rasa_server.channels.widget_history`), so the browser need not keep it;
  403 for a token the server did not sign;
- `POST feedback` with `{"sender": <token>, "answer": "utter_faq_pain", "helpful": true,
  "comment": "..."}`: the patient's rating of an answer, stored (committed) before the
  200; 403 for a token the server did not sign, 404 for an answer not said in that
  token's conversation (a patient rates only their own), 400 for a bad body (a comment
  over 500 characters), 429 past its own per-conversation budget. Which answers can be
  rated: the webhook's reply marks its last message with `"rate": <answer>` when it
  held one of the article's answers (`bot.rasa_server.feedback`).

It serves as well

- `widget.js` and `widget.css` (from `bot/rasa_server/widget/static/`); the script carries the
  clinic's name, phone, emergency number and demo flag (`served_defaults`), so its
  offline and error texts name the number to call even when `config.json` fails,
- `config.json`: the clinic's name, phone, emergency number and demo flag, the
  greeting with its suggestion buttons and the one-line notice, rendered from the
  domain's responses with the clinic's values, so the widget greets with exactly the
  words the bot would use,
- `demo` (and its `demo.css`): a sample clinic page with the one tag, under a strict
  Content-Security-Policy that proves the widget needs no inline script or style and
  no other origin.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Coroutine, Dict, Mapping, Optional, Text, cast

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.domain import Domain
from sanic import Blueprint, Request
from sanic.exceptions import InvalidUsage
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.clinic_profile import ClinicProfile
from bot.db.session import DatabaseUnavailable
from bot.insights.feedback import MAX_COMMENT_CHARS
from bot.rasa_server import action_responses
from bot.rasa_server.channels.guard import RateLimiter, rate_limiter
from bot.rasa_server.channels.responses import DomainNotLoaded, render, request_domain
from bot.rasa_server.channels.rest import GuardedRestInput
from bot.rasa_server.channels.widget_history import history
from bot.rasa_server.channels.widget_tokens import WidgetTokens, widget_secret
from bot.rasa_server.feedback import FeedbackRecorder, answer_to_rate
from bot.settings import get_settings

WIDGET_DIR = Path(__file__).resolve().parent.parent / "widget"
STATIC_DIR = WIDGET_DIR / "static"
DEMO_PAGE = WIDGET_DIR / "demo.html"
DEMO_STYLES = WIDGET_DIR / "demo.css"

# Response names stay literal strings: scripts/validate_data.py counts them as used.
GREETING_RESPONSE = "utter_greet"
NOTICE_RESPONSE = "utter_web_notice"
OUTPUT_CHANNEL = "rest"  # the website's response variants (the domain's default ones)

JS, CSS, HTML = ("text/javascript; charset=utf-8", "text/css; charset=utf-8", "text/html; charset=utf-8")
# Short, so a fixed widget reaches every site within minutes of a restart.
CACHE_CONTROL = "public, max-age=300"
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": CACHE_CONTROL}
# Never cached: a failure, a token, a transcript.
PRIVATE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
# The line in widget.js that `served_script` fills with the clinic profile's values.
SERVED_MARKER = "var SERVED = {};"
# The widget must work under this policy: same origin only, no inline script or style.
DEMO_CSP = (
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def widget_config(domain: Domain) -> Dict[str, Any]:
    """What the widget shows before the patient's first message, in the bot's own words.

    Raises DomainNotLoaded when the domain lacks the greeting or the notice, so the
    widget falls back to its static greeting instead of showing an empty one.
    """
    greeting = render(domain, GREETING_RESPONSE, OUTPUT_CHANNEL)
    notice = render(domain, NOTICE_RESPONSE, OUTPUT_CHANNEL)
    if not greeting.get("text") or not notice.get("text"):
        raise DomainNotLoaded(f"the domain lacks {GREETING_RESPONSE} or {NOTICE_RESPONSE}")
    clinic = get_settings().clinic
    return {
        "clinic": {
            "name": clinic.name,
            "phone": clinic.phone,
            "emergency_number": clinic.emergency_number,
            "demo": clinic.demo,
        },
        "greeting": {
            "text": greeting["text"],
            "buttons": [{"title": b["title"], "payload": b["payload"]} for b in greeting.get("buttons") or []],
        },
        "notice": notice["text"],
    }


def served_defaults(clinic: ClinicProfile) -> Dict[str, Any]:
    """What widget.js knows of the clinic before (or without) config.json."""
    return {
        "clinicName": clinic.name,
        "clinicPhone": clinic.phone,
        "emergencyNumber": clinic.emergency_number,
        "demo": clinic.demo,
    }


def served_script(script: bytes, clinic: ClinicProfile) -> bytes:
    """widget.js with the clinic's defaults written in (JSON, with `<` escaped)."""
    text = script.decode("utf-8")
    if text.count(SERVED_MARKER) != 1:
        raise RuntimeError(f"widget.js must contain `{SERVED_MARKER}` exactly once")
    values = json.dumps(served_defaults(clinic), ensure_ascii=True).replace("<", "\\u003c")
    return text.replace(SERVED_MARKER, f"var SERVED = {values};").encode("utf-8")


def demo_page() -> bytes:
    """The demo page, named for the clinic of `clinic/profile.yml` (HTML-escaped)."""
    page = DEMO_PAGE.read_text(encoding="utf-8")
    return page.replace("{clinic_name}", html.escape(get_settings().clinic.name)).encode("utf-8")


def _file_handler(
    body: bytes, content_type: str, headers: Mapping[str, str] = COMMON_HEADERS
) -> Callable[[Request], Coroutine[Any, Any, HTTPResponse]]:
    """A route serving `body`, read at startup: a missing file stops the server, not a patient."""

    async def serve(request: Request) -> HTTPResponse:
        return HTTPResponse(body=body, content_type=content_type, headers=dict(headers))

    return serve


HISTORY_LIMIT_KEY = "widget-history"  # the rate limiter's namespace for history reads
FEEDBACK_LIMIT_KEY = "widget-feedback"  # and for ratings: their own budget, apart from messages
RATE_KEY = "rate"  # the reply message under which the widget asks "Was this helpful?"


class WidgetInput(GuardedRestInput):
    """Serves the widget's files and texts, and its conversations under server-issued, signed ids."""

    unknown_conversation = "unknown conversation: ask for a new one at conversations"

    @classmethod
    def name(cls) -> Text:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Settings come from the environment via `bot.settings`; the secret is made on first start."""
        action_responses.install()
        settings = get_settings()
        return cls(rate_limiter(settings), WidgetTokens(widget_secret(settings)))

    def __init__(self, limiter: RateLimiter, tokens: WidgetTokens, feedback: Optional[FeedbackRecorder] = None) -> None:
        super().__init__(limiter)
        self.tokens = tokens
        self.feedback = feedback or FeedbackRecorder(get_settings())

    def conversation(self, sender: str) -> Optional[str]:
        """`widget:<id>` of a token this server signed; None (refused) for any other sender."""
        return self.tokens.conversation(sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes under /webhooks/widget/: the guarded message webhook, then the widget's own."""
        widget = super().blueprint(on_new_message)
        widget.middleware("response")(self._offer_rating)
        files = {
            "widget.js": _file_handler(
                served_script((STATIC_DIR / "widget.js").read_bytes(), get_settings().clinic), JS
            ),
            "widget.css": _file_handler((STATIC_DIR / "widget.css").read_bytes(), CSS),
            "demo": _file_handler(demo_page(), HTML, {**COMMON_HEADERS, "Content-Security-Policy": DEMO_CSP}),
            "demo.css": _file_handler(DEMO_STYLES.read_bytes(), CSS),
        }
        for route, handler in files.items():
            widget.add_route(handler, f"/{route}", methods=["GET"], name=route.replace(".", "_"))

        @widget.route("/config.json", methods=["GET"])
        async def config(request: Request) -> HTTPResponse:
            try:
                body = widget_config(request_domain(request))
            except DomainNotLoaded:
                return json_response({"error": "assistant not ready"}, status=503, headers=PRIVATE_HEADERS)
            return json_response(body, headers=COMMON_HEADERS)

        @widget.route("/conversations", methods=["POST"])
        async def conversations(request: Request) -> HTTPResponse:
            return json_response({"token": self.tokens.issue()}, headers=PRIVATE_HEADERS)

        @widget.route("/history", methods=["POST"])
        async def transcript(request: Request) -> HTTPResponse:
            return await self._history(request)

        @widget.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            return await self._feedback(request)

        return widget

    async def _offer_rating(self, request: Request, answer: HTTPResponse) -> None:
        """Mark the reply's last message with the answer it held (`"rate": name`), if any.

        Only a message that reached Rasa and got its ordinary JSON reply (not a stream);
        the answer's name comes from the conversation's tracker, which Rasa has just saved.
        """
        store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        body = getattr(answer, "body", None)
        if not getattr(request.ctx, "reaches_rasa", False) or answer.status != 200 or not body or store is None:
            return
        try:
            messages = json.loads(body)
        except ValueError:
            return
        if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
            return
        sender = self.conversation(request.json["sender"])
        name = answer_to_rate(await store.retrieve(sender)) if sender else None
        if name is not None:
            messages[-1][RATE_KEY] = name
            answer.body = json.dumps(messages).encode("utf-8")

    async def _feedback(self, request: Request) -> HTTPResponse:
        """Store a rating of an answer of the token's own conversation (module docstring)."""
        body = _json_object(request)
        sender = self.conversation(cast(str, body.get("sender"))) if isinstance(body.get("sender"), str) else None
        if sender is None:
            return json_response({"error": self.unknown_conversation}, status=403, headers=PRIVATE_HEADERS)
        response, helpful, comment = body.get("answer"), body.get("helpful"), body.get("comment")
        if not isinstance(response, str) or not isinstance(helpful, bool) or not _optional_comment(comment):
            problem = (
                f'"answer" must be a string, "helpful" true or false, "comment" at most {MAX_COMMENT_CHARS} characters'
            )
            return json_response({"error": problem}, status=400, headers=PRIVATE_HEADERS)
        wait = await self.limiter.allow(FEEDBACK_LIMIT_KEY, sender)
        if wait is not None:
            return json_response({"error": "too many requests"}, status=429, headers={"Retry-After": str(wait)})
        store = getattr(getattr(request.app.ctx, "agent", None), "tracker_store", None)
        if store is None:
            return json_response({"error": "assistant not ready"}, status=503, headers=PRIVATE_HEADERS)
        text = comment.encode("utf-8", "replace").decode("utf-8") if comment else None  # no lone surrogates
        try:
            rated = await self.feedback.rate(await store.retrieve(sender), response, helpful, text)
        except DatabaseUnavailable:
            return json_response({"error": "feedback could not be stored"}, status=503, headers=PRIVATE_HEADERS)
        if not rated:
            return json_response({"error": "no such answer in this conversation"}, status=404, headers=PRIVATE_HEADERS)
        return json_response({"ok": True}, headers=PRIVATE_HEADERS)

    async def _history(self, request: Request) -> HTTPResponse:
        """The current session of the token's conversation; 403 for a token we did not sign."""
        body = _json_object(request)
        sender = self.conversation(cast(str, body.get("sender"))) if "sender" in body else None
        if sender is None:
            return json_response({"error": self.unknown_conversation}, status=403, headers=PRIVATE_HEADERS)
        # Its own budget: a widget polling for a person's replies must not use up the patient's messages.
        wait = await self.limiter.allow(HISTORY_LIMIT_KEY, sender)
        if wait is not None:
            return json_response({"error": "too many requests"}, status=429, headers={"Retry-After": str(wait)})
        agent = getattr(request.app.ctx, "agent", None)
        store = getattr(agent, "tracker_store", None)
        domain = getattr(agent, "domain", None)
        if store is None or domain is None:
            return json_response({"error": "assistant not ready"}, status=503, headers=PRIVATE_HEADERS)
        tracker = await store.retrieve(sender)
        taken = await self.takeovers.active(agent, sender)
        # A taken-over conversation does not expire: a person may reply hours later.
        expiration = 0 if taken else domain.session_config.session_expiration_time
        messages = history(tracker, expiration, time.time())
        return json_response({"messages": messages, "taken_over": taken is not None}, headers=PRIVATE_HEADERS)


def _json_object(request: Request) -> Dict[str, Any]:
    """The request's JSON object; {} for a body that is not one."""
    try:
        body = request.load_json()
    except InvalidUsage:
        return {}
    return body if isinstance(body, dict) else {}


def _optional_comment(comment: Any) -> bool:
    return comment is None or (isinstance(comment, str) and len(comment) <= MAX_COMMENT_CHARS)
