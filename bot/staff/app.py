"""The staff API: list, read and update handoffs (JSON, bearer token).

Every route except /healthz needs the token. Errors are JSON with a short message and
no internals: a database outage is 503 {"error": "handoff store unavailable"}, any
other failure 500 {"error": "internal error"} (the traceback goes to the log only).
Database calls run in worker threads so one slow query never stalls other requests.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from http import HTTPStatus
from typing import Mapping, Optional, Tuple

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.db.engine import get_engine, session_factory
from bot.db.models import KINDS, STATUSES
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import check_choice
from bot.handoffs.store import MAX_LIST_LIMIT, HandoffStore
from bot.settings import Settings
from bot.staff.auth import is_authorized
from bot.staff.token import resolve_token

DEFAULT_LIST_LIMIT = 100
MAX_OFFSET = 2**31 - 1  # beyond every database's OFFSET range, and beyond any real list
MAX_BODY_BYTES = 64 * 1024  # a status change is a few bytes; refuse anything large
PUBLIC_PATHS = frozenset({"/healthz"})

logger = logging.getLogger(__name__)


class BadRequest(ValueError):
    """A request the client must fix; its message is safe to show."""


def create_app(settings: Settings, store: Optional[HandoffStore] = None) -> Sanic:
    """A new staff API app over `store` (default: the handoff database of `settings`).

    Each app gets a unique name because Sanic keeps a per-process registry of apps.
    Raises ConfigurationError when there is no token yet (`python -m bot.staff` and the
    launcher create the token file first).
    """
    app = Sanic(f"staff-{uuid.uuid4().hex}")
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.token = resolve_token(settings)
    app.ctx.store = store or HandoffStore(session_factory(get_engine(settings.database_url)))

    app.on_request(_authenticate)
    app.add_route(_healthz, "/healthz", methods=["GET"])
    app.add_route(_list_handoffs, "/api/handoffs", methods=["GET"])
    app.add_route(_get_handoff, "/api/handoffs/<handoff_id:int>", methods=["GET"])
    app.add_route(_patch_handoff, "/api/handoffs/<handoff_id:int>", methods=["PATCH"])
    app.error_handler.add(BadRequest, _bad_request)
    app.error_handler.add(HandoffStoreUnavailable, _unavailable)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _internal_error)
    return app


async def _authenticate(request: Request) -> Optional[HTTPResponse]:
    if request.path in PUBLIC_PATHS or is_authorized(request.headers.get("authorization"), request.app.ctx.token):
        return None
    return json_response({"error": "unauthorized"}, status=401, headers={"WWW-Authenticate": "Bearer"})


async def _healthz(request: Request) -> HTTPResponse:
    return json_response({"ok": True})


async def _list_handoffs(request: Request) -> HTTPResponse:
    status, kind = request.args.get("status") or None, request.args.get("kind") or None
    _check("status", status, STATUSES)
    _check("kind", kind, KINDS)
    limit = _integer(request.args, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
    offset = _integer(request.args, "offset", 0, 0, MAX_OFFSET)
    store: HandoffStore = request.app.ctx.store
    handoffs = await asyncio.to_thread(store.list, status=status, kind=kind, limit=limit, offset=offset)
    return json_response([handoff.to_dict() for handoff in handoffs])


async def _get_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    handoff = await asyncio.to_thread(request.app.ctx.store.get, handoff_id)
    if handoff is None:
        return _not_found()
    return json_response(handoff.to_dict())


async def _patch_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    status = _status_change(request.body)
    handoff = await asyncio.to_thread(request.app.ctx.store.set_status, handoff_id, status)
    if handoff is None:
        return _not_found()
    return json_response(handoff.to_dict())


def _check(name: str, value: Optional[str], allowed: Tuple[str, ...], required: bool = False) -> None:
    try:
        check_choice(name, value, allowed, required=required)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _integer(args: Mapping, name: str, default: int, lowest: int, highest: int) -> int:
    raw = args.get(name)
    if not raw:
        return default
    error = BadRequest(f"{name} must be a whole number from {lowest} to {highest}")
    try:
        value = int(raw, 10)
    except ValueError:
        raise error from None
    if not lowest <= value <= highest:
        raise error
    return value


def _status_change(body: bytes) -> str:
    example = 'send JSON like {"status": "contacted"}'
    try:
        payload = json.loads(body or b"")
    except ValueError:
        raise BadRequest(f"the body is not JSON; {example}") from None
    if not isinstance(payload, dict) or set(payload) != {"status"}:
        raise BadRequest(f"only the status can be changed; {example}")
    status = payload["status"]
    _check("status", status, STATUSES, required=True)
    return status


def _not_found() -> HTTPResponse:
    return json_response({"error": "not found"}, status=404)


def _bad_request(request: Request, exc: BadRequest) -> HTTPResponse:
    return json_response({"error": str(exc)}, status=400)


def _unavailable(request: Request, exc: HandoffStoreUnavailable) -> HTTPResponse:
    logger.error("handoff store unavailable: %s", exc)
    return json_response({"error": "handoff store unavailable"}, status=503)


def _http_error(request: Request, exc: SanicException) -> HTTPResponse:
    status = getattr(exc, "status_code", 500) or 500
    return json_response({"error": HTTPStatus(status).phrase.lower()}, status=status)


def _internal_error(request: Request, exc: Exception) -> HTTPResponse:
    logger.error("unexpected error in %s %s", request.method, request.path, exc_info=exc)
    return json_response({"error": "internal error"}, status=500)
