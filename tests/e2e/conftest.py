"""One running stack (action server, Rasa server, staff API) shared by all end-to-end tests."""

import os
from pathlib import Path
from typing import Iterator

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page

from bot.launcher.supervision import Stack, running_stack
from bot.settings import Settings
from tests.e2e.browser import chromium
from tests.ports import free_port
from tests.sms_api_stand_in import ACCOUNT_SID, MessagesApi, messages_api

TWILIO_TEST_TOKEN = "e2e-twilio-auth-token"
CLINIC_NUMBER = "+15550100999"  # the clinic's Twilio number in these tests


@pytest.fixture(scope="session")
def sms_api() -> Iterator[MessagesApi]:
    """The Messages API stand-in on loopback that staff replies by SMS are sent to."""
    with messages_api(TWILIO_TEST_TOKEN) as api:
        yield api


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, sms_api: MessagesApi) -> Iterator[Stack]:
    """Servers on free ports with their own SQLite database, so a `make run` nearby is untouched."""
    var_dir: Path = tmp_path_factory.mktemp("var")
    rasa_port = free_port()
    settings = Settings.from_env(
        {
            **os.environ,
            "VAR_DIR": str(var_dir),
            "TRACKER_DB": str(var_dir / "tracker.db"),
            "DATABASE_URL": "",
            "RASA_PORT": str(rasa_port),
            "ACTION_PORT": str(free_port()),
            "STAFF_PORT": str(free_port()),
            # The SMS channel as a clinic configures it: the tests sign with this token.
            "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN,
            "TWILIO_WEBHOOK_URL": f"http://localhost:{rasa_port}/webhooks/twilio/webhook",
            # Staff replies by SMS leave from the clinic's number, to the stand-in (never Twilio).
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_FROM_NUMBER": CLINIC_NUMBER,
            "TWILIO_API_URL": sms_api.url,
        }
    )
    if not settings.model_path.exists():
        pytest.fail(f"no trained model at {settings.model_path}; run `make train` (make e2e does)")
    with running_stack(settings) as running:
        yield running


@pytest.fixture(scope="session")
def rasa(stack: Stack) -> str:
    """The Rasa server's URL, after one message has warmed its model up."""
    requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": "warm-up", "message": "hi"}, timeout=60)
    return stack.rasa_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, once per test module (skipped, or failed under CI, when missing)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh laptop-sized profile per test: empty storage and cookies, its own requests."""
    fresh = browser.new_context(viewport={"width": 1280, "height": 800})
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
