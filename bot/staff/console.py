"""The staff console's pages: the handoff queue, one handoff with its conversation, and what
the bot could not answer; plus sign-in and sign-out (`bot.staff.signin`).

Plain server-rendered HTML forms. Every change is a POST carrying the session's CSRF
token and answered with a 303 back to the page (post/redirect/get), so reloading never
repeats it. Database work runs in worker threads.

The queue and a handoff's page keep themselves up to date with one small same-origin
script (`static/live.js`): it asks the page's `.../live` JSON for a version string
while the tab is visible, and when it changed fetches the page again and swaps in its
live regions. Without the script the pages work the same, with a refresh link.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from dataclasses import dataclass
from typing import Any, Awaitable, Dict, List, Optional, Set, Tuple
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response

from bot.conversation_ids import SMS, namespace_of
from bot.db.models import KINDS, STATUSES
from bot.handoffs.store import MAX_PINNED
from bot.handoffs.view import HandoffView
from bot.staff.audit import AuditEntryView
from bot.staff.casework import CaseFile
from bot.staff.conversation_bridge import BridgeError
from bot.staff.pages import HOME, render
from bot.staff.params import BadRequest, choice, integer
from bot.staff.signin import LOGIN_PATH, login, login_form, logout, staff_only
from bot.staff.wording import screening_lines
from bot.transcripts.takeovers import MAX_REPLY_CHARS
from bot.transcripts.transcript import Turn
from bot.transcripts.waiting import Waiting

PAGE_SIZE = 50
MAX_SEARCH = 100  # characters of a queue search
LATEST_MESSAGES = 3  # the patient's messages shown above the conversation
MAX_PAGE = 10**6
TRAIL_LENGTH = 200


def blueprint() -> Blueprint:
    """A new console blueprint (one per app: Sanic binds a blueprint to the apps it is registered on)."""
    console = Blueprint("staff_console")
    console.add_route(_home, "/", methods=["GET"])
    console.add_route(login_form, LOGIN_PATH, methods=["GET"])
    console.add_route(login, LOGIN_PATH, methods=["POST"])
    console.add_route(logout, "/logout", methods=["POST"])
    console.add_route(_queue, HOME, methods=["GET"])
    console.add_route(_queue_version, f"{HOME}/live", methods=["GET"])
    console.add_route(_handoff, f"{HOME}/<handoff_id:int>", methods=["GET"])
    console.add_route(_handoff_version, f"{HOME}/<handoff_id:int>/live", methods=["GET"])
    console.add_route(_set_status, f"{HOME}/<handoff_id:int>/status", methods=["POST"])
    console.add_route(_add_note, f"{HOME}/<handoff_id:int>/notes", methods=["POST"])
    console.add_route(_take_over, f"{HOME}/<handoff_id:int>/takeover", methods=["POST"])
    console.add_route(_reply, f"{HOME}/<handoff_id:int>/reply", methods=["POST"])
    console.add_route(_hand_back, f"{HOME}/<handoff_id:int>/handback", methods=["POST"])
    return console


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and what its header and pager need."""

    handoffs: List[HandoffView]
    red_flags: Set[str]  # sender ids that mentioned a red flag
    waiting: Dict[str, Waiting]  # conversations waiting for a staff reply, by sender id
    total: int
    new: int
    version: str  # changes whenever the queue has something new (`_queue_version`)


async def _home(request: Request) -> HTTPResponse:
    return redirect(HOME, status=302)


@staff_only
async def _queue(request: Request) -> HTTPResponse:
    status = choice("status", request.args.get("status"), STATUSES)
    kind = choice("kind", request.args.get("kind"), KINDS)
    search = " ".join((request.args.get("q") or "").split())[:MAX_SEARCH] or None
    page = integer(request.args, "page", 1, 1, MAX_PAGE)
    casework = request.app.ctx.casework

    def read() -> QueuePage:
        waiting = casework.waiting.waiting()
        pinned = [w.sender_id for w in sorted(waiting.values(), key=lambda w: w.since)][:MAX_PINNED]  # longest first
        handoffs = casework.store.list(
            status=status, kind=kind, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, search=search, pinned=pinned
        )
        red_flags = casework.transcripts.red_flag_senders(h.sender_id for h in handoffs)
        new = casework.store.count("new")
        total = casework.store.count(status, kind, search)
        return QueuePage(handoffs, red_flags, waiting, total, new, _queue_state(casework, waiting, new))

    found = await asyncio.to_thread(read)
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    filters = {"status": status, "kind": kind, "q": search}
    return render(
        request, "queue.html", queue=found, chosen_status=status, chosen_kind=kind, search=search or "",
        statuses=STATUSES, kinds=KINDS, page=page, pages=pages, now=request.app.ctx.clock(),
        this_url=_queue_url(filters, page), previous_url=_queue_url(filters, page - 1) if page > 1 else None,
        next_url=_queue_url(filters, page + 1) if page < pages else None,
    )  # fmt: skip


@staff_only
async def _queue_version(request: Request) -> HTTPResponse:
    """GET /handoffs/live: the queue's version, for the page's live updates."""
    casework = request.app.ctx.casework

    def read() -> str:
        waiting = casework.waiting.waiting()
        return _queue_state(casework, waiting, casework.store.count("new"))

    return json_response({"version": await asyncio.to_thread(read)})


def _queue_state(casework: Any, waiting: Dict[str, Waiting], new: int) -> str:
    """A short digest of what the queue shows: the newest handoff, the latest change to
    any, how many are new, and who waits since which message."""
    newest, changed = casework.store.latest_change()
    waits = sorted((w.sender_id, w.latest_message_id) for w in waiting.values())
    return _digest(newest, changed, new, waits)


@staff_only
async def _handoff(request: Request, handoff_id: int) -> HTTPResponse:
    ctx, actor = request.app.ctx, request.ctx.staff.account.email

    def read() -> Tuple[Optional[CaseFile], List[AuditEntryView], Optional[Waiting], str]:
        case = ctx.casework.open(handoff_id, actor)  # audited before the history is read, so it shows this view
        if case is None:
            return None, [], None, ""
        trail = ctx.audit.entries(handoff_id=handoff_id, limit=TRAIL_LENGTH)
        waiting = ctx.casework.waiting.waiting().get(case.handoff.sender_id)
        return case, trail, waiting, _handoff_state(ctx.casework, case.handoff)

    case, trail, waiting, version = await asyncio.to_thread(read)
    if case is None:
        raise NotFound("no such handoff")
    answers = screening_lines(case.handoff.screening_answers, ctx.screening)
    return render(
        request,
        "handoff.html",
        case=case,
        trail=trail,
        answers=answers,
        staff_title=request.ctx.staff.account.display_name or ctx.settings.clinic.staff_title,
        by_sms=namespace_of(case.handoff.sender_id) == SMS,
        max_reply=MAX_REPLY_CHARS,
        latest=_latest_from_patient(case.transcript.turns),
        waiting=waiting,
        now=ctx.clock(),
        version=version,
    )


@staff_only
async def _handoff_version(request: Request, handoff_id: int) -> HTTPResponse:
    """GET /handoffs/<id>/live: the handoff page's version, for its live updates (no patient text)."""
    casework = request.app.ctx.casework

    def read() -> Optional[str]:
        handoff = casework.store.get(handoff_id)
        return _handoff_state(casework, handoff) if handoff else None

    version = await asyncio.to_thread(read)
    if version is None:
        raise NotFound("no such handoff")
    return json_response({"version": version})


def _handoff_state(casework: Any, handoff: HandoffView) -> str:
    """A short digest of what a handoff's page shows: its status and last change, and its
    conversation's latest event."""
    return _digest(handoff.status, handoff.updated_at, casework.waiting.latest_event_id(handoff.sender_id))


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _latest_from_patient(turns: Tuple[Turn, ...]) -> List[Turn]:
    """The patient's last few messages, oldest first: what a busy receptionist reads first."""
    return [turn for turn in turns if turn.speaker == "patient"][-LATEST_MESSAGES:]


@staff_only
async def _set_status(request: Request, handoff_id: int) -> HTTPResponse:
    status = choice("status", request.form.get("status"), STATUSES, required=True)
    changed = await asyncio.to_thread(
        request.app.ctx.casework.set_status, handoff_id, status, request.ctx.staff.account.email
    )
    return _back_to(handoff_id, changed)


@staff_only
async def _add_note(request: Request, handoff_id: int) -> HTTPResponse:
    casework, actor = request.app.ctx.casework, request.ctx.staff.account.email
    try:
        note = await asyncio.to_thread(casework.add_note, handoff_id, request.form.get("note") or "", actor)
    except ValueError as exc:
        raise BadRequest(f"The note was not saved: {exc}. Go back to change it.") from None
    return _back_to(handoff_id, note)


@staff_only
async def _take_over(request: Request, handoff_id: int) -> HTTPResponse:
    return await _act(
        request, handoff_id, request.app.ctx.takeover.take_over(handoff_id, _actor(request), _name(request))
    )


@staff_only
async def _reply(request: Request, handoff_id: int) -> HTTPResponse:
    text = request.form.get("reply") or ""
    try:
        action = request.app.ctx.takeover.reply(handoff_id, text, _actor(request), _name(request))
    except ValueError as exc:  # raised before anything is sent
        raise BadRequest(f"The reply was not sent: {exc}. Go back to change it.") from None
    return await _act(request, handoff_id, action)


@staff_only
async def _hand_back(request: Request, handoff_id: int) -> HTTPResponse:
    return await _act(
        request, handoff_id, request.app.ctx.takeover.hand_back(handoff_id, _actor(request), _name(request))
    )


async def _act(request: Request, handoff_id: int, action: Awaitable[Optional[HandoffView]]) -> HTTPResponse:
    """Run a take-over action; a refusal by the assistant becomes a page that says why."""
    try:
        handoff = await action
    except ValueError as exc:
        raise BadRequest(f"The reply was not sent: {exc}. Go back to change it.") from None
    except BridgeError as exc:
        raise BadRequest(f"That did not work: {exc}. Go back and reload the conversation.") from None
    return _back_to(handoff_id, handoff)


def _actor(request: Request) -> str:
    return str(request.ctx.staff.account.email)


def _name(request: Request) -> Optional[str]:
    """What patients read when this staff member acts (None: the clinic profile's staff title)."""
    return request.ctx.staff.account.display_name


def _back_to(handoff_id: int, changed: Optional[object]) -> HTTPResponse:
    """Post/redirect/get: back to the handoff's page; 404 when there is no such handoff."""
    if changed is None:
        raise NotFound("no such handoff")
    return redirect(f"{HOME}/{handoff_id}", status=303)


def _queue_url(filters: Dict[str, Optional[str]], page: int) -> str:
    """The queue's address with these filters (those set) and page (from 2 on)."""
    query = {name: value for name, value in filters.items() if value}
    if page > 1:
        query["page"] = str(page)
    return f"{HOME}?{urlencode(query)}" if query else HOME
