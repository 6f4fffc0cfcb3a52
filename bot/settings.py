"""All configuration in one place: environment variables, and which clinic profile to read.

Everything the assistant needs to know about its environment is read here, once, into
frozen dataclasses. Other modules ask `get_settings()` instead of reading `os.environ`
or YAML files themselves, so a clinic changes its name or phone number in one file and
every answer follows.

Environment variables (all optional; defaults suit `make run` on a laptop):

| variable           | default                      | meaning                                                    |
|--------------------|------------------------------|------------------------------------------------------------|
| CLINIC_PROFILE     | clinic/profile.yml           | clinic name, phone, hours, links, country (as shipped: the |
|                    |                              | demo profile, `demo: true`, a fictional phone number)      |
| RUN_PROFILE        | embedded                     | embedded, or prod: then every process refuses a clinic     |
|                    |                              | profile without a phone number or time_zone, or marked     |
|                    |                              | `demo: true`, and CORS_ORIGINS unset or '*' (the launcher  |
|                    |                              | sets it for `make run-prod`)                               |
| RED_FLAGS_FILE     | clinic/red_flags.yml         | deterministic red-flag symptom patterns                    |
| SCREENING_FILE     | clinic/screening.yml         | pre-treatment screening questions                          |
| VAR_DIR            | var                          | where the SQLite databases, logs and generated tokens live |
|                    |                              | (a directory of its own: `make run` makes it 0700)         |
| TRACKER_DB         | $VAR_DIR/tracker.db          | SQLite tracker store (conversations)                       |
| RASA_PORT          | 5005                         | Rasa server (REST channel)                                 |
| ACTION_PORT        | 5055                         | rasa-sdk action server                                     |
| ACTION_HOST        | 127.0.0.1                    | action server bind address; only the Rasa servers call it  |
| ACTION_SERVER_TOKEN| (empty: the token file)      | secret the Rasa servers send the action server (header     |
|                    |                              | `Authorization: Bearer`); it refuses requests without it   |
| ACTION_TOKEN_FILE  | $VAR_DIR/action_server_token | token file, generated (mode 0600) by `make run`            |
| STAFF_BRIDGE_TOKEN | (empty: the token file)      | secret the staff process sends the Rasa servers to take a  |
|                    |                              | conversation over, reply in it and hand it back            |
| STAFF_BRIDGE_TOKEN_FILE | $VAR_DIR/staff_bridge_token | token file, generated (mode 0600) by `make run`        |
| RASA_URL           | http://127.0.0.1:$RASA_PORT  | where the staff process reaches the Rasa servers (the      |
|                    |                              | proxy or load balancer in production)                      |
| RASA_INSTANCE_URLS | $RASA_URL                    | each Rasa server's own address, separated by spaces or     |
|                    |                              | commas: a retrained model is loaded by each in turn        |
|                    |                              | (`make run-prod` sets it; behind a load balancer set it)   |
| CORS_ORIGINS       | * (prod: required)           | origins allowed to call the REST channel (the widget's     |
|                    |                              | sites), separated by spaces or commas; the prod profile    |
|                    |                              | refuses to start without them, or with '*'                 |
| RASA_MODEL         | models/current.tar.gz        | the trained model `make run` serves                        |
| DATABASE_URL       | sqlite:///$TRACKER_DB        | handoff records (SQLAlchemy URL); PostgreSQL in production |
| STAFF_HOST         | 127.0.0.1                    | staff API bind address; it serves patient contacts, so     |
|                    |                              | expose it only behind a TLS reverse proxy                  |
| STAFF_PORT         | 8080                         | staff API                                                  |
| STAFF_PUBLIC_URL   | http://localhost:$STAFF_PORT | where staff reach the API (the link in e-mails)            |
| STAFF_PROXIES      | 0                            | reverse proxies in front of the staff process; each adds   |
|                    |                              | X-Forwarded-For, which the login rate limit then reads     |
| STAFF_API_TOKEN    | (empty: the token file)      | bearer token of the staff API                              |
| STAFF_TOKEN_FILE   | $VAR_DIR/staff_api_token     | token file, generated (mode 0600) by `make run`            |
| SMTP_HOST          | (empty: no e-mail)           | mail server that tells staff about new handoffs            |
| SMTP_PORT          | 587                          | its port                                                   |
| SMTP_USER          | (empty: no login)            | login user                                                 |
| SMTP_PASSWORD      | (empty)                      | login password                                             |
| SMTP_STARTTLS      | true                         | upgrade the connection with STARTTLS (true/false)          |
| SMTP_FROM          | $SMTP_USER if an address     | sender address of the notifications                        |
| STAFF_NOTIFY_EMAIL | (empty)                      | comma-separated recipients; required with SMTP_HOST        |
| TRACKER_STORE_URL  | sqlite:///$TRACKER_DB        | Rasa's tracker store as a SQLAlchemy URL: where the staff  |
|                    |                              | console reads conversations and `purge` deletes old ones   |
| RETENTION_DAYS     | 365                          | conversations and handoffs older than this are purged      |
|                    |                              | by `python -m bot.staff purge`                             |
| RASA_INSTANCES     | 2                            | Rasa servers of the production profile (make run-prod)     |
| SANIC_WORKERS      | 1                            | worker processes of each Rasa server, production profile   |
|                    |                              | only (it needs Redis locks); one per core on a single host |
| MESSAGE_CONCURRENCY| 1                            | patient messages one Rasa process works on at once, the    |
|                    |                              | rest wait their turn in arrival order (docs/performance.md)|
| MESSAGE_QUEUE_LIMIT| 100                          | patient messages that may wait for their turn in one Rasa  |
|                    |                              | process; past that a message is refused at once (REST and  |
|                    |                              | widget: 503 with Retry-After; SMS: the outage answer)      |
| REDIS_URL          | (empty: one process)         | Redis for production: Rasa's lock store, and the patient   |
|                    |                              | rate limit shared by every Rasa instance                   |
| PATIENT_RATE_LIMIT | 20                           | messages one sender may send per window (website and SMS)  |
| PATIENT_RATE_WINDOW| 60                           | that window, in seconds                                    |
| PATIENT_ADDRESS_LIMIT | 120                       | requests one client address may make to the website        |
|                    |                              | channels (REST, widget) per PATIENT_RATE_WINDOW, whatever  |
|                    |                              | sender ids it uses; then 429 with Retry-After. IPv6 counts |
|                    |                              | by /64; this host itself (loopback) is not counted         |
| PATIENT_PROXIES    | 0                            | reverse proxies in front of the Rasa servers; each adds    |
|                    |                              | X-Forwarded-For, which the address limit then reads (never |
|                    |                              | when 0); `make run-prod` adds one for its own proxy        |
| TWILIO_AUTH_TOKEN  | (empty: SMS refused)         | the Twilio account's auth token; signs every SMS webhook   |
| TWILIO_WEBHOOK_URL | (empty: the request's URL)   | the public URL Twilio posts to, as configured at Twilio;   |
|                    |                              | set it behind a proxy, which changes scheme and host; the  |
|                    |                              | prod profile's SMS channel refuses to start without it     |
|                    |                              | (when TWILIO_AUTH_TOKEN is set) rather than trust the Host |
| TWILIO_ACCOUNT_SID | (empty: staff cannot text)   | the account (AC + 32 hex) whose Messages API sends staff   |
|                    |                              | replies in a taken-over SMS conversation                   |
| TWILIO_FROM_NUMBER | (empty: staff cannot text)   | the clinic's Twilio number (E.164, +15550100100) replies   |
|                    |                              | are sent from: the number patients text                    |
| TWILIO_API_URL     | https://api.twilio.com       | the Messages API's base URL (tests: a local stand-in)      |
| WIDGET_SECRET      | (empty: the secret file)     | signs the conversation ids the website widget is given     |
|                    |                              | (at least 32 characters); the same on every Rasa server    |
| WIDGET_SECRET_FILE | $VAR_DIR/widget_secret       | secret file, generated (mode 0600) by `make run`           |

Relative paths are resolved against the project root, not the working directory, so
the Rasa server, the action server and the tests all read the same files.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Tuple
from urllib.parse import urlsplit

from bot.clinic_profile import ClinicProfile
from bot.errors import ConfigurationError

__all__ = ["PROD", "EMBEDDED", "PROJECT_ROOT", "ConfigurationError", "Settings", "cors_problem", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


TWILIO_API = "https://api.twilio.com"
# Configuration values, never patient text (bot.patterns is for that).
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")

# RUN_PROFILE: how the processes were started (bot.launcher.profiles sets it for its servers).
EMBEDDED, PROD = "embedded", "prod"
RUN_PROFILES = (EMBEDDED, PROD)


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    path = Path(env.get(name) or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


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
    action_host: str
    action_server_token: str = field(repr=False)
    action_token_file: Path
    staff_bridge_token: str = field(repr=False)
    staff_bridge_token_file: Path
    rasa_url: str
    rasa_instance_urls: Tuple[str, ...]
    cors_origins: Tuple[str, ...]
    screening_file: Path
    database_url: str
    staff_host: str
    staff_port: int
    staff_public_url: str
    staff_proxies: int
    staff_api_token: str = field(repr=False)  # secrets stay out of logged reprs
    staff_token_file: Path
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    smtp_from: str
    staff_email: Tuple[str, ...]
    twilio_auth_token: str = field(repr=False)
    twilio_webhook_url: str
    twilio_account_sid: str
    twilio_from_number: str
    twilio_api_url: str
    widget_secret: str = field(repr=False)
    widget_secret_file: Path
    tracker_store_url: str
    retention_days: int
    redis_url: str = field(repr=False)  # may carry a password
    rasa_instances: int
    sanic_workers: int
    message_concurrency: int
    message_queue_limit: int
    patient_rate_limit: int
    patient_rate_window: int
    patient_address_limit: int
    patient_proxies: int
    run_profile: str = EMBEDDED

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        """Build settings from `env` (default: `os.environ`)."""
        env = os.environ if env is None else env
        profile_path = _path(env, "CLINIC_PROFILE", "clinic/profile.yml")
        var_dir = _path(env, "VAR_DIR", "var")
        tracker_db = _path(env, "TRACKER_DB", str(var_dir / "tracker.db"))
        staff_port = _port(env, "STAFF_PORT", 8080)
        rasa_port = _port(env, "RASA_PORT", 5005)
        smtp_host = _text(env, "SMTP_HOST")
        smtp_user = _text(env, "SMTP_USER")
        # Many providers log in with an address; some with a key name ("apikey"), which is no sender.
        smtp_from = _address(_text(env, "SMTP_FROM"), "SMTP_FROM") or (smtp_user if "@" in smtp_user else "")
        staff_email = _addresses(env, "STAFF_NOTIFY_EMAIL")
        if smtp_host and not staff_email:
            raise ConfigurationError("SMTP_HOST is set but STAFF_NOTIFY_EMAIL is empty: say who gets the e-mails")
        if smtp_host and not smtp_from:
            raise ConfigurationError("SMTP_HOST is set but SMTP_FROM is empty: say which address sends the e-mails")
        run_profile = _text(env, "RUN_PROFILE") or EMBEDDED
        if run_profile not in RUN_PROFILES:
            raise ConfigurationError(f"RUN_PROFILE must be one of {', '.join(RUN_PROFILES)}, not {run_profile!r}")
        clinic = ClinicProfile.load(profile_path)
        cors_origins = tuple(_text(env, "CORS_ORIGINS").replace(",", " ").split()) or ("*",)
        rasa_url = (_url(env, "RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/")
        if run_profile == PROD:
            problem = clinic.production_problem(profile_path) or cors_problem(cors_origins)
            if problem:
                raise ConfigurationError(f"the prod profile cannot start: {problem}")
        return cls(
            run_profile=run_profile,
            clinic=clinic,
            clinic_profile_path=profile_path,
            red_flags_file=_path(env, "RED_FLAGS_FILE", "clinic/red_flags.yml"),
            var_dir=var_dir,
            tracker_db=tracker_db,
            model_path=_path(env, "RASA_MODEL", "models/current.tar.gz"),
            rasa_port=rasa_port,
            action_port=_port(env, "ACTION_PORT", 5055),
            action_host=_text(env, "ACTION_HOST") or "127.0.0.1",
            action_server_token=_text(env, "ACTION_SERVER_TOKEN"),
            action_token_file=_path(env, "ACTION_TOKEN_FILE", str(var_dir / "action_server_token")),
            staff_bridge_token=_text(env, "STAFF_BRIDGE_TOKEN"),
            staff_bridge_token_file=_path(env, "STAFF_BRIDGE_TOKEN_FILE", str(var_dir / "staff_bridge_token")),
            rasa_url=rasa_url,
            rasa_instance_urls=_urls(env, "RASA_INSTANCE_URLS") or (rasa_url,),
            cors_origins=cors_origins,
            screening_file=_path(env, "SCREENING_FILE", "clinic/screening.yml"),
            # The tracker's SQLite file by default: one file to back up on a laptop.
            database_url=_text(env, "DATABASE_URL") or f"sqlite:///{tracker_db}",
            staff_host=_text(env, "STAFF_HOST") or "127.0.0.1",
            staff_port=staff_port,
            staff_public_url=(_text(env, "STAFF_PUBLIC_URL") or f"http://localhost:{staff_port}").rstrip("/"),
            staff_proxies=_count(env, "STAFF_PROXIES", 0),
            staff_api_token=_text(env, "STAFF_API_TOKEN"),
            staff_token_file=_path(env, "STAFF_TOKEN_FILE", str(var_dir / "staff_api_token")),
            smtp_host=smtp_host,
            smtp_port=_port(env, "SMTP_PORT", 587),
            smtp_user=smtp_user,
            smtp_password=env.get("SMTP_PASSWORD") or "",
            smtp_starttls=_bool(env, "SMTP_STARTTLS", True),
            smtp_from=smtp_from,
            staff_email=staff_email,
            twilio_auth_token=_text(env, "TWILIO_AUTH_TOKEN"),
            twilio_webhook_url=_url(env, "TWILIO_WEBHOOK_URL"),
            twilio_account_sid=_account_sid(env, "TWILIO_ACCOUNT_SID"),
            twilio_from_number=_e164(env, "TWILIO_FROM_NUMBER"),
            twilio_api_url=(_url(env, "TWILIO_API_URL") or TWILIO_API).rstrip("/"),
            widget_secret=_text(env, "WIDGET_SECRET"),
            widget_secret_file=_path(env, "WIDGET_SECRET_FILE", str(var_dir / "widget_secret")),
            tracker_store_url=_text(env, "TRACKER_STORE_URL") or f"sqlite:///{tracker_db}",
            retention_days=_positive(env, "RETENTION_DAYS", 365),
            redis_url=_text(env, "REDIS_URL"),
            rasa_instances=_positive(env, "RASA_INSTANCES", 2),
            sanic_workers=_positive(env, "SANIC_WORKERS", 1),
            message_concurrency=_positive(env, "MESSAGE_CONCURRENCY", 1),
            message_queue_limit=_positive(env, "MESSAGE_QUEUE_LIMIT", 100),
            patient_rate_limit=_positive(env, "PATIENT_RATE_LIMIT", 20),
            patient_rate_window=_positive(env, "PATIENT_RATE_WINDOW", 60),
            patient_address_limit=_positive(env, "PATIENT_ADDRESS_LIMIT", 120),
            patient_proxies=_count(env, "PATIENT_PROXIES", 0),
        )


def cors_problem(origins: Tuple[str, ...]) -> Optional[str]:
    """Why `origins` may not be CORS_ORIGINS in production, or None when they may.

    The REST channel is what the widget calls across origins. With '*' (the default, for
    a laptop) any website could embed the chat and talk to the clinic's assistant from
    its visitors' browsers, so production names the clinic's own sites.
    """
    if not origins or any("*" in origin for origin in origins):
        return (
            "CORS_ORIGINS is unset or '*', which lets any website call the assistant from its visitors' "
            "browsers: set CORS_ORIGINS to the sites that embed the widget, e.g. "
            "CORS_ORIGINS=https://www.your-clinic.example (several: separated by spaces or commas)"
        )
    return None


def _text(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _text(env, name).lower()
    if not raw:
        return default
    if raw not in _TRUE | _FALSE:
        raise ConfigurationError(f"{name} must be true or false, not {env[name]!r}")
    return raw in _TRUE


def _address(value: str, name: str) -> str:
    """A bare e-mail address (or ""); spaces or line breaks in one could forge mail headers."""
    if not value:
        return value
    local, at, domain = value.rpartition("@")
    if not (at and local and "." in domain) or any(c.isspace() or ord(c) < 32 for c in value):
        raise ConfigurationError(f"{name}: {value!r} is not an e-mail address")
    return value


def _addresses(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    return tuple(_address(part.strip(), name) for part in _text(env, name).split(",") if part.strip())


def _url(env: Mapping[str, str], name: str) -> str:
    """An absolute http(s) URL, or "" when unset; anything else is a configuration mistake."""
    value = _text(env, name)
    parts = urlsplit(value)
    if value and not (parts.scheme in ("http", "https") and parts.netloc):
        raise ConfigurationError(
            f"{name} must be an absolute http(s) URL such as "
            f"https://bot.example.com/webhooks/twilio/webhook, not {value!r}"
        )
    return value


def _urls(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """Absolute http(s) URLs separated by spaces or commas (each checked as `_url` does)."""
    values = _text(env, name).replace(",", " ").split()
    return tuple(_url({name: value}, name).rstrip("/") for value in values)


def _account_sid(env: Mapping[str, str], name: str) -> str:
    """A Twilio account SID ("AC" and 32 hex digits), or "" when unset."""
    value = _text(env, name)
    if value and not _ACCOUNT_SID.fullmatch(value):
        raise ConfigurationError(f"{name} must be a Twilio account SID (AC and 32 hex digits), not {value!r}")
    return value


def _e164(env: Mapping[str, str], name: str) -> str:
    """A phone number in E.164 form (+ and 8 to 15 digits), or "" when unset."""
    value = _text(env, name)
    if value and not _E164.fullmatch(value):
        raise ConfigurationError(f"{name} must be a phone number in E.164 form such as +15550100100, not {value!r}")
    return value


def _count(env: Mapping[str, str], name: str, default: int, lowest: int = 0) -> int:
    raw = _text(env, name)
    if not raw:
        return default
    if not (raw.isdigit() and raw.isascii()) or int(raw) < lowest:
        raise ConfigurationError(f"{name} must be a whole number of at least {lowest}, not {raw!r}")
    return int(raw)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    return _count(env, name, default, lowest=1)


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
