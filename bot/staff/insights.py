"""The console's Insights page (`/insights`) and its CSV export (`/insights.csv`).

Both take the same filters: `days` (the last 7, 30, 90 or 365 days), or `from` and `to`
(dates on the clinic's clocks, at most MAX_DAYS apart), and `channel` (all, website,
sms). The figures and their definitions come from `bot.insights.report`; the charts are
SVG drawn here (`bot.staff.charts`). Every view and export is audited, like a transcript
view: the export is a list of conversations.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, timedelta
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlencode

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from bot.db.models import KINDS
from bot.insights.report import CHANNEL_LABELS, CHANNELS, OUTCOMES, Insights, Period, outcome_rows
from bot.staff import charts
from bot.staff.pages import render
from bot.staff.params import BadRequest, choice
from bot.staff.signin import staff_only
from bot.staff.wording import kind_title
from bot.text import waited

PATH = "/insights"
PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 366
OUTCOME_LABELS = {
    "contained": "Contained",
    "handoff": "Handed to staff",
    "asked_for_person": "Asked for a person",
    "unresolved_fallback": "Ended not understood",
}


def blueprint() -> Blueprint:
    """A new Insights blueprint (one per app, as Sanic requires)."""
    insights = Blueprint("staff_insights")
    insights.add_route(_page, PATH, methods=["GET"])
    insights.add_route(_export, f"{PATH}.csv", methods=["GET"])
    return insights


def _filters(request: Request) -> Tuple[Period, str, Dict[str, str]]:
    """The period, the channel and the query that names them (for links); BadRequest for a bad one."""
    channel = choice("channel", request.args.get("channel"), tuple(CHANNELS)) or "all"
    zone = request.app.ctx.insights.zone
    first, last = _date("from", request.args.get("from")), _date("to", request.args.get("to"))
    if first or last:
        if not (first and last) or not timedelta(0) <= last - first < timedelta(days=MAX_DAYS):
            raise BadRequest(f"from and to must both be dates, to on or after from, at most {MAX_DAYS} days apart")
        query = {"from": first.isoformat(), "to": last.isoformat(), "channel": channel}
        return Period.between(first, last, zone), channel, query
    raw = request.args.get("days") or str(DEFAULT_DAYS)
    if raw not in {str(days) for days in PERIODS}:
        raise BadRequest(f"days must be one of {', '.join(map(str, PERIODS))}")
    return Period.last_days(int(raw), request.app.ctx.clock()), channel, {"days": raw, "channel": channel}


def _date(name: str, raw: Optional[str]) -> Optional[date]:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date such as 2026-03-01") from None


@staff_only
async def _page(request: Request) -> HTTPResponse:
    period, channel, query = _filters(request)
    ctx, actor = request.app.ctx, request.ctx.staff.account.email

    def read() -> Insights:
        ctx.audit.record(actor, "view_insights", detail=urlencode(query))
        return ctx.insights.report(period, channel)

    report = await asyncio.to_thread(read)
    first_day, last_day = period.days(ctx.insights.zone)
    return render(
        request,
        "insights.html",
        report=report,
        query=query,
        periods=PERIODS,
        channels=CHANNEL_LABELS,
        csv_url=f"{PATH}.csv?{urlencode(query)}",
        outcome_labels=OUTCOME_LABELS,
        kinds=KINDS,
        charts=_charts(report),
        percent=_percent,
        duration=lambda value: waited(value) if value is not None else "none yet",
        kind_title=kind_title,
        first_day=first_day,
        last_day=last_day,
    )


@staff_only
async def _export(request: Request) -> HTTPResponse:
    """One row per conversation of the period: a pseudonym, never the sender id."""
    period, channel, query = _filters(request)
    ctx, actor = request.app.ctx, request.ctx.staff.account.email

    def read() -> str:
        ctx.audit.record(actor, "export_insights", detail=urlencode(query))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(outcome_rows(ctx.insights.outcomes(period, channel)))
        return out.getvalue()

    body = await asyncio.to_thread(read)
    start = period.start.astimezone(ctx.insights.zone).date().isoformat()
    name = f"insights-{channel}-{start}.csv"
    return HTTPResponse(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _percent(count: int, whole: int) -> str:
    return f"{100 * count / whole:.0f}%" if whole else "–"


def _charts(report: Insights) -> Dict[str, Markup]:
    """The page's SVG charts."""
    days = [(day.day.strftime("%-d %b"), day.conversations) for day in report.days]
    messages = [(day.day.strftime("%-d %b"), day.messages) for day in report.days]
    whole = report.conversations
    outcomes: List[Tuple[str, float, str]] = [
        (
            OUTCOME_LABELS[o],
            report.share(report.outcomes[o]),
            f"{report.outcomes[o]} · {_percent(report.outcomes[o], whole)}",
        )
        for o in OUTCOMES
    ]
    kinds = [
        (kind_title(kind), report.share(report.handoffs_by_kind.get(kind, 0)),
         f"{report.handoffs_by_kind.get(kind, 0)} · {_percent(report.handoffs_by_kind.get(kind, 0), whole)}")
        for kind in KINDS
    ]  # fmt: skip
    return {
        "conversations": charts.columns("New conversations per day", days),
        "messages": charts.columns("Patient messages per day", messages),
        "outcomes": charts.bars("How conversations ended", outcomes),
        "kinds": charts.bars("Conversations handed to staff, by kind", kinds),
    }
