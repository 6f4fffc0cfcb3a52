"""The action server answers only the Rasa servers: the shared secret, bounded bodies, no echo.

The real app (rasa-sdk's, with our actions and our guard) is served on a free port; the
Rasa side is Rasa's own `EndpointConfig`, read from the real `endpoints.yml`.
"""

import asyncio
import json
import zlib
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest
from rasa.core.utils import read_endpoints_from_path
from rasa.utils.endpoints import ClientResponseError
from sanic import Sanic

from bot.action_server.app import create_app, inflate
from bot.settings import PROJECT_ROOT
from tests.http_server import call, serving

TOKEN = "action-secret-0123456789"
MAX_BODY = 16 * 1024  # small, so the tests never allocate much
PATIENT_TEXT = "my private question about my face"


def action_call(padding: int = 0) -> Dict[str, Any]:
    """What Rasa posts to run `action_stop_form` during the booking form."""
    return {
        "next_action": "action_stop_form",
        "sender_id": "patient-1",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "patient-1",
            "slots": {},
            "latest_message": {"text": PATIENT_TEXT + " " * padding},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "booking_form"},
            "latest_action_name": "action_listen",
        },
    }


def post(url: str, body: bytes, token: Optional[str] = TOKEN, **headers: str) -> Tuple[int, Any]:
    status, _, answer = call(
        f"{url}/webhook", "POST", token=token, body=body, headers={"Content-Type": "application/json", **headers}
    )
    return status, answer


STOPPED = [{"response": "utter_booking_stopped"}]


def stopped(answer: Any) -> bool:
    """The action ran: it answered with the booking form's stop message."""
    return [{"response": r.get("response")} for r in answer["responses"]] == STOPPED


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    Sanic.test_mode = True  # several apps named rasa_sdk in one test process
    with serving(create_app(TOKEN, max_body=MAX_BODY)) as url:
        yield url


# --- the secret ------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-secret-0123456789", TOKEN[:-1]], ids=["none", "wrong", "prefix"])
def test_a_request_without_the_secret_is_refused_and_runs_nothing(server, token):
    status, answer = post(server, json.dumps(action_call()).encode(), token=token)
    assert (status, answer) == (401, {"error": "unauthorized"})
    assert call(f"{server}/actions", token=token)[0] == 401


def test_the_secret_in_the_query_string_is_not_accepted(server):
    status, _, _ = call(f"{server}/actions?token={TOKEN}")
    assert status == 401


def test_the_right_secret_runs_the_action(server):
    status, answer = post(server, json.dumps(action_call()).encode())
    assert status == 200 and stopped(answer)
    status, _, actions = call(f"{server}/actions", token=TOKEN)
    assert status == 200 and {"name": "action_stop_form"} in actions


def test_health_stays_open_for_the_launcher_and_load_balancers(server):
    assert call(f"{server}/health")[::2] == (200, {"status": "ok"})


def test_rasa_sends_the_secret_from_endpoints_yml_plain_and_compressed(server, monkeypatch):
    """The Rasa side as Rasa builds it: `action_endpoint` of the real endpoints.yml."""
    monkeypatch.setenv("ACTION_PORT", server.rsplit(":", 1)[1])
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    monkeypatch.setenv("TRACKER_DB", "unused.db")
    endpoint = read_endpoints_from_path(str(PROJECT_ROOT / "endpoints.yml")).action
    assert endpoint.url.startswith("http://localhost:") and not endpoint.token  # a header, not the query string
    for compress in (False, True):  # True: what COMPRESS_ACTION_SERVER_REQUEST=true makes Rasa send
        answer = asyncio.run(endpoint.request(json=action_call(), method="post", compress=compress))
        assert stopped(answer), compress
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "wrong-secret-0123456789")
    forged = read_endpoints_from_path(str(PROJECT_ROOT / "endpoints.yml")).action
    with pytest.raises(ClientResponseError) as refused:
        asyncio.run(forged.request(json=action_call(), method="post"))
    assert refused.value.status == 401


def test_the_prod_endpoints_send_the_same_header(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "5055")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://clinic@db.example/clinic")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    endpoint = read_endpoints_from_path(str(PROJECT_ROOT / "endpoints.prod.yml")).action
    assert endpoint.headers == {"Authorization": f"Bearer {TOKEN}"} and not endpoint.token


# --- bodies ----------------------------------------------------------------------------


def test_an_oversize_body_is_refused(server):
    body = json.dumps(action_call(padding=MAX_BODY)).encode()
    assert post(server, body)[0] == 413


def test_a_compressed_body_is_inflated_within_the_limit(server):
    status, answer = post(server, zlib.compress(json.dumps(action_call()).encode()), **{"Content-Encoding": "deflate"})
    assert status == 200 and stopped(answer)


def test_a_compressed_body_that_would_expand_past_the_limit_is_refused(server):
    bomb = zlib.compress(json.dumps(action_call(padding=100 * MAX_BODY)).encode(), 9)
    assert len(bomb) < MAX_BODY  # small on the wire: only inflating it would cost memory
    status, answer = post(server, bomb, **{"Content-Encoding": "deflate"})
    assert status == 413 and PATIENT_TEXT not in json.dumps(answer)


@pytest.mark.parametrize(
    "body, encoding, expected",
    [
        (b"not deflate at all", "deflate", 400),
        (zlib.compress(b'{"next_action": "x"}')[:-4], "deflate", 400),  # cut short
        (zlib.compress(b"{}") + b"trailing", "deflate", 400),
        (b"\x1f\x8b\x08\x00", "gzip", 415),
        (b"{}", "br", 415),
    ],
    ids=["garbage", "truncated", "trailing", "gzip", "brotli"],
)
def test_malformed_or_other_encodings_are_refused_not_crashed_on(server, body, encoding, expected):
    assert post(server, body, **{"Content-Encoding": encoding})[0] == expected


def test_inflate_never_produces_more_than_its_limit():
    bomb = zlib.compress(b"\0" * 10_000_000)
    with pytest.raises(Exception, match="inflates to more than 1000 bytes"):
        inflate(bomb, 1000)
    assert inflate(zlib.compress(b"x" * 1000), 1000) == b"x" * 1000


# --- errors ----------------------------------------------------------------------------


def test_an_error_answers_without_the_conversation(server):
    broken = action_call()
    del broken["tracker"]["sender_id"]  # rasa-sdk fails building the tracker
    status, answer = post(server, json.dumps(broken).encode())
    assert status == 500
    assert PATIENT_TEXT not in json.dumps(answer) and "request_body" not in answer


def test_no_browser_may_call_it_across_origins(server):
    status, headers, _ = call(f"{server}/actions", token=TOKEN, headers={"Origin": "https://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
