"""The staff API over HTTP: token required, JSON in and out, and no internals in errors."""
import http.client
import json

import pytest

from bot.db.models import Handoff
from bot.handoffs import HandoffStoreUnavailable
from bot.handoffs.request import HandoffRequest
from bot.staff.app import create_app
from tests.staff.conftest import TOKEN
from tests.staff.server import call, serving

COLUMNS = {column.name for column in Handoff.__table__.columns} - {"dedupe_key"}


def _add(store, sender="patient-1", kind="booking", **details):
    handoff, _ = store.add(HandoffRequest(kind=kind, sender_id=sender, channel="rest", **details))
    return handoff


def test_health_needs_no_token_and_says_only_ok(api):
    assert call(f"{api}/healthz")[::2] == (200, {"ok": True})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-but-long-enough"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN} {TOKEN}"},
    ],
)
def test_requests_without_the_right_token_get_401_and_nothing_else(api, store, headers):
    _add(store, name="Ana Lima")
    for method, path in (("GET", "/api/handoffs"), ("GET", "/api/handoffs/1"), ("PATCH", "/api/handoffs/1")):
        status, response_headers, body = call(f"{api}{path}", method=method, headers=headers, body=b'{"status": "closed"}')
        assert (status, body) == (401, {"error": "unauthorized"})
        assert response_headers["WWW-Authenticate"] == "Bearer"
    assert store.get(1).status == "new"


def test_a_garbled_authorization_header_is_a_401_not_a_crash(api):
    host, port = api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", "/api/handoffs")
    connection.putheader("Authorization", b"Bearer \xff\xfe" + TOKEN.encode())
    connection.endheaders()
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (401, {"error": "unauthorized"})
    connection.close()


def test_the_list_is_newest_first_with_the_column_names(api, store):
    first = _add(store, "a", name="Ana", contact="ana@example.com", contact_kind="email")
    second = _add(store, "b", kind="screening", screening_answers={"pregnant_or_nursing": False},
                  screening_outcome="candidate")
    status, headers, body = call(f"{api}/api/handoffs", token=TOKEN)
    assert status == 200 and headers["content-type"] == "application/json"
    assert [item["id"] for item in body] == [second.id, first.id]
    assert all(set(item) == COLUMNS for item in body)
    assert body[1] == first.to_dict()
    assert body[0]["screening_answers"] == {"pregnant_or_nursing": False}


def test_filters_limit_and_offset(api, store):
    booking = _add(store, "a")
    question = _add(store, "b", kind="question", question="call me")
    store.set_status(booking.id, "contacted")
    assert [h["id"] for h in call(f"{api}/api/handoffs?status=new", token=TOKEN)[2]] == [question.id]
    assert [h["id"] for h in call(f"{api}/api/handoffs?kind=booking", token=TOKEN)[2]] == [booking.id]
    assert call(f"{api}/api/handoffs?kind=booking&status=new", token=TOKEN)[2] == []
    assert [h["id"] for h in call(f"{api}/api/handoffs?limit=1&offset=1", token=TOKEN)[2]] == [booking.id]


@pytest.mark.parametrize(
    "query, mentions",
    [
        ("status=open", "new, contacted, closed"),
        ("kind=call", "booking, question, screening"),
        ("limit=0", "1 to 500"),
        ("limit=501", "1 to 500"),
        ("limit=ten", "1 to 500"),
        ("offset=-1", "offset"),
    ],
)
def test_bad_filters_are_400_with_the_allowed_values(api, query, mentions):
    status, _, body = call(f"{api}/api/handoffs?{query}", token=TOKEN)
    assert status == 400
    assert mentions in body["error"]


def test_one_handoff_by_id_or_404(api, store):
    handoff = _add(store, name="Ana")
    assert call(f"{api}/api/handoffs/{handoff.id}", token=TOKEN)[::2] == (200, handoff.to_dict())
    assert call(f"{api}/api/handoffs/999", token=TOKEN)[::2] == (404, {"error": "not found"})


def test_patch_changes_the_status(api, store):
    handoff = _add(store)
    status, _, body = call(f"{api}/api/handoffs/{handoff.id}", method="PATCH", token=TOKEN,
                           body=json.dumps({"status": "contacted"}).encode())
    assert status == 200 and body["status"] == "contacted"
    assert store.get(handoff.id).status == "contacted"
    assert call(f"{api}/api/handoffs/999", method="PATCH", token=TOKEN, body=b'{"status": "closed"}')[0] == 404


@pytest.mark.parametrize(
    "body", [b"", b"not json", b'"contacted"', b'{"status": "done"}', b'{"status": 1}', b'{"status": "closed", "name": "x"}']
)
def test_patch_refuses_anything_but_a_known_status(api, store, body):
    handoff = _add(store)
    status, _, response = call(f"{api}/api/handoffs/{handoff.id}", method="PATCH", token=TOKEN, body=body)
    assert status == 400 and "status" in response["error"]
    assert store.get(handoff.id).status == "new"


def test_unknown_paths_are_json_404s(api):
    assert call(f"{api}/api/nothing", token=TOKEN)[::2] == (404, {"error": "not found"})


class DownStore:
    def list(self, **filters):
        raise HandoffStoreUnavailable("the handoff database is unavailable: connection refused to db.internal:5432")

    get = set_status = list


class BuggyStore:
    def list(self, **filters):
        raise KeyError("secret internal detail")


@pytest.mark.parametrize(
    "store_, expected",
    [(DownStore(), (503, {"error": "handoff store unavailable"})), (BuggyStore(), (500, {"error": "internal error"}))],
)
def test_failures_are_json_without_internals(settings, store_, expected):
    with serving(create_app(settings, store=store_)) as url:
        status, _, body = call(f"{url}/api/handoffs", token=TOKEN)
    assert (status, body) == expected


def test_a_database_that_is_down_is_503(with_unreachable_database):
    status, _, body = call(f"{with_unreachable_database}/api/handoffs", token=TOKEN)
    assert (status, body) == (503, {"error": "handoff store unavailable"})
