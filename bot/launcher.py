"""Start the assistant's servers together, and stop them together.

`make run` calls `python -m bot.launcher`: the embedded profile, one Rasa server with
SQLite and in-memory locks. `make run-prod` calls `python -m bot.launcher --profile
prod`: RASA_INSTANCES Rasa servers (default 2) on PostgreSQL (tracker store) and Redis
(conversation locks), behind the round-robin proxy of bot/proxy.py on RASA_PORT. Both
profiles add one action server and the staff API; the end-to-end and reliability tests
use `running_stack()`. One place owns the processes so that Ctrl-C (or a failed start)
never leaves a server running in the background holding a port. It also migrates the
handoff database before any server starts, so no server ever sees an old schema or
races another to create it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional
from urllib.parse import urlsplit

import redis
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.action_auth import action_token
from bot.channels import MAX_BODY_BYTES
from bot.channels.widget_tokens import widget_secret
from bot.db import migrate
from bot.db.engine import make_engine, session_factory
from bot.db.session import DatabaseUnavailable
from bot.private_files import PRIVATE_UMASK, make_private, open_private_log, private_dir
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings, cors_problem, get_settings
from bot.staff.accounts import Accounts
from bot.staff.token import local_token
from bot.transcripts.events import tracker_metadata

START_TIMEOUT_S = 180.0
# Passed only to the servers that use each, even when exported in the shell (the
# database URLs may carry a password).
SECRETS = frozenset(
    {
        "STAFF_API_TOKEN", "TWILIO_AUTH_TOKEN", "REDIS_URL", "SMTP_PASSWORD", "ACTION_SERVER_TOKEN",
        "DATABASE_URL", "TRACKER_STORE_URL", "WIDGET_SECRET",
    }
)  # fmt: skip
STOP_TIMEOUT_S = 15.0

EMBEDDED, PROD = "embedded", "prod"
PROFILES = (EMBEDDED, PROD)
ENDPOINTS = {EMBEDDED: "endpoints.yml", PROD: "endpoints.prod.yml"}
REDIS_SCHEMES = ("redis", "rediss", "unix")


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
    """rasa-sdk's app behind our guard (bot/action_server.py); it reads its address and token from `action_env`."""
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
    reads the other SANIC_ variables when Rasa makes its app (`tests/channels/
    test_rasa_app.py` checks that it does): REQUEST_MAX_SIZE refuses a body larger than
    any patient channel reads with 413 before reading it, and PROXIES_COUNT is how many
    proxies' X-Forwarded-For entries to believe for the address limit (PATIENT_PROXIES,
    plus bot/proxy.py in front of each PROD instance).
    """
    return {
        **server_env(settings),
        "ACTION_SERVER_TOKEN": action_token(settings, create=True),
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_WEBHOOK_URL": settings.twilio_webhook_url,
        "WIDGET_SECRET": widget_secret(settings),
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
    """bot/proxy.py on RASA_PORT in front of the Rasa instances."""
    upstreams = [f"http://127.0.0.1:{port}" for port in upstream_ports]
    return [sys.executable, "-m", "bot.proxy", "--port", str(settings.rasa_port), *upstreams]


def staff_env(settings: Settings, staff_token: str) -> Dict[str, str]:
    """`server_env` plus the `local` token the launcher made, so the staff process finds it
    registered rather than making another (it reads no token file of its own then)."""
    return {
        **server_env(settings),
        "STAFF_API_TOKEN": staff_token,
        "DATABASE_URL": settings.database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
    }


def staff_server_cmd(settings: Settings) -> List[str]:
    """The staff API; it reads its address, port and token from `staff_env`."""
    return [sys.executable, "-m", "bot.staff"]


def prepare_databases(settings: Settings, profile: str = EMBEDDED) -> None:
    """What must exist before any server starts: the handoff schema migrated and, for
    PROD, Redis answering and Rasa's `events` table created once, before several Rasa
    servers would race to create it (Rasa only logs the loser's error). RuntimeError
    says which store failed."""
    migrate_handoffs(settings.database_url)
    if profile != PROD:
        return
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis is not reachable at REDIS_URL: {exc}") from exc
    create_tracker_tables(settings.tracker_store_url)


def migrate_handoffs(url: str) -> None:
    """Alembic's upgrade of the handoff database at `url`, or a RuntimeError naming it."""
    try:
        migrate.upgrade(url)
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise RuntimeError(f"could not migrate the handoff database {shown}: {exc}") from exc


def create_tracker_tables(url: str) -> None:
    """Rasa's `events` table at `url` (if missing), or a RuntimeError naming the store."""
    engine = make_engine(url)
    try:
        tracker_metadata.create_all(engine)
    except SQLAlchemyError as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise RuntimeError(f"could not prepare the tracker store {shown}: {exc}") from exc
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Server:
    """One process of the stack: how to start it, and where it answers once it is up."""

    name: str
    cmd: List[str]
    env: Dict[str, str] = field(repr=False)
    health_url: str


@dataclass
class Stack:
    """The running servers and where to reach them.

    `profile` is EMBEDDED (one Rasa server, SQLite, in-memory locks) or PROD
    (RASA_INSTANCES Rasa servers on PostgreSQL and Redis behind bot/proxy.py); a
    PROD stack checks its settings when it is made (`prod_settings`), before anything
    starts.
    """

    settings: Settings
    log_dir: Path
    profile: str = EMBEDDED
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    staff_token: str = field(default="", repr=False)  # set by start()

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigurationError(f"unknown profile {self.profile!r}; known: {', '.join(PROFILES)}")
        if self.profile == PROD:
            self.settings = prod_settings(self.settings)

    @property
    def rasa_url(self) -> str:
        """Where patients' channels reach Rasa: the Rasa server, or (PROD) the proxy."""
        return f"http://localhost:{self.settings.rasa_port}"

    @property
    def instance_ports(self) -> List[int]:
        """The Rasa servers' own ports: RASA_PORT itself, or (PROD) the ports after the proxy's."""
        if self.profile == EMBEDDED:
            return [self.settings.rasa_port]
        return [self.settings.rasa_port + number for number in range(1, self.settings.rasa_instances + 1)]

    @property
    def instance_urls(self) -> List[str]:
        """Each Rasa server's own address (the tests talk to one instance directly)."""
        return [f"http://127.0.0.1:{port}" for port in self.instance_ports]

    @property
    def widget_demo_url(self) -> str:
        return f"{self.rasa_url}/webhooks/widget/demo"

    @property
    def sms_webhook_url(self) -> str:
        return self.settings.twilio_webhook_url or f"{self.rasa_url}/webhooks/twilio/webhook"

    @property
    def action_url(self) -> str:
        return f"http://localhost:{self.settings.action_port}"

    @property
    def staff_url(self) -> str:
        return f"http://localhost:{self.settings.staff_port}"

    def servers(self) -> List[Server]:
        """Every process of this profile, in the order they start and are waited for."""
        settings = self.settings
        env = server_env(settings)
        health = "/webhooks/rest/"
        if self.profile == EMBEDDED:
            rasa = [Server("rasa", rasa_server_cmd(settings), rasa_env(settings), self.rasa_url + health)]
        else:
            rasa = [
                Server(f"rasa-{number}", rasa_server_cmd(settings, PROD, port), rasa_env(settings, PROD), url + health)
                for number, (port, url) in enumerate(zip(self.instance_ports, self.instance_urls), start=1)
            ]
            rasa.append(Server("proxy", proxy_cmd(settings, self.instance_ports), env, self.rasa_url + health))
        return [
            Server("actions", action_server_cmd(settings), action_env(settings), f"{self.action_url}/health"),
            *rasa,
            Server(
                "staff", staff_server_cmd(settings), staff_env(settings, self.staff_token), f"{self.staff_url}/healthz"
            ),
        ]

    def start(self) -> None:
        """Migrate, start the servers and wait until each answers HTTP; raise if one dies first.

        `var/`, the log directory and every file in them that holds patient data or a
        secret are made private first (`secure_files`).
        """
        settings = self.settings
        if not settings.model_path.exists():
            raise RuntimeError(f"no trained model at {settings.model_path}: run `make train`")
        for directory in (settings.var_dir, settings.tracker_db.parent, self.log_dir):
            private_dir(directory)
        for port in (settings.action_port, settings.rasa_port, settings.staff_port, *self.instance_ports):
            if _port_in_use(port):
                raise RuntimeError(
                    f"port {port} is already in use (another `make run`?); "
                    "stop it or set RASA_PORT / ACTION_PORT / STAFF_PORT"
                )
        prepare_databases(settings, self.profile)
        try:
            self.staff_token = local_token(self.settings)
            action_token(settings, create=True)
        except ConfigurationError as exc:
            raise RuntimeError(str(exc)) from exc
        secure_files(settings, self.log_dir)
        servers = self.servers()
        for server in servers:
            self._spawn(server)
        for server in servers:
            self._wait_until_up(server.name, server.health_url)

    def start_server(self, name: str, env: Optional[Mapping[str, str]] = None) -> None:
        """(Re)start the one server `name` of a started stack, with `env` added to its
        environment, and wait until it answers (fault tests stop and restart one)."""
        if name in self.processes:
            raise RuntimeError(f"the {name} server is already running")
        server = next((s for s in self.servers() if s.name == name), None)
        if server is None:
            raise ValueError(f"no server named {name!r} in the {self.profile} profile")
        self._spawn(dataclasses.replace(server, env={**server.env, **(env or {})}))
        self._wait_until_up(name, server.health_url)

    def stop_server(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop the one server `name` (SIGKILL: as if it crashed) and forget it."""
        stop_processes([self.processes.pop(name)], sig)

    def _spawn(self, server: Server) -> None:
        """Start `server`, logging to its own file; whatever it creates is private (umask 077)."""
        with open_private_log(self.log_dir / f"{server.name}.log") as log:
            self.processes[server.name] = subprocess.Popen(
                server.cmd, cwd=PROJECT_ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, umask=PRIVATE_UMASK,
            )  # fmt: skip

    def _wait_until_up(self, name: str, url: str) -> None:
        """Wait for `name` to answer at `url`, failing as soon as any server has exited."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            crashed = self.first_exited()
            if crashed:
                raise RuntimeError(
                    f"the {crashed} server exited with code {self.processes[crashed].returncode}; "
                    f"see {self.log_dir / (crashed + '.log')}"
                )
            if answers_http(url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"the {name} server did not answer at {url} within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """SIGTERM each server's process group, then SIGKILL whatever is still alive."""
        stop_processes(list(self.processes.values()), signal.SIGTERM)
        self.processes.clear()

    def first_exited(self) -> Optional[str]:
        """The name of a server that has stopped on its own, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)


def secure_files(settings: Settings, log_dir: Path) -> None:
    """Tighten what an earlier run (or an older version) left readable to others: the
    SQLite databases with their journals, the token files and the servers' logs (0600).
    New files are created private: by `bot.private_files`, and by the servers, which
    run with umask 077."""
    databases = {_sqlite_path(url) for url in (settings.database_url, settings.tracker_store_url)} - {None}
    files = [
        *(Path(f"{database}{suffix}") for database in databases for suffix in ("", "-wal", "-shm", "-journal")),
        settings.staff_token_file,
        settings.action_token_file,
        settings.widget_secret_file,
        *log_dir.glob("*.log"),
    ]
    for path in files:
        make_private(path)


def _sqlite_path(url: str) -> Optional[Path]:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def stop_processes(processes: List[subprocess.Popen], sig: int = signal.SIGTERM) -> None:
    """Send `sig` to each process group, then SIGKILL whatever is alive after STOP_TIMEOUT_S."""
    for process in processes:
        _signal_group(process, sig)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _token_source(settings: Settings) -> str:
    """Where the `local` API token is; the banner never shows a token itself."""
    if settings.staff_api_token:
        return "`local`, the value of STAFF_API_TOKEN"
    return f"`local`, in {settings.staff_token_file} (owner-only): Bearer $(cat {settings.staff_token_file})"


def _staff_accounts(settings: Settings) -> str:
    """How many staff can sign in, and how to add one."""
    how = "add one: make staff-user EMAIL=you@clinic.example"
    engine = make_engine(settings.database_url)  # once, at start-up: no pool kept open afterwards
    try:
        count = Accounts(session_factory(engine)).count()
    except DatabaseUnavailable:
        return how
    finally:
        engine.dispose()
    if count == 0:
        return f"no staff accounts yet; {how}"
    return f"{count} staff account{'s' if count != 1 else ''}; {how}"


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def answers_http(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers a GET with any status below 500 (the server is up)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_stack(
    settings: Optional[Settings] = None,
    log_dir: Optional[Path] = None,
    profile: str = EMBEDDED,
) -> Iterator[Stack]:
    """All servers of `profile`, started and healthy inside the block, stopped after it."""
    settings = settings or get_settings()
    stack = Stack(settings, log_dir or settings.var_dir / "logs", profile=profile)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def clinic_banner(settings: Settings) -> List[str]:
    """Start-banner lines about the clinic profile: a demo, or a missing phone number, is said loudly."""
    clinic, path = settings.clinic, settings.clinic_profile_path
    if clinic.demo:
        return [
            "",
            "*** DEMO PROFILE ***",
            f"  {path} is the demo clinic profile (demo: true). Patients are told to call",
            f"  {clinic.phone}, a fictional number; the widget shows a Demo label.",
            "  Before real patients use it: set the clinic's own `phone` and delete `demo: true`",
            "  (make run-prod refuses the demo profile).",
        ]
    if not clinic.phone:
        return [
            "",
            f"Note: {path} has no phone number; answers tell patients to find it on the clinic's",
            "  website. Set `phone` (make run-prod refuses to start without it).",
        ]
    return []


def _started(stack: Stack) -> str:
    """What `main` prints once every server answers."""
    settings = stack.settings
    sms_state = "enabled" if settings.twilio_auth_token else "refusing all: set TWILIO_AUTH_TOKEN"
    clinic = settings.clinic
    lines = [
        *clinic_banner(settings),
        "",
        "The assistant is running" + (" (DEMO PROFILE)." if clinic.demo else "."),
        f"  Clinic:         {clinic.name}, phone {clinic.phone or '(none)'}"
        + ("  [DEMO: fictional number]" if clinic.demo else ""),
        f"  Website demo:   {stack.widget_demo_url}  (open it in a browser: the chat widget)",
        f'  Widget tag:     <script src="{stack.rasa_url}/webhooks/widget/widget.js" defer></script>',
        f'  Chat (REST):    POST {stack.rasa_url}/webhooks/rest/webhook {{"sender": "me", "message": "hi"}}',
        f"  SMS (Twilio):   POST {stack.sms_webhook_url}  ({sms_state})",
        f"  Health:         {stack.rasa_url}/webhooks/rest/",
    ]
    if stack.profile == PROD:
        lines += [
            f"  Rasa servers:   {', '.join(stack.instance_urls)} (behind the proxy on {stack.rasa_url})",
            f"  Conversations:  {make_url(settings.tracker_store_url).render_as_string(hide_password=True)}",
            "  Locks:          Redis (REDIS_URL)",
        ]
    lines += [
        f"  Action server:  {stack.action_url}/health",
        f"  Staff console:  {stack.staff_url}/  ({_staff_accounts(settings)})",
        f"  Staff API:      GET {stack.staff_url}/api/handoffs (header 'Authorization: Bearer <token>')",
        f"  Staff token:    {_token_source(settings)}",
        "                  (more: python -m bot.staff add-token NAME; list-tokens, revoke-token NAME)",
        f"  Logs:           {stack.log_dir}/",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Run until Ctrl-C (or SIGTERM), printing where to talk to the assistant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", choices=PROFILES, default=EMBEDDED,
        help="embedded: one Rasa server on SQLite (make run); prod: RASA_INSTANCES Rasa servers "
        "on PostgreSQL and Redis behind a proxy (make run-prod)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        stack = Stack(settings, settings.var_dir / "logs", profile=args.profile)
    except ConfigurationError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 2
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    rasa = (
        "the Rasa server"
        if args.profile == EMBEDDED
        else f"{stack.settings.rasa_instances} Rasa servers behind a proxy"
    )
    print(f"Starting the action server, {rasa} and the staff API (about a minute)...", flush=True)
    try:
        stack.start()
        print(_started(stack), flush=True)
        while not stop_requested:
            crashed = stack.first_exited()
            if crashed:
                print(f"The {crashed} server stopped; see {stack.log_dir / (crashed + '.log')}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        print("Stopping...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
