"""Launcher tests' settings: free ports, a stand-in model, and the prod profile's requirements."""

import dataclasses
import sys
import urllib.request

import pytest

from bot.clinic_profile import ClinicProfile
from bot.settings import Settings
from tests.ports import free_port

SLEEP = [sys.executable, "-c", "import time; time.sleep(60)"]
POSTGRES = "postgresql://clinic:s3cret@db.example:5432/clinic"
REDIS = "redis://127.0.0.1:6379/0"
REAL_CLINIC = ClinicProfile(name="Atalo Aesthetics", phone="(617) 555-0142")
CLINIC_SITE = "https://www.clinic.example"


@pytest.fixture
def settings(tmp_path) -> Settings:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    base = Settings.from_env({"VAR_DIR": str(tmp_path / "var")})
    return dataclasses.replace(
        base, model_path=model, rasa_port=free_port(), action_port=free_port(), staff_port=free_port()
    )


@pytest.fixture
def prod(settings) -> Settings:
    """`settings` as the prod profile wants them: PostgreSQL, Redis, the clinic's real number and its site."""
    return dataclasses.replace(
        settings, database_url=POSTGRES, redis_url=REDIS, clinic=REAL_CLINIC, cors_origins=(CLINIC_SITE,)
    )


def http_stand_in(port: int) -> list:
    """A stand-in for a server that answers HTTP on `port` (so unit tests never start Rasa)."""
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status
