"""The console's review pages over HTTP (bot/staff/review.py): a message's conversation, the
reviewed list, the new-answers list, and the Retrain page and button (CSRF, one job at a
time, "starting" at once)."""

from __future__ import annotations

import re
import sys
import time
from datetime import timedelta
from typing import Iterator

import pytest

from bot.db.engine import dispose_engines
from bot.retraining.progress import KEPT, STARTING, Progress
from bot.staff.app import create_app
from bot.transcripts.transcript import Turn
from bot.transcripts.unanswered import UnansweredMessage
from tests.http_server import serving
from tests.staff.fixtures import Client, csrf_of, sign_in

HELD = "import time; time.sleep(30)"  # a job that is still running while the test looks


def _review(client: Client, decision: str, picked: int = 0, **fields: str):
    """Tick every text of the `picked`-th group on the to-do list and decide."""
    page = client.get("/unanswered").text
    form = re.findall(r'<form method="post" action="/unanswered/review".*?</form>', page, re.S)[picked]
    keys = re.findall(r'name="key" value="([^"]+)"', form)
    return client.post(
        "/unanswered/review", data={"csrf_token": csrf_of(page), "key": keys, "decision": decision, **fields}
    )


def _seed(transcripts, clock, *texts: str, sender: str = "rest:p") -> None:
    for number, text in enumerate(texts, start=len(transcripts.unanswered_messages) + 1):
        transcripts.unanswered_messages.append(
            UnansweredMessage(f"{sender}{number}", text, clock() - timedelta(hours=number), "fallback", number)
        )


def test_a_messages_conversation_is_shown_to_staff_and_audited_by_the_events_id(signed_in, transcripts, clock, audit):
    _seed(transcripts, clock, "is it ok to swim after, I am Maria Gonzalez")
    transcripts.conversations["rest:p1"] = [
        Turn("patient", "is it ok to swim after", clock(), "rest"),
        Turn("bot", "Sorry, I did not understand.", clock(), None),
    ]
    page = signed_in.get("/unanswered")
    assert '<a href="/unanswered/message/1">Conversation</a>' in page.text and "rest:p1" not in page.text
    conversation = signed_in.get("/unanswered/message/1")
    assert conversation.status_code == 200
    assert "is it ok to swim after" in conversation.text and "Sorry, I did not understand." in conversation.text
    assert "rest:p1" not in conversation.text
    assert [(e.action, e.detail) for e in audit.entries()][0] == ("view_conversation", "unanswered message 1")


def test_an_unknown_message_is_a_404_and_not_audited(signed_in, audit):
    assert signed_in.get("/unanswered/message/99").status_code == 404
    assert "view_conversation" not in [entry.action for entry in audit.entries()]


@pytest.mark.parametrize(
    "path", ["/unanswered/message/1", "/unanswered/new-answers", "/unanswered?reviewed=1", "/retrain"]
)
def test_the_pages_are_for_staff_only(app_url, transcripts, clock, path):
    _seed(transcripts, clock, "secret question")
    response = Client(app_url).get(path)
    assert response.status_code in (302, 303) and response.headers["Location"].startswith("/login")


def test_decisions_leave_the_to_do_list_and_are_listed_redacted_with_who_decided(signed_in, transcripts, clock, audit):
    _seed(transcripts, clock, "can I swim after, call 917 555 0163", "win a free phone now")
    assert _review(signed_in, "assign", intent="aftercare_first_48h").status_code == 303
    assert _review(signed_in, "ignore").status_code == 303
    assert "Nothing left to review" in signed_in.get("/unanswered").text
    reviewed = signed_in.get("/unanswered?reviewed=1")
    assert reviewed.status_code == 200 and "2 decisions" in reviewed.text
    rows = re.findall(r"<tr>\s*<td class=\"text\">“(.*?)”</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", reviewed.text, re.S)
    assert sorted(rows) == [
        ("can I swim after, call [contact]", "Assigned: Aftercare: first 48h", "nurse@clinic.example"),
        ("win a free phone now", "Ignored", "nurse@clinic.example"),
    ]
    assert "0163" not in reviewed.text
    assert [e.detail for e in audit.entries() if e.action == "review_unanswered"] == [
        "ignore 1 text(s)",
        "assign 1 text(s) as aftercare_first_48h",
    ]


@pytest.mark.parametrize(
    "fields, said",
    [({"intent": "not_an_intent"}, "Choose one of the questions"), ({"intent": ""}, "choose the question")],
)
def test_an_assignment_to_no_known_question_is_a_400_and_saves_nothing(signed_in, transcripts, clock, fields, said):
    _seed(transcripts, clock, "can I swim after")
    response = _review(signed_in, "assign", **fields)
    assert response.status_code == 400 and said in response.text
    assert "can I swim after" in signed_in.get("/unanswered").text


def test_a_review_without_the_csrf_token_is_refused(signed_in, transcripts, clock):
    _seed(transcripts, clock, "can I swim after")
    page = signed_in.get("/unanswered").text
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    response = signed_in.post("/unanswered/review", data={"key": key, "decision": "ignore"})
    assert response.status_code == 403 and "can I swim after" in signed_in.get("/unanswered").text


def test_new_answers_are_listed_with_how_many_patients_asked_most_first(signed_in, transcripts, clock):
    _seed(
        transcripts, clock, "do you do lip filler", "do you do lip filler?", "Do you do lip filler", "tattoo removal?"
    )
    transcripts.unanswered_messages[2] = UnansweredMessage("rest:p1", "Do you do lip filler", clock(), "fallback", 3)
    assert _review(signed_in, "new_answer", picked=1, note="no tattoo removal here").status_code == 303
    assert _review(signed_in, "new_answer", note="fillers: <b>ask Dr Ana</b>").status_code == 303
    page = signed_in.get("/unanswered/new-answers")
    counts = re.findall(r"<strong>(\d+)</strong> patients? asked", page.text)
    assert counts == ["2", "1"]  # three lip filler messages from two patients, then one
    assert "fillers: &lt;b&gt;ask Dr Ana&lt;/b&gt;" in page.text and "<b>ask" not in page.text
    assert page.text.index("lip filler") < page.text.index("tattoo removal")


@pytest.fixture
def retrain_app(settings, store, clock, transcripts, tmp_path) -> Iterator[tuple]:
    """A console whose Retrain button starts a stand-in job (it sleeps) and keeps its status under tmp_path."""
    app = create_app(settings, clock=clock, transcripts=transcripts)
    app.ctx.retrain = Progress(tmp_path / "retrain")
    app.ctx.retrain_command = [sys.executable, "-c", HELD]
    with serving(app) as url:
        yield url, app
    dispose_engines()


def _signed_in(url: str, account) -> Client:
    client = Client(url)
    assert sign_in(client).status_code == 303
    return client


def test_the_retrain_page_says_it_never_ran_and_offers_the_button(retrain_app, account):
    url, _ = retrain_app
    page = _signed_in(url, account).get("/retrain")
    assert page.status_code == 200 and "No retrain has run yet." in page.text
    assert '<form method="post" action="/retrain">' in page.text and csrf_of(page.text)
    assert '<script src="/static/live.js" defer></script>' in page.text


def test_pressing_retrain_says_starting_at_once_and_a_second_press_starts_nothing(retrain_app, account, audit):
    url, app = retrain_app
    client = _signed_in(url, account)
    token = csrf_of(client.get("/retrain").text)
    before = client.get("/retrain/live").json()["version"]
    pressed = client.post("/retrain", data={"csrf_token": token})
    assert pressed.status_code == 303 and pressed.headers["Location"] == "/retrain"
    page = client.get("/retrain").text
    assert "<strong>Starting:</strong>" in page and 'action="/retrain"' not in page  # no lag, no second button
    assert client.get("/retrain/live").json()["version"] != before
    assert app.ctx.retrain.status()["state"] == STARTING
    assert client.post("/retrain", data={"csrf_token": token}).status_code == 303
    started = [entry.detail for entry in audit.entries() if entry.action == "start_retrain"]
    assert len(started) == 1 and started[0].startswith("pid ")
    _stop(int(started[0].split()[1]))


def test_retrain_without_the_csrf_token_starts_nothing(retrain_app, account, audit):
    url, app = retrain_app
    client = _signed_in(url, account)
    client.get("/retrain")
    assert client.post("/retrain", data={}).status_code == 403
    assert app.ctx.retrain.status() is None and "start_retrain" not in [e.action for e in audit.entries()]


def test_a_finished_job_shows_its_result_and_report(retrain_app, account):
    url, app = retrain_app
    progress: Progress = app.ctx.retrain
    progress.update(KEPT, "kept: the new model passed the gate", report="20261201T090000Z.md")
    (progress.directory / "20261201T090000Z.md").write_text("| red_flags | 1.0000 | 1.0000 | ok |\n<script>")
    page = _signed_in(url, account).get("/retrain").text
    assert "<strong>Kept:</strong> kept: the new model passed the gate" in page
    assert "| red_flags | 1.0000 | 1.0000 | ok |" in page and "&lt;script&gt;" in page
    assert 'action="/retrain"' in page  # another run may start


def _stop(pid: int) -> None:
    """End the stand-in job this test started (by its id)."""
    import os
    import signal

    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
