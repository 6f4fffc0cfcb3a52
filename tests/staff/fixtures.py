"""What the API and console tests share: a clock they move, conversations they choose, the
audit log of the test database, a staff account, and an HTTP client that keeps cookies.

Import the fixtures by name into a test module (`from tests.staff.fixtures import ...`).
"""
from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Iterable, Iterator, List, Optional, Set
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy.orm import sessionmaker

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.models import utcnow
from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.settings import Settings
from bot.staff.accounts import Accounts, StaffAccount
from bot.staff.app import create_app
from bot.staff.audit import AuditLog
from bot.transcripts.transcript import Transcript, Turn
from bot.transcripts.unanswered import UnansweredMessage
from tests.clock import Clock
from tests.http_server import serving

EMAIL = "nurse@clinic.example"
PASSWORD = "correct horse battery staple"


@dataclass
class FakeTranscripts:
    """A tracker store holding the conversations a test writes into `conversations`."""

    conversations: Dict[str, List[Turn]] = field(default_factory=dict)
    unanswered_messages: List[UnansweredMessage] = field(default_factory=list)
    asked_since: List[Optional[datetime]] = field(default_factory=list)

    def transcript(self, sender_id: str, limit: int = 2000) -> Transcript:
        return Transcript(sender_id, tuple(self.conversations.get(sender_id, ())[-limit:]))

    def red_flag_senders(self, sender_ids: Iterable[str]) -> Set[str]:
        return {sender for sender in sender_ids if self.transcript(sender).red_flag}

    def unanswered(self, since: Optional[datetime] = None) -> List[UnansweredMessage]:
        self.asked_since.append(since)
        return [message for message in self.unanswered_messages if since is None or message.at >= since]


def add_handoff(store: HandoffStore, sender: str = "patient-1", kind: str = "booking", **details) -> HandoffView:
    """A new handoff from the website channel (unless `channel` says otherwise)."""
    details.setdefault("channel", "rest")
    handoff, _ = store.add(HandoffRequest(kind=kind, sender_id=sender, **details))
    return handoff


@pytest.fixture
def clock() -> Clock:
    return Clock(start=utcnow())  # the rows the store stamps itself carry the real time


@pytest.fixture
def transcripts() -> FakeTranscripts:
    return FakeTranscripts()


@pytest.fixture
def database(settings: Settings, store: HandoffStore) -> Iterator[sessionmaker]:
    """Sessions on the migrated test database (the `store` fixture migrates it)."""
    engine = make_engine(settings.database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def audit(database: sessionmaker) -> AuditLog:
    return AuditLog(database)


@pytest.fixture
def account(database: sessionmaker) -> StaffAccount:
    return Accounts(database).add(EMAIL, PASSWORD)


@pytest.fixture
def app_url(settings: Settings, store: HandoffStore, clock: Clock, transcripts: FakeTranscripts) -> Iterator[str]:
    """Base URL of a running staff app with the test's clock and conversations."""
    with serving(create_app(settings, clock=clock, transcripts=transcripts)) as url:
        yield url
    dispose_engines()


class Client(requests.Session):
    """A browser stand-in: keeps cookies, never follows redirects, prefixes the app's URL."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.headers["Connection"] = "close"  # nothing left open when the test server stops

    def request(self, method: str, url: str, *args, **kwargs) -> requests.Response:  # type: ignore[override]
        kwargs["allow_redirects"] = False  # Session.get would default it to True
        kwargs.setdefault("timeout", 10)
        return super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token in the first form of a page."""
    match = _CSRF_FIELD.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: Client, email: str = EMAIL, password: str = PASSWORD, next_: Optional[str] = None) -> requests.Response:
    """Fill in the login form as a browser would (its page first, for the CSRF cookie and field)."""
    form = client.get("/login" + (f"?{urlencode({'next': next_})}" if next_ else ""))
    assert form.status_code == 200
    fields = {"email": email, "password": password, "csrf_token": csrf_of(form.text)}
    fields["next"] = html_module.unescape(re.search(r'name="next" value="([^"]*)"', form.text).group(1))
    return client.post("/login", data=fields)


@pytest.fixture
def signed_in(app_url: str, account: StaffAccount) -> Client:
    """A client signed in as the test's staff account."""
    client = Client(app_url)
    assert sign_in(client).status_code == 303
    return client
