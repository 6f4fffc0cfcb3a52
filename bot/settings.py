"""All configuration in one place: environment variables and the clinic profile.

Everything the assistant needs to know about its environment is read here, once, into
frozen dataclasses. Other modules ask `get_settings()` instead of reading `os.environ`
or YAML files themselves, so a clinic changes its name or phone number in one file and
every answer follows.

Environment variables (all optional; defaults suit `make run` on a laptop):

| variable          | default                  | meaning                                        |
|-------------------|--------------------------|------------------------------------------------|
| CLINIC_PROFILE    | clinic/profile.yml       | clinic name, phone, hours, links               |
| RED_FLAGS_FILE    | clinic/red_flags.yml     | deterministic red-flag symptom patterns        |
| VAR_DIR           | var                      | where the SQLite databases and logs live       |
| TRACKER_DB        | $VAR_DIR/tracker.db      | SQLite tracker store (conversations)           |
| RASA_PORT         | 5005                     | Rasa server (REST channel)                     |
| ACTION_PORT       | 5055                     | rasa-sdk action server                         |
| CORS_ORIGINS      | *                        | origins allowed to call the REST channel       |
| RASA_MODEL        | models/current.tar.gz    | the trained model `make run` serves            |

Relative paths are resolved against the project root, not the working directory, so
the Rasa server, the action server and the tests all read the same files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(ValueError):
    """A configuration file or variable is missing or malformed; the message says how to fix it."""


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    path = Path(env.get(name) or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class ClinicProfile:
    """Who the assistant speaks for. Empty fields are unknown and never invented."""

    name: str
    phone: str = ""
    hours: str = ""
    address: str = ""
    website: str = ""
    booking_url: str = ""
    emergency_number: str = "911"

    @classmethod
    def load(cls, path: Path) -> "ClinicProfile":
        """Read the profile YAML; unknown keys are an error so typos do not pass silently."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError as exc:
            raise ConfigurationError(f"clinic profile not found: {path}") from exc
        if not isinstance(raw, dict):
            raise ConfigurationError(f"clinic profile {path} must be a mapping of fields")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigurationError(
                f"clinic profile {path}: unknown field(s) {', '.join(unknown)}; "
                f"known fields are {', '.join(sorted(known))}"
            )
        values = {key: str(value or "").strip() for key, value in raw.items()}
        if not values.get("name"):
            raise ConfigurationError(f"clinic profile {path}: 'name' is required")
        if not values.get("emergency_number"):
            values["emergency_number"] = "911"
        return cls(**values)

    @property
    def contact(self) -> str:
        """How to reach the clinic, phrased to follow 'please' or 'or' in a sentence."""
        if self.phone:
            return f"call {self.name} at {self.phone}"
        return f"contact {self.name} directly"

    @property
    def booking_form(self) -> str:
        """The clinic's request-an-appointment form, with its link when we know it."""
        if self.booking_url:
            return f"our request-an-appointment form ({self.booking_url})"
        return "our request-an-appointment form"

    @property
    def details(self) -> str:
        """The contact details we know, one per line, or an honest 'I don't have them'."""
        lines = [
            f"{label}: {value}"
            for label, value in (
                ("Phone", self.phone),
                ("Hours", self.hours),
                ("Address", self.address),
                ("Website", self.website),
            )
            if value
        ]
        if not lines:
            return (
                "I don't have the clinic's phone number, hours or address here, "
                "so please check the clinic's website for them."
            )
        return "\n".join(lines)

    def template_values(self) -> Dict[str, str]:
        """Placeholders that domain responses may use, e.g. `{clinic_contact}`."""
        return {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "clinic_contact": self.contact,
            "clinic_details": self.details,
            "booking_form": self.booking_form,
            "emergency_number": self.emergency_number,
        }


@dataclass(frozen=True)
class Settings:
    """The process's configuration, read once from the environment."""

    clinic: ClinicProfile
    clinic_profile_path: Path
    red_flags_file: Path
    var_dir: Path
    tracker_db: Path
    model_path: Path
    rasa_port: int
    action_port: int
    cors_origins: str

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        """Build settings from `env` (default: `os.environ`)."""
        env = os.environ if env is None else env
        profile_path = _path(env, "CLINIC_PROFILE", "clinic/profile.yml")
        var_dir = _path(env, "VAR_DIR", "var")
        return cls(
            clinic=ClinicProfile.load(profile_path),
            clinic_profile_path=profile_path,
            red_flags_file=_path(env, "RED_FLAGS_FILE", "clinic/red_flags.yml"),
            var_dir=var_dir,
            tracker_db=_path(env, "TRACKER_DB", str(var_dir / "tracker.db")),
            model_path=_path(env, "RASA_MODEL", "models/current.tar.gz"),
            rasa_port=_port(env, "RASA_PORT", 5005),
            action_port=_port(env, "ACTION_PORT", 5055),
            cors_origins=env.get("CORS_ORIGINS") or "*",
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a port number, not {raw!r}") from exc
    if not 0 < port < 65536:
        raise ConfigurationError(f"{name} must be between 1 and 65535, not {port}")
    return port


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (read on first use, then cached)."""
    return Settings.from_env()
