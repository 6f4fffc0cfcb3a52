"""The staff JSON API for integrations: list, read and update handoffs (named bearer tokens).

Every request needs `Authorization: Bearer <token>` with a live token (`bot.staff.api_tokens`);
the audit log names the token (actor `api:<name>`). `GET /api/handoffs` lists open (`new`)
red flags first, then everything newest first, and is audited with its filter and row
count. `GET /api/handoffs/<id>` returns the handoff with its conversation and notes, and
is audited as a transcript view; `PATCH` changes the status and/or adds a note, each
change audited. Errors are JSON with a short message and no internals (the app's error
handlers, see `bot.staff.app`). Database calls run in worker threads so one slow query
never stalls other requests.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.db.models import KINDS, STATUSES
from bot.handoffs.store import MAX_LIST_LIMIT, clean_note
from bot.staff.api_tokens import api_actor
from bot.staff.auth import bearer_token
from bot.staff.casework import Casework
from bot.staff.params import BadRequest, choice, integer
from bot.transcripts.transcript import Turn

PREFIX = "/api"
# Open red flags are listed before everything else, so a caller that reads only the
# first page (most integrations) still needs room for the newest ordinary handoffs.
DEFAULT_LIST_LIMIT = MAX_LIST_LIMIT
MAX_OFFSET = 2**31 - 1  # beyond every database's OFFSET range, and beyond any real list
CHANGES = frozenset({"status", "note"})
_EXAMPLE = 'send JSON like {"status": "contacted"}, {"note": "Left a voicemail"} or both'


def blueprint() -> Blueprint:
    """A new API blueprint (one per app: Sanic binds a blueprint to the apps it is registered on)."""
    api = Blueprint("staff_api", url_prefix=PREFIX)
    api.middleware(_authenticate, "request")
    api.add_route(_list_handoffs, "/handoffs", methods=["GET"])
    api.add_route(_get_handoff, "/handoffs/<handoff_id:int>", methods=["GET"])
    api.add_route(_patch_handoff, "/handoffs/<handoff_id:int>", methods=["PATCH"])
    return api


def error(status: int, message: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    """The API's error body: {"error": message}."""
    return json_response({"error": message}, status=status, headers=headers)


async def _authenticate(request: Request) -> Optional[HTTPResponse]:
    """Let a request with a live token through, as `request.ctx.actor`; 401 otherwise."""
    token = bearer_token(request.headers.get("authorization"))
    name = await asyncio.to_thread(request.app.ctx.api_tokens.authenticate, token) if token else None
    if name is None:
        return error(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    request.ctx.actor = api_actor(name)
    return None


async def _list_handoffs(request: Request) -> HTTPResponse:
    status = choice("status", request.args.get("status"), STATUSES)
    kind = choice("kind", request.args.get("kind"), KINDS)
    limit = integer(request.args, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
    offset = integer(request.args, "offset", 0, 0, MAX_OFFSET)
    handoffs = await asyncio.to_thread(
        request.app.ctx.casework.list_handoffs, request.ctx.actor, status=status, kind=kind, limit=limit, offset=offset
    )
    return json_response([handoff.to_dict() for handoff in handoffs])


async def _get_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    case = await asyncio.to_thread(request.app.ctx.casework.open, handoff_id, request.ctx.actor)
    if case is None:
        return error(404, "not found")
    return json_response(
        {
            **case.handoff.to_dict(),
            "red_flag": case.transcript.red_flag,
            "transcript": [turn_to_dict(turn) for turn in case.transcript.turns],
            "notes": [note.to_dict() for note in case.notes],
        }
    )


async def _patch_handoff(request: Request, handoff_id: int) -> HTTPResponse:
    status, note = _changes(request.body)
    result = await asyncio.to_thread(_apply, request.app.ctx.casework, handoff_id, status, note, request.ctx.actor)
    return error(404, "not found") if result is None else json_response(result)


def turn_to_dict(turn: Turn) -> Dict[str, Any]:
    """One turn of a conversation as the API shows it (no intents or scores: those are for developers)."""
    return {
        "speaker": turn.speaker,
        "text": turn.text,
        "at": turn.at.isoformat(),
        "channel": turn.channel,
        "buttons": list(turn.buttons),
        "chosen_button": turn.chosen_button,
        "author": turn.author,
    }


def _apply(
    casework: Casework, handoff_id: int, status: Optional[str], note: Optional[str], actor: str
) -> Optional[Dict[str, Any]]:
    """Make the changes (both already validated); the handoff and its notes, or None if there is no such id."""
    if status is not None and casework.set_status(handoff_id, status, actor) is None:
        return None
    if note is not None and casework.add_note(handoff_id, note, actor) is None:
        return None
    handoff = casework.store.get(handoff_id)
    if handoff is None:
        return None
    return {**handoff.to_dict(), "notes": [n.to_dict() for n in casework.store.notes(handoff_id)]}


def _changes(body: bytes) -> Tuple[Optional[str], Optional[str]]:
    """(status, note) from a PATCH body; every part is checked before anything changes."""
    try:
        payload = json.loads(body or b"")
    except ValueError:
        raise BadRequest(f"the body is not JSON; {_EXAMPLE}") from None
    if not isinstance(payload, dict) or not payload or not set(payload) <= CHANGES:
        raise BadRequest(f"only the status and a note can be changed; {_EXAMPLE}")
    status, note = payload.get("status"), payload.get("note")
    if "status" in payload:
        choice("status", status, STATUSES, required=True)
    if "note" in payload:
        try:
            note = clean_note(note)
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
    return status, note
