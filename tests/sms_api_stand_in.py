"""A stand-in for Twilio's Messages API on loopback, so no test ever texts a real phone.

It answers `POST /2010-04-01/Accounts/<AccountSid>/Messages.json` as Twilio does: HTTP
basic auth with the account SID and auth token (401 otherwise), 201 with the message's
JSON, or 400 with Twilio's error JSON (code 21610) for a number that texted STOP to
Twilio. It keeps every message it accepted, and `report` posts a delivery report to the
message's StatusCallback, signed with the auth token as Twilio signs it (computed by
the `twilio` library itself).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Set

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from tests.http_server import serving

ACCOUNT_SID = "AC" + "5" * 32
_sids = itertools.count(1)


@dataclass
class SentText:
    """One message the stand-in accepted, as the API received it."""

    sid: str
    to: str
    from_: str
    body: str
    status_callback: Optional[str]


@dataclass
class MessagesApi:
    """What the stand-in saw and how it answers; `url` is its base URL once it serves."""

    auth_token: str
    account_sid: str = ACCOUNT_SID
    unsubscribed: Set[str] = field(default_factory=set)  # numbers Twilio itself refuses (21610)
    sent: List[SentText] = field(default_factory=list)
    refused: List[Dict[str, str]] = field(default_factory=list)
    url: str = ""

    def to(self, phone: str) -> List[SentText]:
        """The texts accepted for `phone`, oldest first."""
        return [text for text in self.sent if text.to == phone]

    def report(self, text: SentText, status: str, error_code: Optional[str] = None) -> int:
        """Post Twilio's delivery report for `text` to its StatusCallback; the HTTP status."""
        assert text.status_callback, "the message was sent without a StatusCallback"
        params = {
            "MessageSid": text.sid,
            "SmsSid": text.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": self.account_sid,
            "From": text.from_,
            "To": text.to,
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        signature = RequestValidator(self.auth_token).compute_signature(text.status_callback, params)
        request = urllib.request.Request(
            text.status_callback,
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)


def _app(api: MessagesApi) -> Sanic:
    app = Sanic(f"messages_api_stand_in_{uuid.uuid4().hex[:8]}")

    @app.post("/2010-04-01/Accounts/<account>/Messages.json")
    async def create(request: Request, account: str) -> HTTPResponse:
        expected = base64.b64encode(f"{api.account_sid}:{api.auth_token}".encode()).decode()
        if account != api.account_sid or request.headers.get("authorization") != f"Basic {expected}":
            return response.json({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = {key: values[0] for key, values in urllib.parse.parse_qs(request.body.decode()).items()}
        if form.get("To") in api.unsubscribed:
            api.refused.append(form)
            return response.json(
                {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}, status=400
            )
        text = SentText(f"SM{next(_sids):032x}", form["To"], form["From"], form["Body"], form.get("StatusCallback"))
        api.sent.append(text)
        return response.json(
            {
                "sid": text.sid,
                "account_sid": api.account_sid,
                "to": text.to,
                "from": text.from_,
                "body": text.body,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
            },
            status=201,
        )

    return app


@contextlib.contextmanager
def messages_api(auth_token: str, unsubscribed: Optional[Set[str]] = None) -> Iterator[MessagesApi]:
    """The stand-in, serving on a free loopback port while the block runs."""
    api = MessagesApi(auth_token, unsubscribed=set(unsubscribed or ()))
    with serving(_app(api)) as url:
        api.url = url
        yield api
