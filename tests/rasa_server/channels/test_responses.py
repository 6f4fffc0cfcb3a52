"""Channels render domain responses with the clinic's details, per channel."""

from types import SimpleNamespace

import pytest
from rasa.shared.core.domain import Domain

from bot.rasa_server.channels.responses import DomainNotLoaded, render, render_text, request_domain
from bot.settings import PROJECT_ROOT, get_settings


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def _request(agent) -> SimpleNamespace:
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)))


def test_the_clinic_profile_fills_the_placeholders(domain):
    text = render(domain, "utter_sms_help", "twilio")["text"]
    assert get_settings().clinic.name in text and "{" not in text


def test_the_channel_picks_its_own_variant(domain):
    assert render(domain, "utter_greet", "twilio")["text"] != render(domain, "utter_greet", "rest")["text"]


def test_an_unknown_response_renders_as_nothing(domain):
    assert render(domain, "utter_no_such_thing", "rest") == {}


def test_render_text_uses_the_loaded_models_domain(domain):
    assert "about a symptom" in render_text(_request(SimpleNamespace(domain=domain)), "utter_sms_notice", "twilio")


def test_without_a_loaded_model_there_is_no_domain():
    with pytest.raises(DomainNotLoaded):
        request_domain(_request(None))
