"""The console's unanswered messages: the to-do list staff review, the decisions, the list
for the clinic's content owner, a message's conversation, and the Retrain button.

- GET  /unanswered                 groups not yet reviewed, PAGE_SIZE a page; those that look
                                   like symptom reports first (bot.retraining.triage); names,
                                   phone numbers and e-mails redacted; each text links to its
                                   conversation. ?reviewed=1 lists the decisions instead.
- POST /unanswered/review          one decision about the ticked texts of a group (audited)
- GET  /unanswered/message/<id>    the conversation of the tracker event <id> (audited)
- GET  /unanswered/new-answers     "needs a new answer" items, with how many patients asked
- GET  /retrain, /retrain/live     the retrain job's progress (live.js), POST /retrain starts it

The retrain job runs as a child process (`python -m bot.retraining`), never in this one:
training loads TensorFlow and keeps a core busy for minutes. Its lock makes it one at a
time, whoever starts it.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Dict, List, Optional, Set, Tuple

from sanic import Blueprint, Request, Sanic
from sanic.exceptions import NotFound
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response
from sqlalchemy.orm import sessionmaker

from bot.db.models import ASSIGN, REVIEW_DECISIONS, utcnow
from bot.retraining.intents import assignable_intents
from bot.retraining.progress import FAILED, REPORTS, STARTING, Progress
from bot.retraining.redaction import redact
from bot.retraining.reviews import Reviews, ToReview, text_key
from bot.retraining.triage import SymptomTriage
from bot.settings import PROJECT_ROOT, Settings
from bot.staff.pages import render
from bot.staff.params import BadRequest, choice, integer
from bot.staff.signin import staff_only
from bot.transcripts.unanswered import UnansweredGroup, UnansweredMessage, fold_key, group_similar

PAGE_SIZE = 20  # groups a page: about a laptop screen or two, with each review form folded
DECISIONS_PAGE = 50
MAX_PAGE = 10**6
DEFAULT_DAYS, MAX_DAYS = 30, 365
EXPORT_COMMAND = "python -m bot.staff export-unanswered"
RETRAIN_COMMAND = (sys.executable, "-m", "bot.retraining")
_STARTING = threading.Lock()  # two presses at once: one checks and writes "starting" before the other


def install(app: Sanic, settings: Settings, database: sessionmaker) -> None:
    """Give `app` what these pages need and register them."""
    app.ctx.reviews = Reviews(database, clock=app.ctx.clock)
    app.ctx.triage = SymptomTriage.from_file(settings.red_flags_file)
    app.ctx.intent_choices = assignable_intents(
        PROJECT_ROOT / "domain.yml", sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))
    )
    app.ctx.retrain = Progress(REPORTS)
    app.ctx.retrain_command = list(RETRAIN_COMMAND)
    app.blueprint(blueprint())


def blueprint() -> Blueprint:
    pages = Blueprint("staff_review")
    pages.add_route(_unanswered, "/unanswered", methods=["GET"])
    pages.add_route(_review, "/unanswered/review", methods=["POST"])
    pages.add_route(_message, "/unanswered/message/<event_id:int>", methods=["GET"])
    pages.add_route(_new_answers, "/unanswered/new-answers", methods=["GET"])
    pages.add_route(_retrain_page, "/retrain", methods=["GET"])
    pages.add_route(_retrain_version, "/retrain/live", methods=["GET"])
    pages.add_route(_start_retrain, "/retrain", methods=["POST"])
    return pages


@dataclass(frozen=True)
class ShownText:
    """One text of a group as the list shows it: redacted, with its form key and conversation."""

    text: str
    key: str  # text_key of the original (a hash: the page never holds the unredacted text)
    count: int
    patients: int
    event_id: Optional[int]


@dataclass(frozen=True)
class ShownGroup:
    texts: List[ShownText]
    count: int
    reasons: Dict[str, int]
    last_at: Any
    symptoms: bool


def _unreviewed(ctx: Any, days: int) -> List[UnansweredGroup]:
    """Groups of the messages of the last `days` days whose text nobody decided about yet."""
    reviewed = ctx.reviews.reviewed_keys()
    messages = ctx.casework.transcripts.unanswered(since=ctx.clock() - timedelta(days=days))
    return group_similar(m for m in messages if text_key(fold_key(m.text)) not in reviewed)


def _shown(ctx: Any, groups: List[UnansweredGroup]) -> List[ShownGroup]:
    names = ctx.reviews.names({v.sender_id for g in groups for v in g.variants})
    return [
        ShownGroup(
            [
                ShownText(redact(v.text, names.get(v.sender_id, ())), text_key(v.key), v.count, v.patients, v.event_id)
                for v in g.variants
            ],
            g.count,
            g.reasons,
            g.last_at,
            any(ctx.triage.looks_like_symptoms(v.text) for v in g.variants),
        )  # fmt: skip
        for g in groups
    ]


@staff_only
async def _unanswered(request: Request) -> HTTPResponse:
    days = integer(request.args, "days", DEFAULT_DAYS, 1, MAX_DAYS)
    page = integer(request.args, "page", 1, 1, MAX_PAGE)
    ctx, actor = request.app.ctx, request.ctx.staff.account.email
    if request.args.get("reviewed"):
        return await _decisions(request, page)

    def read() -> Tuple[List[ShownGroup], int, int]:
        ctx.audit.record(actor, "view_unanswered", detail=f"last {days} days, page {page}")
        groups = _unreviewed(ctx, days)
        # Symptom reports first; the grouping's order (most frequent first) within each part.
        triaged = [
            (ctx.triage.looks_like_symptoms(g.example) or any(ctx.triage.looks_like_symptoms(t) for t in g.texts), g)
            for g in groups
        ]
        ordered = [g for flagged, g in triaged if flagged] + [g for flagged, g in triaged if not flagged]
        symptoms = sum(flagged for flagged, _ in triaged)
        return _shown(ctx, ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), len(ordered), symptoms

    shown, total, symptoms = await asyncio.to_thread(read)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render(
        request, "unanswered.html", groups=shown, total=total, symptoms=symptoms, days=days, max_days=MAX_DAYS,
        page=page, pages=pages, intents=ctx.intent_choices, export_command=EXPORT_COMMAND,
        previous_url=f"/unanswered?days={days}&page={page - 1}" if page > 1 else None,
        next_url=f"/unanswered?days={days}&page={page + 1}" if page < pages else None,
    )  # fmt: skip


async def _decisions(request: Request, page: int) -> HTTPResponse:
    ctx = request.app.ctx
    decisions, total = await asyncio.to_thread(ctx.reviews.decisions, DECISIONS_PAGE, (page - 1) * DECISIONS_PAGE)
    pages = max(1, math.ceil(total / DECISIONS_PAGE))
    labels = {choice.name: choice.label for choice in ctx.intent_choices}
    return render(
        request, "reviewed.html", decisions=decisions, total=total, page=page, labels=labels,
        previous_url=f"/unanswered?reviewed=1&page={page - 1}" if page > 1 else None,
        next_url=f"/unanswered?reviewed=1&page={page + 1}" if page < pages else None,
    )  # fmt: skip


@staff_only
async def _review(request: Request) -> HTTPResponse:
    """POST /unanswered/review: key (each ticked text's `text_key`), decision, intent, note, days."""
    ctx, actor = request.app.ctx, request.ctx.staff.account.email
    decision = choice("decision", request.form.get("decision"), REVIEW_DECISIONS, required=True)
    days = integer(request.form, "days", DEFAULT_DAYS, 1, MAX_DAYS)
    intent = request.form.get("intent") or None if decision == ASSIGN else None
    if intent is not None and intent not in {c.name for c in ctx.intent_choices}:
        raise BadRequest("Choose one of the questions the assistant covers.")
    keys = set(request.form.getlist("key") or ())

    def store() -> str:
        found = _latest_by_key(ctx.casework.transcripts.unanswered(since=ctx.clock() - timedelta(days=days)), keys)
        batch = ctx.reviews.decide(found, str(decision), actor, intent, request.form.get("note") or "")
        ctx.audit.record(
            actor, "review_unanswered", detail=f"{decision} {len(found)} text(s){' as ' + intent if intent else ''}"
        )
        return batch

    try:
        await asyncio.to_thread(store)
    except ValueError as exc:
        raise BadRequest(f"Nothing was saved: {exc}. Go back to change it.") from None
    return redirect(f"/unanswered?days={days}", status=303)


def _latest_by_key(messages: Any, keys: Set[str]) -> List[ToReview]:
    """The latest message for each of `keys` (`text_key`s), in the order of their folded texts."""
    found: Dict[str, UnansweredMessage] = {}
    for message in messages:
        key = fold_key(message.text)
        if text_key(key) in keys:
            found[key] = message
    return [ToReview(key, m.text, m.sender_id) for key, m in sorted(found.items())]


@staff_only
async def _message(request: Request, event_id: int) -> HTTPResponse:
    """The conversation an unanswered message belongs to, audited by the event's id (never the sender's)."""
    ctx, actor = request.app.ctx, request.ctx.staff.account.email

    def read() -> Any:
        sender = ctx.casework.transcripts.sender_of(event_id)
        if sender is None:
            return None
        ctx.audit.record(actor, "view_conversation", detail=f"unanswered message {event_id}")
        return ctx.casework.transcripts.transcript(sender)

    transcript = await asyncio.to_thread(read)
    if transcript is None:
        raise NotFound("no such message")
    return render(request, "conversation.html", transcript=transcript, deliveries={}, event_id=event_id)


@staff_only
async def _new_answers(request: Request) -> HTTPResponse:
    ctx = request.app.ctx

    def read() -> List[Tuple[Any, int]]:
        requests = ctx.reviews.new_answer_requests()
        wanted = {key: index for index, item in enumerate(requests) for key in item.keys}
        senders: List[Set[str]] = [set() for _ in requests]
        for message in ctx.casework.transcripts.unanswered(since=ctx.clock() - timedelta(days=MAX_DAYS)):
            index = wanted.get(text_key(fold_key(message.text)))
            if index is not None:
                senders[index].add(message.sender_id)
        return sorted(zip(requests, (len(s) for s in senders)), key=lambda pair: -pair[1])

    items = await asyncio.to_thread(read)
    return render(request, "new_answers.html", items=items, max_days=MAX_DAYS)


@staff_only
async def _retrain_page(request: Request) -> HTTPResponse:
    progress = request.app.ctx.retrain
    status = await asyncio.to_thread(progress.status)
    report = None
    if status and status.get("report"):
        path = progress.directory / str(status["report"])
        report = await asyncio.to_thread(lambda: path.read_text(encoding="utf-8") if path.exists() else None)
    # `job`, not `status`: render() takes `status` as the HTTP status
    return render(request, "retrain.html", job=status, report=report, version=_version(status))


@staff_only
async def _retrain_version(request: Request) -> HTTPResponse:
    return json_response({"version": _version(await asyncio.to_thread(request.app.ctx.retrain.status))})


def _version(status: Optional[Dict[str, Any]]) -> str:
    return hashlib.sha256(repr(sorted((status or {}).items())).encode()).hexdigest()[:16]


@staff_only
async def _start_retrain(request: Request) -> HTTPResponse:
    """Start the job as a child process of its own session (it outlives a console restart).

    The status says "starting" before the process exists, so the page staff land on says
    so at once, and a second press meanwhile starts nothing (the job's lock would refuse
    a second job anyway)."""
    ctx, actor = request.app.ctx, request.ctx.staff.account.email
    started = await asyncio.to_thread(_start_job, ctx.retrain, ctx.retrain_command)
    if started is not None:
        await asyncio.to_thread(ctx.audit.record, actor, "start_retrain", None, f"pid {started.pid}")
        asyncio.get_running_loop().run_in_executor(None, started.wait)  # reaped when it ends
    return redirect("/retrain", status=303)


def _start_job(progress: Progress, command: List[str]) -> Optional["subprocess.Popen[bytes]"]:
    """The job's process, or None when one is already running or starting."""
    with _STARTING:
        if progress.busy():
            return None
        progress.update(STARTING, "starting", started_at=utcnow().isoformat(), report=None)
    with (progress.directory / "job.log").open("ab") as log:
        try:
            return subprocess.Popen(  # noqa: S603 - our own command, no patient input
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                cwd=str(PROJECT_ROOT),
            )  # fmt: skip
        except OSError as exc:
            progress.update(FAILED, f"could not be started ({type(exc).__name__})")
            return None
