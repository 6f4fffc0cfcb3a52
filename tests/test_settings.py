"""Settings come from the environment and the clinic profile, with honest defaults."""
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, ClinicProfile, ConfigurationError, Settings


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_point_into_the_project():
    settings = Settings.from_env({})
    assert settings.clinic.name == "Atalo Aesthetics"
    assert settings.red_flags_file == PROJECT_ROOT / "clinic" / "red_flags.yml"
    assert settings.tracker_db == PROJECT_ROOT / "var" / "tracker.db"
    assert (settings.rasa_port, settings.action_port, settings.cors_origins) == (5005, 5055, "*")


def test_environment_overrides(tmp_path):
    profile = _profile(tmp_path, "name: Demo Skin\nphone: '555-0100'\n")
    settings = Settings.from_env(
        {"CLINIC_PROFILE": str(profile), "VAR_DIR": str(tmp_path), "RASA_PORT": "6005", "CORS_ORIGINS": "https://a.example"}
    )
    assert settings.clinic.phone == "555-0100"
    assert settings.tracker_db == tmp_path / "tracker.db"
    assert settings.rasa_port == 6005
    assert settings.cors_origins == "https://a.example"


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_bad_port_is_a_clear_error(port):
    with pytest.raises(ConfigurationError, match="RASA_PORT"):
        Settings.from_env({"RASA_PORT": port})


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: X\nphnoe: '1'\n", "unknown field"),
        ("phone: '1'\n", "'name' is required"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_bad_profile_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigurationError, match=message):
        ClinicProfile.load(_profile(tmp_path, text))


def test_missing_profile_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigurationError, match="not found"):
        ClinicProfile.load(tmp_path / "nope.yml")


def test_unknown_details_are_not_invented():
    clinic = ClinicProfile(name="Atalo Aesthetics")
    assert clinic.contact == "contact Atalo Aesthetics directly"
    assert clinic.booking_form == "our request-an-appointment form"
    assert "don't have" in clinic.details
    assert clinic.emergency_number == "911"


def test_known_details_are_used():
    clinic = ClinicProfile(name="Demo", phone="555-0100", hours="Mon-Fri 9-5", booking_url="https://demo.example/book")
    assert clinic.contact == "call Demo at 555-0100"
    assert clinic.booking_form.endswith("(https://demo.example/book)")
    assert clinic.details == "Phone: 555-0100\nHours: Mon-Fri 9-5"
