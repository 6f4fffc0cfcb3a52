"""A year of conversations, and how fast Insights reads it: `python -m bench.insights_year`.

Generates CONVERSATIONS conversations spread over the last 365 days (website and SMS,
one to five turns each, with the intents, handoffs, staff actions and ratings a clinic
sees) into a fresh SQLite file and a fresh PostgreSQL schema, as Rasa's tracker store and
our tables hold them, then times what the Insights page and its CSV export ask of the
reader (`bot.insights.report`): the median of RUNS runs after one warm-up, with the
tracker's period index and without it. Prints a Markdown table; the figures and the
machine go into docs/performance.md ("A year of Insights"). The target is the page
answering within 1 s; nothing here asserts it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

from sqlalchemy import insert, text

from bench.databases import POSTGRES_URL, fresh_schema
from bot.db.engine import make_engine, session_factory
from bot.db.models import AnswerFeedback, AuditEntry, Handoff, HandoffNote
from bot.db.tracker_events import PERIOD_INDEX, events
from bot.insights.report import InsightsReader, Period
from bot.launcher import preparation

CONVERSATIONS = 50_000
RUNS = 5
BATCH = 5_000
DAY_S = 86_400
# What a patient's turn is about, and how often (a clinic's mix: mostly questions).
INTENTS: Sequence[Tuple[str, float]] = (
    ("faq_pain", 0.12), ("faq_numbing", 0.08), ("faq_procedure", 0.08), ("faq_consultation", 0.07),
    ("faq_frequency", 0.06), ("faq_skincare", 0.05), ("faq_contraindications", 0.05), ("aftercare_redness", 0.05),
    ("aftercare_flaking", 0.03), ("ask_price", 0.05), ("ask_clinic_info", 0.03), ("greet", 0.08), ("thank", 0.05),
    ("nlu_fallback", 0.07), ("out_of_scope", 0.04), ("faq_not_covered", 0.02), ("request_booking", 0.04),
    ("request_human", 0.02), ("red_flag_urgent", 0.01),
)  # fmt: skip
HANDOFF_KINDS = {"request_booking": "booking", "request_human": "question", "red_flag_urgent": "red_flag"}
RED_FLAG_GROUPS = ("swelling", "fever", "breathing", "redness_worsening")


@dataclass(frozen=True)
class Timing:
    what: str
    seconds: float  # wall-clock
    cpu_seconds: float  # this process's CPU: with SQLite all the work, whatever else runs on the machine


def _user(sender: str, at: float, intent: str, rng: random.Random) -> Dict[str, Any]:
    text = f"patient question {rng.randrange(10**6)} about {intent.replace('_', ' ')}"
    confidence = round(rng.uniform(0.3, 0.99), 3)
    ranking = [{"name": name, "confidence": 0.01} for name, _ in INTENTS[:10]]
    data = {
        "event": "user", "timestamp": at, "text": text, "input_channel": sender.split(":")[0],
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
                       "intent_ranking": [{"name": intent, "confidence": confidence}, *ranking]},
    }  # fmt: skip
    return _row(sender, "user", at, data, intent=intent)


def _row(
    sender: str, type_name: str, at: float, data: Dict[str, Any], intent: Any = None, action: Any = None
) -> Dict[str, Any]:
    """An `events` row as Rasa's tracker store writes it (every column named, for batched inserts)."""
    return {"sender_id": sender, "type_name": type_name, "timestamp": at, "intent_name": intent,
            "action_name": action, "data": json.dumps(data)}  # fmt: skip


def _turn_events(sender: str, at: float, intent: str, rng: random.Random) -> List[Dict[str, Any]]:
    """A turn as Rasa stores it: the message, the answer's action, the answer, action_listen."""
    response = f"utter_{intent}" if intent.startswith(("faq_", "aftercare_", "ask_")) else "utter_default"
    bot = {"event": "bot", "timestamp": at + 0.5, "text": "An answer of about two hundred characters. " * 5,
           "metadata": {"utter_action": response}}  # fmt: skip
    rows = [_user(sender, at, intent, rng)]
    for name, offset in ((response, 0.4), ("action_listen", 0.6)):
        rows.append(
            _row(
                sender, "action", at + offset, {"event": "action", "timestamp": at + offset, "name": name}, action=name
            )
        )
    rows.insert(2, _row(sender, "bot", at + 0.5, bot))
    return rows


def generate(tracker_url: str, database_url: str, conversations: int, end: datetime, seed: int = 20) -> Dict[str, int]:
    """Write the year into both stores; how many rows of each went in."""
    rng = random.Random(seed)
    names, weights = zip(*INTENTS)
    start = end.timestamp() - 365 * DAY_S
    rows: List[Dict[str, Any]] = []
    handoffs: List[Dict[str, Any]] = []
    ratings: List[Dict[str, Any]] = []
    counts = {"events": 0, "handoffs": 0, "feedback": 0}
    tracker, database = make_engine(tracker_url), make_engine(database_url)
    try:
        for number in range(conversations):
            channel = "widget" if rng.random() < 0.7 else "sms"
            sender = f"{channel}:{number:07d}" if channel == "widget" else f"sms:+1555{number:07d}"
            at = start + rng.random() * (365 * DAY_S - 3600)
            rows.append(_row(sender, "session_started", at, {"event": "session_started", "timestamp": at}))
            for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
                at += rng.uniform(10, 120)
                intent = rng.choices(names, weights)[0]
                rows.extend(_turn_events(sender, at, intent, rng))
                if intent in HANDOFF_KINDS:
                    handoffs.append(_handoff(sender, channel, HANDOFF_KINDS[intent], at + 30, rng))
                if intent.startswith("faq_") and channel == "widget" and rng.random() < 0.15:
                    ratings.append({"conversation_id": sender, "channel": channel, "response": f"utter_{intent}",
                                    "helpful": rng.random() < 0.8, "comment": None,
                                    "created_at": datetime.fromtimestamp(at + 20, timezone.utc)})  # fmt: skip
            if len(rows) >= BATCH:
                counts["events"] += _flush(tracker, events.insert(), rows)
        counts["events"] += _flush(tracker, events.insert(), rows)
        counts["handoffs"] = len(handoffs)
        counts["feedback"] = len({(r["conversation_id"], r["response"]): r for r in ratings})
        _store_handoffs(database, handoffs, rng)
        unique = list({(r["conversation_id"], r["response"]): r for r in ratings}.values())
        _flush(database, insert(AnswerFeedback), unique)
    finally:
        tracker.dispose()
        database.dispose()
    return counts


def _handoff(sender: str, channel: str, kind: str, at: float, rng: random.Random) -> Dict[str, Any]:
    return {
        "kind": kind, "status": "new", "sender_id": sender, "channel": channel, "question": "q",
        "red_flags": rng.choice(RED_FLAG_GROUPS) if kind == "red_flag" else None,
        "created_at": datetime.fromtimestamp(at, timezone.utc), "updated_at": datetime.fromtimestamp(at, timezone.utc),
    }  # fmt: skip


def _store_handoffs(engine: Any, handoffs: List[Dict[str, Any]], rng: random.Random) -> None:
    """The handoffs, then a staff action on most of them (a status change or a note) within two days."""
    with engine.begin() as connection:
        ids = [connection.execute(insert(Handoff).values(**h)).inserted_primary_key[0] for h in handoffs]
    audits, notes = [], []
    for handoff_id, handoff in zip(ids, handoffs):
        if rng.random() < 0.85:
            acted = handoff["created_at"] + timedelta(minutes=rng.expovariate(1 / 240))
            audits.append({"at": acted, "actor": "desk@clinic.example", "action": "status_change",
                           "handoff_id": handoff_id, "detail": "status: new -> contacted"})  # fmt: skip
            audits.append({"at": acted, "actor": "desk@clinic.example", "action": "view_transcript",
                           "handoff_id": handoff_id, "detail": None})  # fmt: skip
        if rng.random() < 0.3:
            notes.append({"handoff_id": handoff_id, "author": "desk@clinic.example", "text": "called back",
                          "created_at": handoff["created_at"] + timedelta(hours=rng.uniform(0, 48))})  # fmt: skip
    _flush(engine, insert(AuditEntry), audits)
    _flush(engine, insert(HandoffNote), notes)


def _flush(engine: Any, statement: Any, rows: List[Dict[str, Any]]) -> int:
    """Insert `rows` in batches and empty the list; how many went in."""
    done = len(rows)
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(statement, rows[start : start + BATCH])
    rows.clear()
    return done


def measure(tracker_url: str, database_url: str, end: datetime, runs: int) -> List[Timing]:
    """Median seconds of each reading the page and the export make."""
    tracker, database = make_engine(tracker_url), make_engine(database_url)
    reader = InsightsReader(session_factory(tracker), session_factory(database))
    year, month = Period.last_days(365, end), Period.last_days(30, end)
    cases: Dict[str, Callable[[], Any]] = {
        "page, last 365 days, all channels": lambda: reader.report(year, "all"),
        "page, last 365 days, SMS": lambda: reader.report(year, "sms"),
        "page, last 30 days, all channels": lambda: reader.report(month, "all"),
        "CSV, last 365 days (every conversation)": lambda: reader.outcomes(year, "all"),
    }
    try:
        return [Timing(what, *_median_seconds(case, runs)) for what, case in cases.items()]
    finally:
        tracker.dispose()
        database.dispose()


def _median_seconds(case: Callable[[], Any], runs: int) -> Tuple[float, float]:
    """Median wall-clock and CPU seconds of `case`, after one warm-up run."""
    case()  # warm: connections, caches
    walls, cpus = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        case()
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - began_cpu)
    return statistics.median(walls), statistics.median(cpus)


def _analyze(url: str) -> None:
    """Statistics, as a year-old database has them; PostgreSQL's autovacuum has also set the
    visibility map by then, which lets it answer from the index alone."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    finally:
        engine.dispose()


def _drop_period_index(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            PERIOD_INDEX.drop(connection)
    finally:
        engine.dispose()
    _analyze(url)


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="insights-year-") as directory:
        url = f"sqlite:///{Path(directory) / 'year.db'}"
        preparation.migrate_handoffs(url)
        preparation.create_tracker_tables(url)
        yield url


def run(backend: str, conversations: int, runs: int) -> Tuple[Dict[str, int], float, List[Timing], List[Timing]]:
    """(row counts, seconds to generate, timings with the index, timings without it)."""
    end = datetime.now(timezone.utc)
    databases = sqlite_database() if backend == "sqlite" else fresh_schema(POSTGRES_URL)
    with databases as url:
        began = time.perf_counter()
        counts = generate(url, url, conversations, end)
        generated = time.perf_counter() - began
        _analyze(url)
        indexed = measure(url, url, end, runs)
        _drop_period_index(url)
        bare = measure(url, url, end, runs)
    return counts, generated, indexed, bare


def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--backends", default="sqlite,postgresql")
    options = parser.parse_args(list(argv) or None)
    logging.getLogger("bot.transcripts.unanswered").setLevel(logging.ERROR)  # its cap is expected here
    print(
        f"{options.conversations:,} conversations over 365 days; median of {options.runs} runs; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    for backend in options.backends.split(","):
        counts, generated, indexed, bare = run(backend, options.conversations, options.runs)
        print(f"\n{backend}: {counts['events']:,} events, {counts['handoffs']:,} handoffs, "
              f"{counts['feedback']:,} ratings (generated in {generated:.0f} s)\n")  # fmt: skip
        print("| reading | with the period index: wall (CPU here) | without it |\n|---|---:|---:|")
        for with_index, without in zip(indexed, bare):
            print(f"| {with_index.what} | {_ms(with_index)} | {_ms(without)} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def _ms(timing: Timing) -> str:
    return f"{timing.seconds * 1000:.0f} ms ({timing.cpu_seconds * 1000:.0f} ms)"


if __name__ == "__main__":
    main()
