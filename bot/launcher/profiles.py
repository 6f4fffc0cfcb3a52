"""What each process of each profile runs, and with which environment.

EMBEDDED (`make run`): one Rasa server on SQLite with in-memory locks. PROD (`make
run-prod`): RASA_INSTANCES Rasa servers on PostgreSQL and Redis behind
`bot.launcher.proxy`. Both add the action server and the staff process. Secrets go only
to the processes that use them.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.action_server.auth import action_token
from bot.rasa_server.channels import MAX_BODY_BYTES
from bot.rasa_server.channels.widget_tokens import widget_secret
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings, cors_problem
from bot.shared_secrets import staff_bridge_token

EMBEDDED, PROD = "embedded", "prod"
PROFILES = (EMBEDDED, PROD)
ENDPOINTS = {EMBEDDED: "endpoints.yml", PROD: "endpoints.prod.yml"}
REDIS_SCHEMES = ("redis", "rediss", "unix")
# Passed only to the servers that use each, even when exported in the shell (the
# database URLs may carry a password).
SECRETS = frozenset(
    {
        "STAFF_API_TOKEN", "TWILIO_AUTH_TOKEN", "REDIS_URL", "SMTP_PASSWORD", "ACTION_SERVER_TOKEN",
        "DATABASE_URL", "TRACKER_STORE_URL", "WIDGET_SECRET", "STAFF_BRIDGE_TOKEN",
    }
)  # fmt: skip


def prod_settings(settings: Settings) -> Settings:
    """`settings` checked for the prod profile, with the tracker store in PostgreSQL.

    Several Rasa servers share conversations only through a database server and
    Redis, so both are required. The tracker store is TRACKER_STORE_URL when that is
    set, else DATABASE_URL (Rasa's `events` table beside the handoff tables). Every
    safety answer names the clinic's phone number, so the clinic profile must have a
    real one (not empty, not the demo's); each server checks it again (RUN_PROFILE=prod).
    So are the CORS origins: the clinic's own sites, never '*'.
    """
    _require_postgresql("DATABASE_URL", settings.database_url)
    if not settings.redis_url:
        raise ConfigurationError("the prod profile locks conversations in Redis: set REDIS_URL=redis://host:6379/0")
    if urlsplit(settings.redis_url).scheme not in REDIS_SCHEMES:
        raise ConfigurationError("REDIS_URL must look like redis://host:6379/0 (or rediss://, unix://)")
    tracker_url = settings.tracker_store_url
    if tracker_url == f"sqlite:///{settings.tracker_db}":  # the embedded default, not a choice
        tracker_url = settings.database_url
    _require_postgresql("TRACKER_STORE_URL", tracker_url)
    problem = settings.clinic.production_problem(settings.clinic_profile_path) or cors_problem(settings.cors_origins)
    if problem:
        raise ConfigurationError(problem)
    return dataclasses.replace(settings, tracker_store_url=tracker_url, run_profile=PROD)


def _require_postgresql(name: str, url: str) -> None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = ""
    if backend != "postgresql":
        shown = make_url(url).render_as_string(hide_password=True) if backend else "not a database URL"
        raise ConfigurationError(
            f"the prod profile needs PostgreSQL: set {name}=postgresql://user:password@host:5432/db ({shown})"
        )


def server_env(settings: Settings) -> Dict[str, str]:
    """The environment all servers share, with no secret in it, so each reads the
    settings this launcher has.

    Every server reads the clinic profile the launcher checked (CLINIC_PROFILE) and the
    CORS origins, and RUN_PROFILE=prod makes each refuse a profile without a real phone
    number, or CORS open to any site, on its own. `endpoints.yml` reads ACTION_PORT and
    TRACKER_DB; the staff API listens on STAFF_HOST:STAFF_PORT, and the action server's
    e-mails link to STAFF_PUBLIC_URL. Secrets (SECRETS) go only to the servers that use
    them: `rasa_env`, `action_env` and `staff_env` add them; the proxy gets none.
    """
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    env.update(
        CLINIC_PROFILE=str(settings.clinic_profile_path),
        RUN_PROFILE=settings.run_profile,
        CORS_ORIGINS=" ".join(settings.cors_origins),
        ACTION_PORT=str(settings.action_port),
        TRACKER_DB=str(settings.tracker_db),
        STAFF_HOST=settings.staff_host,
        STAFF_PORT=str(settings.staff_port),
        STAFF_PUBLIC_URL=settings.staff_public_url,
        STAFF_PROXIES=str(settings.staff_proxies),
        RETENTION_DAYS=str(settings.retention_days),
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    )
    return env


def action_server_cmd(settings: Settings) -> List[str]:
    """rasa-sdk's app behind our guard (bot/action_server/app.py); it reads its address and token from `action_env`."""
    return [sys.executable, "-m", "bot.action_server"]


def action_env(settings: Settings) -> Dict[str, str]:
    """`server_env` plus what only the action server uses: its bind address, the shared
    secret it requires from Rasa, the handoff database and the SMTP password."""
    return {
        **server_env(settings),
        "ACTION_HOST": settings.action_host,
        "ACTION_SERVER_TOKEN": action_token(settings, create=True),
        "DATABASE_URL": settings.database_url,
        "SMTP_PASSWORD": settings.smtp_password,
    }


def rasa_server_cmd(settings: Settings, profile: str = EMBEDDED, port: Optional[int] = None) -> List[str]:
    """The Rasa server with the REST channel and CORS for the widget; no HTTP API (it has no auth).

    A prod instance listens on loopback only: patients reach it through the proxy.
    """
    cmd = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(settings.model_path),
        "--endpoints", ENDPOINTS[profile],
        "--credentials", "credentials.yml",
        "--port", str(port or settings.rasa_port),
        "--cors", *settings.cors_origins,
    ]  # fmt: skip
    return cmd + (["--interface", "127.0.0.1"] if profile == PROD else [])


def rasa_env(settings: Settings, profile: str = EMBEDDED) -> Dict[str, str]:
    """`server_env` plus what the Rasa server reads: the action server's secret (which
    `endpoints.yml` sends), the databases (SMS state; conversations, which
    `endpoints.prod.yml` reads from TRACKER_STORE_URL), the SMS channel's token and URL,
    the widget's secret (made here, once, so several Rasa servers starting together
    sign with the same one), the patient rate limit, Redis (locks and the shared rate
    limit), how many messages it works on at once and how many may wait, and its Sanic
    workers.

    SANIC_WORKERS is Rasa's own variable. The embedded profile always gets 1, even when
    it is exported in the shell: its in-memory locks cannot span processes (Rasa would
    ignore the value with a warning; the setting says so up front instead). Sanic itself
    reads the other SANIC_ variables when Rasa makes its app (`tests/rasa_server/channels/
    test_rasa_app.py` checks that it does): REQUEST_MAX_SIZE refuses a body larger than
    any patient channel reads with 413 before reading it, and PROXIES_COUNT is how many
    proxies' X-Forwarded-For entries to believe for the address limit (PATIENT_PROXIES,
    plus bot/launcher/proxy.py in front of each PROD instance).
    """
    return {
        **server_env(settings),
        "ACTION_SERVER_TOKEN": action_token(settings, create=True),
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_WEBHOOK_URL": settings.twilio_webhook_url,
        # Staff replies by SMS leave from the Rasa servers (bot.sms.outbound).
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_FROM_NUMBER": settings.twilio_from_number,
        "TWILIO_API_URL": settings.twilio_api_url,
        # The e-mail to whoever took a conversation over leaves from the Rasa servers
        # (bot.rasa_server.takeover), and an SMTP server may need a login.
        "SMTP_PASSWORD": settings.smtp_password,
        "WIDGET_SECRET": widget_secret(settings),
        "STAFF_BRIDGE_TOKEN": staff_bridge_token(settings, create=True),
        "REDIS_URL": settings.redis_url,
        "PATIENT_RATE_LIMIT": str(settings.patient_rate_limit),
        "PATIENT_RATE_WINDOW": str(settings.patient_rate_window),
        "PATIENT_ADDRESS_LIMIT": str(settings.patient_address_limit),
        "MESSAGE_CONCURRENCY": str(settings.message_concurrency),
        "MESSAGE_QUEUE_LIMIT": str(settings.message_queue_limit),
        "SANIC_WORKERS": str(settings.sanic_workers if profile == PROD else 1),
        "SANIC_REQUEST_MAX_SIZE": str(MAX_BODY_BYTES),
        "SANIC_PROXIES_COUNT": str(settings.patient_proxies + (1 if profile == PROD else 0)),
    }


def proxy_cmd(settings: Settings, upstream_ports: List[int]) -> List[str]:
    """bot/launcher/proxy.py on RASA_PORT in front of the Rasa instances."""
    upstreams = [f"http://127.0.0.1:{port}" for port in upstream_ports]
    return [sys.executable, "-m", "bot.launcher.proxy", "--port", str(settings.rasa_port), *upstreams]


def staff_env(settings: Settings, staff_token: str, instance_urls: Sequence[str] = ()) -> Dict[str, str]:
    """`server_env` plus the `local` token the launcher made, so the staff process finds it
    registered rather than making another (it reads no token file of its own then); each
    Rasa server's own address (`instance_urls`: the Retrain button's job loads a kept
    model into each in turn, which through the proxy would reach only one); and the SMTP
    password, since the staff process e-mails the weekly digest."""
    return {
        **server_env(settings),
        "STAFF_API_TOKEN": staff_token,
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "STAFF_BRIDGE_TOKEN": staff_bridge_token(settings, create=True),
        "RASA_URL": settings.rasa_url,
        "RASA_INSTANCE_URLS": " ".join(instance_urls or settings.rasa_instance_urls),
        "SMTP_PASSWORD": settings.smtp_password,
    }


def staff_server_cmd(settings: Settings) -> List[str]:
    """The staff API; it reads its address, port and token from `staff_env`."""
    return [sys.executable, "-m", "bot.staff"]


@dataclass(frozen=True)
class Server:
    """One process of the stack: how to start it, and where it answers once it is up."""

    name: str
    cmd: List[str]
    env: Dict[str, str] = field(repr=False)
    health_url: str
