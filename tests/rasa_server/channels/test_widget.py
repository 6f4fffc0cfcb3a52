"""The widget channel serves its files, texts and demo page as Rasa mounts it (/webhooks/widget/),
and its conversations under ids the server issued and signed."""

import asyncio
import json
import re
import stat
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message
from types import SimpleNamespace
from typing import Iterator, Optional, Tuple

import pytest
from rasa.core.channels.channel import register
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.server import configure_cors
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.clinic_profile import ClinicProfile
from bot.rasa_server.channels.guard import MemoryRateLimiter
from bot.rasa_server.channels.rest import GuardedRestInput
from bot.rasa_server.channels.widget import STATIC_DIR, WidgetInput, served_script, widget_config
from bot.rasa_server.channels.widget_tokens import WidgetTokens
from bot.rasa_server.nlg import ClinicNLG
from bot.settings import PROJECT_ROOT, Settings, get_settings
from tests.http_server import call, serving
from tests.rasa_server.channels.test_rest import ScriptedBot

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
BASE = "/webhooks/widget"
ASSETS = {"widget.js": "text/javascript", "widget.css": "text/css", "demo": "text/html", "demo.css": "text/css"}
SECRET = "a-widget-secret-of-at-least-32-characters"
ORIGIN = "https://clinic.example"
LIMIT = 5


def _app(agent: Optional[object]) -> Sanic:
    """A Sanic app with the widget channel (and the REST one) registered as `rasa run --cors ORIGIN` registers them."""
    app = Sanic(f"widget-{uuid.uuid4().hex}")
    if agent is not None:
        app.ctx.agent = agent
    configure_cors(app, [ORIGIN])
    widget = WidgetInput(MemoryRateLimiter(LIMIT, 60), WidgetTokens(SECRET))
    register([widget, GuardedRestInput(MemoryRateLimiter(LIMIT, 60))], app, route="/webhooks/")
    return app


def _get(url: str) -> Tuple[int, Message, bytes]:
    """(status, case-insensitive headers, raw body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def _config(url: str) -> Tuple[int, Message, dict]:
    status, headers, body = _get(f"{url}/config.json")
    return status, headers, json.loads(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(_app(SimpleNamespace(domain=DOMAIN))) as url:
        yield url + BASE


def test_the_channel_is_named_for_its_mount_point():
    assert WidgetInput.name() == "widget"


def test_health_route_answers(server):
    status, _, body = _get(f"{server}/")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


@pytest.mark.parametrize("path, content_type", ASSETS.items())
def test_assets_have_their_content_type_and_safe_headers(server, path, content_type):
    status, headers, body = _get(f"{server}/{path}")
    assert status == 200 and body
    assert headers["Content-Type"].startswith(content_type)
    assert headers["X-Content-Type-Options"] == "nosniff"
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
    assert 0 < max_age <= 3600


@pytest.mark.parametrize("path", ASSETS)
def test_assets_name_no_other_site(server, path):
    _, _, body = _get(f"{server}/{path}")
    assert not re.search(rb"https?://", body), "the widget must not load or link anything from another origin"


def test_the_script_never_writes_html(server):
    _, _, script = _get(f"{server}/widget.js")
    for sink in (b"innerHTML", b"outerHTML", b"insertAdjacentHTML", b"document.write", b"eval(", b"new Function"):
        assert sink not in script


def test_demo_page_has_only_the_embed_tag_under_a_strict_policy(server):
    _, headers, body = _get(f"{server}/demo")
    page = body.decode()
    assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/webhooks/widget/widget.js" defer>']
    assert "<style" not in page and " style=" not in page
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_demo_page_is_named_for_the_clinic_of_the_profile(server):
    page = _get(f"{server}/demo")[2].decode()
    assert f"<title>{get_settings().clinic.name} - " in page and "{clinic_name}" not in page
    assert '<link rel="stylesheet" href="/webhooks/widget/demo.css">' in page


def test_config_speaks_with_the_domains_greeting_and_notice(server):
    status, headers, config = _config(server)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    clinic = get_settings().clinic
    assert config["clinic"] == {
        "name": clinic.name,
        "phone": clinic.phone,
        "emergency_number": clinic.emergency_number,
        "demo": clinic.demo,
    }
    nlg = ClinicNLG(domain=DOMAIN, clinic=clinic)
    assert config["greeting"]["text"] == nlg.generate_from_slots("utter_greet", {}, "rest")["text"]
    assert clinic.name in config["greeting"]["text"]
    expected_buttons = [
        {"title": b["title"], "payload": b["payload"]} for b in DOMAIN.responses["utter_greet"][0]["buttons"]
    ]
    assert config["greeting"]["buttons"] == expected_buttons
    assert config["notice"] == DOMAIN.responses["utter_web_notice"][0]["text"]
    assert "not for emergencies" in config["notice"]
    assert "symptom" in config["notice"] and "don't" not in config["notice"]  # never discourages describing one


def test_config_carries_the_profiles_phone(monkeypatch):
    clinic = ClinicProfile(name="Demo Skin", phone="(555) 010-0100", emergency_number="112")
    monkeypatch.setattr("bot.rasa_server.channels.widget.get_settings", lambda: SimpleNamespace(clinic=clinic))
    assert widget_config(DOMAIN)["clinic"] == {
        "name": "Demo Skin",
        "phone": "(555) 010-0100",
        "emergency_number": "112",
        "demo": False,
    }


def test_the_shipped_demo_profile_is_labelled_as_a_demo_with_its_number(server):
    assert get_settings().clinic.demo, "clinic/profile.yml ships as the demo profile"
    clinic = _config(server)[2]["clinic"]
    assert clinic["demo"] is True and clinic["phone"]


def test_the_served_script_knows_the_clinics_number_without_config_json(server):
    script = _get(f"{server}/widget.js")[2].decode()
    clinic = get_settings().clinic
    served = json.loads(re.search(r"var SERVED = (\{.*?\});", script).group(1))
    assert served == {
        "clinicName": clinic.name,
        "clinicPhone": clinic.phone,
        "emergencyNumber": clinic.emergency_number,
        "demo": clinic.demo,
    }
    assert "var SERVED = {};" not in script


def test_the_served_values_cannot_break_out_of_the_script():
    clinic = ClinicProfile(name='</script><script>alert(1)</script> "Skin"', phone="(555) 010-0100")
    script = served_script((STATIC_DIR / "widget.js").read_bytes(), clinic).decode()
    served = re.search(r"var SERVED = (\{.*?\});\n", script).group(1)
    assert "<" not in served and json.loads(served)["clinicName"] == clinic.name


def test_the_widgets_safety_line_is_worded_as_the_bots():
    """widget.js builds "Worried about ...? Call <phone>. Emergency: 911." itself (the phone as a link)."""
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    start = re.search(r'safetyStart: "([^"]+)"', script).group(1)
    emergency = re.search(r'safetyEmergency: "([^"]+)"', script).group(1)
    clinic = ClinicProfile(name="Demo Skin", phone="(555) 010-0100")
    assert f"{start}{clinic.phone}{emergency}{clinic.emergency_number}." == clinic.safety_line
    assert "directly" not in script


@pytest.mark.parametrize("agent", [None, SimpleNamespace(domain=None)], ids=["no agent", "no model"])
def test_config_is_unavailable_until_a_model_is_loaded(agent):
    with serving(_app(agent)) as url:
        status, headers, body = _config(url + BASE)
        assert status == 503 and body == {"error": "assistant not ready"}
        assert headers["Cache-Control"] == "no-store"
        assert _get(f"{url}{BASE}/widget.js")[0] == 200  # the launcher still loads


def test_config_is_unavailable_when_the_domain_lacks_the_greeting():
    with serving(_app(SimpleNamespace(domain=Domain.empty()))) as url:
        assert _config(url + BASE)[0] == 503


# --- conversations under server-issued ids -------------------------------------------


class Agent(ScriptedBot):
    """The scripted bot, with a tracker store the history route reads, as Rasa's agent has."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.tracker_store = InMemoryTrackerStore(domain)

    def remember(self, sender_id: str, *events) -> None:
        asyncio.run(self.tracker_store.save(DialogueStateTracker.from_events(sender_id, list(events), DOMAIN.slots)))


@pytest.fixture
def agent() -> Agent:
    return Agent(DOMAIN)


@pytest.fixture
def site(agent) -> Iterator[str]:
    with serving(_app(agent)) as url:
        yield url


def _post(url: str, body: object) -> Tuple[int, dict, object]:
    data = json.dumps(body).encode("utf-8")
    return call(url, "POST", body=data, headers={"Content-Type": "application/json", "Origin": ORIGIN})


def _token(site: str) -> str:
    status, headers, body = _post(f"{site}{BASE}/conversations", {})
    assert status == 200 and headers["Cache-Control"] == "no-store"
    return body["token"]


def test_each_conversation_gets_its_own_signed_token(site):
    tokens = {_token(site) for _ in range(5)}
    assert len(tokens) == 5
    assert all(WidgetTokens(SECRET).conversation(token) for token in tokens)


def test_a_message_with_its_token_reaches_the_bot_in_the_widgets_own_conversation(site, agent):
    token = _token(site)
    status, _, messages = _post(f"{site}{BASE}/webhook", {"sender": token, "message": "/faq_pain"})
    conversation = WidgetTokens(SECRET).conversation(token)
    assert status == 200 and messages == [{"recipient_id": conversation, "text": "echo: /faq_pain"}]
    [message] = agent.received
    assert message.sender_id == conversation and conversation.startswith("widget:")
    assert (message.input_channel, message.metadata) == ("widget", None)
    _post(f"{site}{BASE}/webhook", {"sender": token, "message": "and after?"})
    assert [m.sender_id for m in agent.received] == [conversation, conversation]


def _forged(site: str) -> dict:
    genuine = _token(site)
    conversation, _, signature = genuine.partition(".")
    return {
        "an old widget's own id": str(uuid.uuid4()),
        "a hex id": uuid.uuid4().hex,
        "an id without its signature": conversation,
        "an altered id": ("B" if conversation[0] == "A" else "A") + conversation[1:] + "." + signature,
        "an altered signature": conversation + "." + signature[::-1],
        "another server's token": WidgetTokens("another-secret-" + "x" * 32).issue(),
        "a stored sender id": WidgetTokens(SECRET).conversation(genuine),
        "an SMS patient's conversation": "sms:+16465550123",
    }


def test_a_forged_or_unsigned_id_is_refused_and_reaches_nothing(site, agent):
    for why, sender in _forged(site).items():
        status, headers, body = _post(f"{site}{BASE}/webhook", {"sender": sender, "message": "what did I book?"})
        assert status == 403 and "unknown conversation" in body["error"], why
        assert headers["Access-Control-Allow-Origin"] == ORIGIN  # the widget can read it, and ask for a new one
        status, _, body = _post(f"{site}{BASE}/history", {"sender": sender})
        assert status == 403 and "messages" not in body, why
    assert agent.received == []


def test_the_rest_channel_cannot_reach_a_widget_conversation(site, agent):
    token = _token(site)
    conversation = WidgetTokens(SECRET).conversation(token)
    for sender in (token, conversation):
        assert _post(f"{site}/webhooks/rest/webhook", {"sender": sender, "message": "hi"})[0] == 200
    assert [m.sender_id for m in agent.received] == [f"rest:{token}", f"rest:{conversation}"]


def test_the_history_is_the_conversations_current_session_for_its_token_only(site, agent):
    token, other = _token(site), _token(site)
    now = time.time()
    agent.remember(
        WidgetTokens(SECRET).conversation(token),
        ActionExecuted("action_session_start", timestamp=now - 60),
        SessionStarted(timestamp=now - 60),
        SlotSet("booking_name", "Priya Shah", timestamp=now - 60),
        UserUttered("how long does numbing take?", timestamp=now - 50),
        BotUttered(
            "About 45-60 minutes.",
            {"buttons": [{"title": "Does it hurt?", "payload": "/faq_pain"}]},
            timestamp=now - 49,
        ),
        UserUttered("/faq_pain", timestamp=now - 40),
        BotUttered(
            "Most people feel mild discomfort.",
            {"buttons": [{"title": "Book", "payload": "/request_booking"}]},
            timestamp=now - 39,
        ),
    )
    status, headers, body = _post(f"{site}{BASE}/history", {"sender": token})
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert body["taken_over"] is False
    assert [message.pop("at") for message in body["messages"]] == pytest.approx(
        [now - 50, now - 49, now - 40, now - 39]
    )
    assert body == {
        "taken_over": False,
        "messages": [
            {"from": "user", "text": "how long does numbing take?"},
            {"from": "bot", "text": "About 45-60 minutes."},
            {"from": "user", "text": "Does it hurt?"},
            {
                "from": "bot",
                "text": "Most people feel mild discomfort.",
                "buttons": [{"title": "Book", "payload": "/request_booking"}],
            },
        ],
    }
    assert _post(f"{site}{BASE}/history", {"sender": other})[2] == {"messages": [], "taken_over": False}


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"sender": 7}', b'{"message": "hi"}'])
def test_a_history_request_without_a_token_is_refused(site, body):
    status, _, answer = call(f"{site}{BASE}/history", "POST", body=body, headers={"Content-Type": "application/json"})
    assert status == 403 and "error" in answer


def test_the_history_waits_for_a_model(agent):
    agent.domain = None
    with serving(_app(agent)) as url:
        token = _token(url)
        assert _post(f"{url}{BASE}/history", {"sender": token})[0] == 503


def test_the_widget_is_rate_limited_per_conversation(site, agent):
    token = _token(site)
    for _ in range(LIMIT):
        assert _post(f"{site}{BASE}/webhook", {"sender": token, "message": "hi"})[0] == 200
    status, _, [answer] = _post(f"{site}{BASE}/webhook", {"sender": token, "message": "hi"})
    assert status == 200 and "faster than I can answer" in answer["text"]
    assert len(agent.received) == LIMIT
    assert _post(f"{site}{BASE}/webhook", {"sender": _token(site), "message": "hi"})[0] == 200


def test_the_channel_from_credentials_keeps_its_secret_in_a_private_file(tmp_path, monkeypatch):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path / "var")})
    monkeypatch.setattr("bot.rasa_server.channels.widget.get_settings", lambda: settings)
    token = WidgetInput.from_credentials(None).tokens.issue()
    assert stat.S_IMODE(settings.widget_secret_file.stat().st_mode) == 0o600
    assert WidgetInput.from_credentials(None).tokens.conversation(token)  # the same secret after a restart
