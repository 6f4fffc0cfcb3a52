"""The staff JSON API: a live named token required, filters checked, the conversation with
each handoff, PATCH validated before anything changes, and every list, view and change
audited under the token's name ("api:<name>")."""

import http.client
import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.db.models import Handoff
from bot.handoffs.store import MAX_NOTE_LENGTH
from bot.staff.api_tokens import ApiTokens
from bot.transcripts.transcript import Turn
from tests.http_server import call
from tests.staff.conftest import TOKEN, TOKEN_NAME
from tests.staff.fixtures import add_handoff

COLUMNS = {column.name for column in Handoff.__table__.columns} - {"dedupe_key"}
AT = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
ACTOR = f"api:{TOKEN_NAME}"


def _patch(url: str, handoff_id: int, body: bytes):
    return call(f"{url}/api/handoffs/{handoff_id}", method="PATCH", token=TOKEN, body=body)


def _actions(audit, handoff_id):
    return [(entry.actor, entry.action, entry.detail) for entry in reversed(audit.entries(handoff_id=handoff_id))]


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
def test_requests_without_the_right_token_get_401_and_nothing_else(api, store, audit, headers):
    add_handoff(store, name="Ana Lima")
    for method, path in (("GET", "/api/handoffs"), ("GET", "/api/handoffs/1"), ("PATCH", "/api/handoffs/1")):
        status, response_headers, body = call(
            f"{api}{path}", method=method, headers=headers, body=b'{"status": "closed"}'
        )
        assert (status, body) == (401, {"error": "unauthorized"})
        assert response_headers["WWW-Authenticate"] == "Bearer"
    assert store.get(1).status == "new"
    assert audit.entries() == []


def test_a_garbled_authorization_header_is_a_401_not_a_crash(api):
    host, port = api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", "/api/handoffs")
    connection.putheader("Authorization", b"Bearer \xff\xfe" + TOKEN.encode())
    connection.endheaders()
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (401, {"error": "unauthorized"})
    connection.close()


def test_every_list_is_audited_with_the_token_time_filter_and_row_count(app_url, store, audit, clock):
    add_handoff(store, "a", name="Ana Lima", contact="ana@example.com", contact_kind="email")
    add_handoff(store, "b", kind="question", question="call me")
    assert len(call(f"{app_url}/api/handoffs", token=TOKEN)[2]) == 2
    clock.advance(timedelta(minutes=3))
    assert len(call(f"{app_url}/api/handoffs?status=new&kind=booking&limit=10&offset=0", token=TOKEN)[2]) == 1
    assert call(f"{app_url}/api/handoffs?offset=5", token=TOKEN)[2] == []
    entries = [(e.at, e.actor, e.action, e.handoff_id, e.detail) for e in reversed(audit.entries())]
    assert entries == [
        (
            clock.now - timedelta(minutes=3),
            ACTOR,
            "list_handoffs",
            None,
            "status=any kind=any limit=500 offset=0 rows=2",
        ),
        (clock.now, ACTOR, "list_handoffs", None, "status=new kind=booking limit=10 offset=0 rows=1"),
        (clock.now, ACTOR, "list_handoffs", None, "status=any kind=any limit=500 offset=5 rows=0"),
    ]
    assert not any("Ana" in (detail or "") or "ana@" in (detail or "") for *_, detail in entries)


def test_a_refused_filter_lists_nothing_and_audits_nothing(api, audit):
    assert call(f"{api}/api/handoffs?status=open", token=TOKEN)[0] == 400
    assert audit.entries() == []


def test_each_token_is_audited_under_its_name_and_a_revoked_one_is_refused_at_once(api, store, database, audit):
    tokens = ApiTokens(database)
    crm = tokens.issue("crm")
    handoff = add_handoff(store)
    assert call(f"{api}/api/handoffs", token=crm)[0] == 200
    assert call(f"{api}/api/handoffs/{handoff.id}", token=crm)[0] == 200
    tokens.revoke("crm")
    assert call(f"{api}/api/handoffs", token=crm)[::2] == (401, {"error": "unauthorized"})
    assert call(f"{api}/api/handoffs", token=TOKEN)[0] == 200  # the other integration is untouched
    assert [(e.actor, e.action) for e in reversed(audit.entries())] == [
        ("api:crm", "list_handoffs"),
        ("api:crm", "view_transcript"),
        (ACTOR, "list_handoffs"),
    ]
    assert [t.name for t in tokens.live()] == [TOKEN_NAME]


def test_the_list_is_newest_first_with_the_column_names(api, store):
    first = add_handoff(store, "a", name="Ana", contact="ana@example.com", contact_kind="email")
    second = add_handoff(store, "b", kind="screening", screening_answers={"pregnant_or_nursing": False},
                         screening_outcome="candidate")  # fmt: skip
    status, headers, body = call(f"{api}/api/handoffs", token=TOKEN)
    assert status == 200 and headers["content-type"] == "application/json"
    assert [item["id"] for item in body] == [second.id, first.id]
    assert all(set(item) == COLUMNS for item in body)
    assert body[1] == first.to_dict()
    assert body[0]["screening_answers"] == {"pregnant_or_nursing": False}


def test_filters_limit_and_offset(api, store):
    booking = add_handoff(store, "a")
    question = add_handoff(store, "b", kind="question", question="call me")
    screening = add_handoff(store, "c", kind="screening", screening_outcome="needs_review")
    store.set_status(booking.id, "contacted")
    store.set_status(screening.id, "closed")

    def ids(query):
        return [h["id"] for h in call(f"{api}/api/handoffs?{query}", token=TOKEN)[2]]

    assert ids("status=new") == [question.id]
    assert ids("status=contacted") == [booking.id]
    assert ids("status=closed") == [screening.id]
    assert ids("kind=booking") == [booking.id]
    assert ids("kind=question") == [question.id]
    assert ids("kind=screening") == [screening.id]
    assert ids("kind=booking&status=new") == []
    assert ids("limit=1") == [screening.id]
    assert ids("limit=1&offset=1") == [question.id]
    assert ids("offset=3") == []
    assert ids("status=&kind=") == [screening.id, question.id, booking.id]  # empty means "any"


@pytest.mark.parametrize(
    "query, mentions",
    [
        ("status=open", "new, contacted, closed"),
        ("kind=call", "booking, question, screening"),
        ("limit=0", "1 to 500"),
        ("limit=501", "1 to 500"),
        ("limit=ten", "1 to 500"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
    ],
)
def test_bad_filters_are_400_with_the_allowed_values(api, query, mentions):
    status, _, body = call(f"{api}/api/handoffs?{query}", token=TOKEN)
    assert status == 400
    assert mentions in body["error"]


def test_one_handoff_comes_with_its_conversation_notes_and_red_flag(app_url, store, transcripts, audit):
    handoff = add_handoff(store, "patient-7", name="Ana", contact="+15550100100", contact_kind="phone")
    other = add_handoff(store, "patient-8", name="Ben")
    store.add_note(handoff.id, "nurse@clinic.example", "Left a voicemail")
    transcripts.conversations["patient-7"] = [
        Turn("bot", "Hi! How can I help?", AT, None, buttons=("Book a visit", "Prices")),
        Turn("patient", "Book a visit", AT, "rest", chosen_button=True, intent="request_booking", confidence=1.0),
        Turn("patient", "my face is swelling <b>a lot</b>", AT, "twilio", intent="red_flag_emergency", red_flag=True),
    ]
    status, _, body = call(f"{app_url}/api/handoffs/{handoff.id}", token=TOKEN)
    assert status == 200
    assert {key: body[key] for key in handoff.to_dict()} == handoff.to_dict()
    assert body["red_flag"] is True
    assert body["transcript"] == [
        {"speaker": "bot", "text": "Hi! How can I help?", "at": "2026-03-01T09:30:00+00:00", "channel": None,
         "buttons": ["Book a visit", "Prices"], "chosen_button": False, "author": None},
        {"speaker": "patient", "text": "Book a visit", "at": "2026-03-01T09:30:00+00:00", "channel": "rest",
         "buttons": [], "chosen_button": True, "author": None},
        {"speaker": "patient", "text": "my face is swelling <b>a lot</b>", "at": "2026-03-01T09:30:00+00:00",
         "channel": "twilio", "buttons": [], "chosen_button": False, "author": None},
    ]  # fmt: skip
    assert [(note["author"], note["text"]) for note in body["notes"]] == [("nurse@clinic.example", "Left a voicemail")]
    assert call(f"{app_url}/api/handoffs/{other.id}", token=TOKEN)[2]["red_flag"] is False
    assert _actions(audit, handoff.id) == [(ACTOR, "view_transcript", None)]


def test_unknown_ids_are_404_and_change_nothing(api, store, audit):
    add_handoff(store)
    assert call(f"{api}/api/handoffs/999", token=TOKEN)[::2] == (404, {"error": "not found"})
    for body in (b'{"status": "closed"}', b'{"note": "hello"}', b'{"status": "closed", "note": "hello"}'):
        assert _patch(api, 999, body)[::2] == (404, {"error": "not found"})
    assert audit.entries() == []
    assert store.get(1).status == "new"


def test_patch_changes_the_status_and_audits_it(api, store, audit):
    handoff = add_handoff(store)
    status, _, body = _patch(api, handoff.id, json.dumps({"status": "contacted"}).encode())
    assert status == 200 and body["status"] == "contacted"
    assert store.get(handoff.id).status == "contacted"
    assert _patch(api, handoff.id, b'{"status": "contacted"}')[0] == 200  # no change: not audited
    assert _actions(audit, handoff.id) == [(ACTOR, "status_change", "new -> contacted")]


def test_patch_adds_a_note_and_audits_it_without_its_text(api, store, audit):
    handoff = add_handoff(store)
    status, _, body = _patch(api, handoff.id, json.dumps({"note": "  Booked for the 12th\r\nbring ID  "}).encode())
    assert status == 200 and body["status"] == "new"
    assert [(n["author"], n["text"]) for n in body["notes"]] == [(ACTOR, "Booked for the 12th\nbring ID")]
    assert [n.text for n in store.notes(handoff.id)] == ["Booked for the 12th\nbring ID"]
    entries = audit.entries(handoff_id=handoff.id)
    assert [(e.actor, e.action) for e in entries] == [(ACTOR, "add_note")]
    assert "Booked" not in (entries[0].detail or "")


def test_patch_with_status_and_note_does_both(api, store, audit):
    handoff = add_handoff(store)
    status, _, body = _patch(api, handoff.id, json.dumps({"status": "closed", "note": "done"}).encode())
    assert (status, body["status"], [n["text"] for n in body["notes"]]) == (200, "closed", ["done"])
    assert [action for _, action, _ in _actions(audit, handoff.id)] == ["status_change", "add_note"]


@pytest.mark.parametrize(
    "body, mentions",
    [
        (b"", "not JSON"),
        (b"not json", "not JSON"),
        (b'"contacted"', "status and a note"),
        (b"[]", "status and a note"),
        (b"{}", "status and a note"),
        (b'{"status": "closed", "name": "x"}', "status and a note"),
        (b'{"status": "done"}', "new, contacted, closed"),
        (b'{"status": 1}', "new, contacted, closed"),
        (b'{"status": null}', "new, contacted, closed"),
        (b'{"note": ""}', "empty"),
        (b'{"note": "   \\n\\t "}', "empty"),
        (b'{"note": 5}', "text"),
        (b'{"note": ["a"]}', "text"),
        (json.dumps({"note": "x" * (MAX_NOTE_LENGTH + 1)}).encode(), str(MAX_NOTE_LENGTH)),
        (b'{"status": "closed", "note": ""}', "empty"),
        (b'{"status": "bad", "note": "fine"}', "new, contacted, closed"),
    ],
)
def test_patch_refuses_bad_input_with_a_clear_message_and_changes_nothing(api, store, audit, body, mentions):
    handoff = add_handoff(store)
    status, _, response = _patch(api, handoff.id, body)
    assert status == 400 and mentions in response["error"]
    assert store.get(handoff.id).status == "new"
    assert store.notes(handoff.id) == []
    assert audit.entries() == []


def test_a_note_of_exactly_the_maximum_length_is_accepted(api, store):
    handoff = add_handoff(store)
    assert _patch(api, handoff.id, json.dumps({"note": "x" * MAX_NOTE_LENGTH}).encode())[0] == 200


def test_unknown_api_paths_are_json_404s(api):
    assert call(f"{api}/api/nothing", token=TOKEN)[::2] == (404, {"error": "not found"})


def test_open_red_flags_are_listed_first_with_their_groups(api, store):
    booking = add_handoff(store, "a", name="Ana")
    red_flag = add_handoff(
        store,
        "b",
        kind="red_flag",
        channel="twilio",
        question="fever of 102 and pus",
        contact="+16465550123",
        contact_kind="phone",
        red_flags=["fever", "infection"],
    )
    later = add_handoff(store, "c", kind="question", question="call me")
    status, _, body = call(f"{api}/api/handoffs", token=TOKEN)
    assert status == 200
    assert [item["id"] for item in body] == [red_flag.id, later.id, booking.id]
    assert body[0]["kind"] == "red_flag" and body[0]["red_flags"] == ["fever", "infection"]
    assert body[0]["question"] == "fever of 102 and pus" and body[0]["contact"] == "+16465550123"
    assert all(set(item) == COLUMNS for item in body) and body[1]["red_flags"] == []
    assert [item["id"] for item in call(f"{api}/api/handoffs?kind=red_flag", token=TOKEN)[2]] == [red_flag.id]
    store.set_status(red_flag.id, "contacted")
    assert [item["id"] for item in call(f"{api}/api/handoffs", token=TOKEN)[2]] == [later.id, red_flag.id, booking.id]
