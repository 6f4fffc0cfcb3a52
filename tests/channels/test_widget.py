"""The widget channel serves its files, texts and demo page as Rasa mounts it (/webhooks/widget/)."""
import json
import re
import urllib.error
import urllib.request
import uuid
from email.message import Message
from types import SimpleNamespace
from typing import Iterator, Optional, Tuple

import pytest
from rasa.core.channels.channel import register
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.widget import STATIC_DIR, WidgetInput, served_script, widget_config
from bot.nlg import ClinicNLG
from bot.settings import PROJECT_ROOT, ClinicProfile, get_settings
from tests.http_server import serving

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
BASE = "/webhooks/widget"
ASSETS = {"widget.js": "text/javascript", "widget.css": "text/css", "demo": "text/html", "demo.css": "text/css"}


def _app(agent: Optional[object]) -> Sanic:
    """A Sanic app with the widget channel registered exactly as `rasa run` registers it."""
    app = Sanic(f"widget-{uuid.uuid4().hex}")
    if agent is not None:
        app.ctx.agent = agent
    register([WidgetInput.from_credentials(None)], app, route="/webhooks/")
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
        "name": clinic.name, "phone": clinic.phone, "emergency_number": clinic.emergency_number, "demo": clinic.demo,
    }
    nlg = ClinicNLG(domain=DOMAIN, clinic=clinic)
    assert config["greeting"]["text"] == nlg.generate_from_slots("utter_greet", {}, "rest")["text"]
    assert clinic.name in config["greeting"]["text"]
    expected_buttons = [{"title": b["title"], "payload": b["payload"]} for b in DOMAIN.responses["utter_greet"][0]["buttons"]]
    assert config["greeting"]["buttons"] == expected_buttons
    assert config["notice"] == DOMAIN.responses["utter_web_notice"][0]["text"]
    assert "not for emergencies" in config["notice"]
    assert "symptom" in config["notice"] and "don't" not in config["notice"]  # never discourages describing one


def test_config_carries_the_profiles_phone(monkeypatch):
    clinic = ClinicProfile(name="Demo Skin", phone="(555) 010-0100", emergency_number="112")
    monkeypatch.setattr("bot.channels.widget.get_settings", lambda: SimpleNamespace(clinic=clinic))
    assert widget_config(DOMAIN)["clinic"] == {
        "name": "Demo Skin", "phone": "(555) 010-0100", "emergency_number": "112", "demo": False,
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
        "clinicName": clinic.name, "clinicPhone": clinic.phone, "emergencyNumber": clinic.emergency_number,
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
