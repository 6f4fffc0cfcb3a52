"""What the API and console tests share besides their fixtures (tests/staff/conftest.py):
a tracker store holding the conversations a test chooses, a staff login, and an HTTP
client that keeps cookies and signs in as a browser would."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple
from urllib.parse import urlencode

import requests

from bot.handoffs.request import HandoffRequest
from bot.handoffs.store import HandoffStore
from bot.handoffs.view import HandoffView
from bot.staff.conversation_bridge import BridgeError
from bot.transcripts.takeovers import Takeover
from bot.transcripts.transcript import Transcript, Turn
from bot.transcripts.unanswered import UnansweredMessage
from bot.transcripts.waiting import Waiting

EMAIL = "nurse@clinic.example"
PASSWORD = "correct horse battery staple"


@dataclass
class FakeTranscripts:
    """A tracker store holding the conversations a test writes into `conversations`."""

    conversations: Dict[str, List[Turn]] = field(default_factory=dict)
    unanswered_messages: List[UnansweredMessage] = field(default_factory=list)
    asked_since: List[Optional[datetime]] = field(default_factory=list)
    takeovers: Dict[str, Takeover] = field(default_factory=dict)

    def takeover(self, sender_id: str) -> Optional[Takeover]:
        return self.takeovers.get(sender_id)

    def transcript(self, sender_id: str, limit: int = 2000) -> Transcript:
        return Transcript(sender_id, tuple(self.conversations.get(sender_id, ())[-limit:]))

    def red_flag_senders(self, sender_ids: Iterable[str]) -> Set[str]:
        return {sender for sender in sender_ids if self.transcript(sender).red_flag}

    def unanswered(self, since: Optional[datetime] = None) -> List[UnansweredMessage]:
        self.asked_since.append(since)
        return [message for message in self.unanswered_messages if since is None or message.at >= since]

    def sender_of(self, event_id: int) -> Optional[str]:
        return next((m.sender_id for m in self.unanswered_messages if m.event_id == event_id), None)


@dataclass
class FakeWaiting:
    """Which conversations wait for a staff reply, as a test sets them, and how far each has got."""

    conversations: Dict[str, Waiting] = field(default_factory=dict)
    latest: Dict[str, int] = field(default_factory=dict)

    def waiting(self) -> Dict[str, Waiting]:
        return dict(self.conversations)

    def latest_event_id(self, sender_id: str) -> int:
        return self.latest.get(sender_id, 0)


@dataclass
class FakeBridge:
    """The Rasa server's staff bridge as the console sees it: it records each call and
    keeps the take-over state in `transcripts`, or refuses with `refusal`."""

    transcripts: FakeTranscripts
    calls: List[Tuple[str, str, str, str, str]] = field(default_factory=list)
    refusal: Optional[BridgeError] = None

    async def take_over(
        self, sender_id: str, staff_name: str, actor: str, handoff_id: Optional[int] = None
    ) -> List[Dict[str, Any]]:
        self._call("takeover", sender_id, staff_name, actor)
        self.transcripts.takeovers[sender_id] = Takeover(staff_name, actor, datetime.now(timezone.utc))
        return []

    async def reply(self, sender_id: str, staff_name: str, actor: str, text: str) -> List[Dict[str, Any]]:
        self._call("reply", sender_id, staff_name, actor, text)
        return []

    async def hand_back(self, sender_id: str, staff_name: str, actor: str) -> List[Dict[str, Any]]:
        self._call("handback", sender_id, staff_name, actor)
        self.transcripts.takeovers.pop(sender_id, None)
        return []

    def _call(self, action: str, sender_id: str, staff_name: str, actor: str, text: str = "") -> None:
        if self.refusal is not None:
            raise self.refusal
        self.calls.append((action, sender_id, staff_name, actor, text))


def add_handoff(store: HandoffStore, sender: str = "patient-1", kind: str = "booking", **details) -> HandoffView:
    """A new handoff from the website channel (unless `channel` says otherwise)."""
    details.setdefault("channel", "rest")
    handoff, _ = store.add(HandoffRequest(kind=kind, sender_id=sender, **details))
    return handoff


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


def sign_in(
    client: Client, email: str = EMAIL, password: str = PASSWORD, next_: Optional[str] = None
) -> requests.Response:
    """Fill in the login form as a browser would (its page first, for the CSRF cookie and field)."""
    form = client.get("/login" + (f"?{urlencode({'next': next_})}" if next_ else ""))
    assert form.status_code == 200
    fields = {"email": email, "password": password, "csrf_token": csrf_of(form.text)}
    fields["next"] = html_module.unescape(re.search(r'name="next" value="([^"]*)"', form.text).group(1))
    return client.post("/login", data=fields)
