"""The staff web process: the console's pages, the JSON API and a health check (Sanic).

- `/api/...` (bot.staff.api): JSON for integrations, named bearer tokens (bot.staff.api_tokens).
- `/login`, `/handoffs`, `/unanswered`, ... (bot.staff.console): HTML for clinic staff,
  per-staff accounts and sessions.
- `/insights`, `/insights.csv` (bot.staff.insights): how the assistant is doing, for staff; the
  weekly digest e-mail to staff when SMTP is set (bot.staff.digest).
- `/static/` (the stylesheet and icon), `/healthz`.

Errors are JSON under /api and pages elsewhere, with a short message and no internals:
a database outage is 503, any other failure 500 (the traceback goes to the log only).
Every response carries the security headers of `bot.staff.pages`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from http import HTTPStatus
from typing import Callable, Optional

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.db.engine import get_engine, session_factory
from bot.db.models import utcnow
from bot.db.session import DatabaseUnavailable
from bot.handoffs.store import HandoffStore
from bot.insights.report import InsightsReader
from bot.screening.loader import load_screening
from bot.settings import Settings
from bot.shared_secrets import staff_bridge_token
from bot.sms.records import SmsRecords
from bot.staff import api, console, digest, insights, review
from bot.staff.accounts import Accounts
from bot.staff.api_tokens import ApiTokens
from bot.staff.audit import AuditLog
from bot.staff.casework import Casework
from bot.staff.conversation_bridge import ConversationBridge
from bot.staff.login_limit import LoginLimiter
from bot.staff.pages import STATIC, add_security_headers, error_page
from bot.staff.params import BadRequest
from bot.staff.sessions import Sessions
from bot.staff.takeover import StaffTakeover
from bot.transcripts.transcript import TranscriptReader
from bot.transcripts.waiting import WaitingReader

MAX_BODY_BYTES = 64 * 1024  # a note is at most 2000 characters; refuse anything large
API_MESSAGES = {503: "handoff store unavailable", 500: "internal error"}

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    store: Optional[HandoffStore] = None,
    *,
    accounts: Optional[Accounts] = None,
    sessions: Optional[Sessions] = None,
    limiter: Optional[LoginLimiter] = None,
    audit: Optional[AuditLog] = None,
    api_tokens: Optional[ApiTokens] = None,
    transcripts: Optional[TranscriptReader] = None,
    waiting: Optional[WaitingReader] = None,
    bridge: Optional[ConversationBridge] = None,
    insights_reader: Optional[InsightsReader] = None,
    clock: Callable[[], datetime] = utcnow,
) -> Sanic:
    """A new staff app; each dependency defaults to the databases of `settings`.

    Tests inject their own (a store that is down, a clock they move). Each app gets a
    unique name because Sanic keeps a per-process registry of apps. API tokens live in
    the database (`python -m bot.staff add-token`; the launcher makes `local`). Raises
    ConfigurationError when the screening file is broken.
    """
    app = Sanic(f"staff-{uuid.uuid4().hex}")
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    if settings.staff_proxies:  # so the login rate limit counts clients, not the proxy
        app.config.PROXIES_COUNT = settings.staff_proxies
    database = session_factory(get_engine(settings.database_url))
    ctx = app.ctx
    ctx.settings = settings
    ctx.secure_cookies = settings.staff_public_url.startswith("https://")
    ctx.clock = clock
    ctx.screening = load_screening(settings.screening_file)
    ctx.accounts = accounts or Accounts(database)
    ctx.sessions = sessions or Sessions(database, clock=clock)
    ctx.limiter = limiter or LoginLimiter(database, clock=clock)
    ctx.audit = audit or AuditLog(database, clock=clock)
    ctx.api_tokens = api_tokens or ApiTokens(database, clock=clock)
    ctx.casework = Casework(
        store or HandoffStore(database),
        transcripts or TranscriptReader(get_engine(settings.tracker_store_url)),
        ctx.audit,
        waiting or WaitingReader(session_factory(get_engine(settings.tracker_store_url))),
        SmsRecords(database),
    )
    ctx.insights = insights_reader or InsightsReader.from_settings(settings)
    ctx.takeover = StaffTakeover(
        ctx.casework.store,
        ctx.audit,
        bridge or ConversationBridge(settings.rasa_url, lambda: staff_bridge_token(settings)),
        settings.clinic.staff_title,
    )

    app.blueprint(api.blueprint())
    app.blueprint(console.blueprint())
    app.blueprint(insights.blueprint())
    digest.install(app, settings, database)
    review.install(app, settings, database)
    app.static("/static", str(STATIC))
    app.add_route(_healthz, "/healthz", methods=["GET"])
    app.on_response(add_security_headers)
    app.error_handler.add(BadRequest, _bad_request)
    app.error_handler.add(DatabaseUnavailable, _unavailable)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _internal_error)
    return app


async def _healthz(request: Request) -> HTTPResponse:
    return json_response({"ok": True})


def _answer(request: Request, status: int, detail: Optional[str] = None) -> HTTPResponse:
    """An error as JSON for the API and the health check, as a page for the console."""
    if request.path.startswith(api.PREFIX) or request.path == "/healthz":
        message = detail or API_MESSAGES.get(status) or HTTPStatus(status).phrase.lower()
        return api.error(status, message)
    return error_page(request, status, detail)


def _bad_request(request: Request, exc: BadRequest) -> HTTPResponse:
    return _answer(request, 400, str(exc))


def _unavailable(request: Request, exc: DatabaseUnavailable) -> HTTPResponse:
    logger.error("database unavailable: %s", exc)
    return _answer(request, 503)


def _http_error(request: Request, exc: SanicException) -> HTTPResponse:
    return _answer(request, getattr(exc, "status_code", 500) or 500)


def _internal_error(request: Request, exc: Exception) -> HTTPResponse:
    logger.error("unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return _answer(request, 500)
