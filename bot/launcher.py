"""Start the action server, the Rasa server and the staff API together, and stop them together.

`make run` calls `python -m bot.launcher`; the end-to-end tests use `running_stack()`.
One place owns the processes so that Ctrl-C (or a failed start) never leaves a server
running in the background holding a port. It also migrates the handoff database before
any server starts, so no server ever sees an old schema or races another to create it.
"""
from __future__ import annotations

import argparse
import contextlib
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
from typing import Dict, Iterator, List, Optional

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.db import migrate
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings, get_settings
from bot.staff.token import resolve_token

START_TIMEOUT_S = 180.0
# Passed only to the one server that needs each, even when exported in the shell.
SECRETS = frozenset({"STAFF_API_TOKEN", "TWILIO_AUTH_TOKEN"})
STOP_TIMEOUT_S = 15.0


def server_env(settings: Settings) -> Dict[str, str]:
    """The environment all servers run with, so each reads the settings this launcher has.

    `endpoints.yml` reads ACTION_PORT and TRACKER_DB; the action server and the staff
    API read DATABASE_URL; the staff API listens on STAFF_HOST:STAFF_PORT, and the
    action server's e-mails link to STAFF_PUBLIC_URL. Secrets go only to the server
    that uses them: the staff token to the staff API (`staff_env`), the Twilio token
    to the Rasa server (`rasa_env`).
    """
    env = {name: value for name, value in os.environ.items() if name not in SECRETS}
    env.update(
        ACTION_PORT=str(settings.action_port),
        TRACKER_DB=str(settings.tracker_db),
        DATABASE_URL=settings.database_url,
        STAFF_HOST=settings.staff_host,
        STAFF_PORT=str(settings.staff_port),
        STAFF_PUBLIC_URL=settings.staff_public_url,
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    )
    return env


def action_server_cmd(settings: Settings) -> List[str]:
    """rasa-sdk's own entry point: it starts faster than `rasa run actions`."""
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)]


def rasa_server_cmd(settings: Settings) -> List[str]:
    """The Rasa server with the REST channel and CORS for the widget; no HTTP API (it has no auth)."""
    return [
        sys.executable, "-m", "rasa", "run",
        "--model", str(settings.model_path),
        "--endpoints", "endpoints.yml",
        "--credentials", "credentials.yml",
        "--port", str(settings.rasa_port),
        "--cors", *settings.cors_origins,
    ]  # fmt: skip


def rasa_env(settings: Settings) -> Dict[str, str]:
    """`server_env` plus the SMS channel's settings (it runs inside the Rasa server)."""
    return {
        **server_env(settings),
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_WEBHOOK_URL": settings.twilio_webhook_url,
    }


def staff_env(settings: Settings, staff_token: str) -> Dict[str, str]:
    """`server_env` plus the token, so the staff API and the launcher's printout agree."""
    return {**server_env(settings), "STAFF_API_TOKEN": staff_token}


def staff_server_cmd(settings: Settings) -> List[str]:
    """The staff API; it reads its address, port and token from `staff_env`."""
    return [sys.executable, "-m", "bot.staff"]


@dataclass
class Stack:
    """The running servers and where to reach them."""

    settings: Settings
    log_dir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    staff_token: str = field(default="", repr=False)  # set by start()

    @property
    def rasa_url(self) -> str:
        return f"http://localhost:{self.settings.rasa_port}"

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

    def start(self) -> None:
        """Migrate, start the servers and wait until each answers HTTP; raise if one dies first."""
        if not self.settings.model_path.exists():
            raise RuntimeError(f"no trained model at {self.settings.model_path}: run `make train`")
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        self.settings.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for port in (self.settings.action_port, self.settings.rasa_port, self.settings.staff_port):
            if _port_in_use(port):
                raise RuntimeError(
                    f"port {port} is already in use (another `make run`?); "
                    "stop it or set RASA_PORT / ACTION_PORT / STAFF_PORT"
                )
        self._migrate()
        try:
            self.staff_token = resolve_token(self.settings, create=True)
        except ConfigurationError as exc:
            raise RuntimeError(str(exc)) from exc
        env = server_env(self.settings)
        for name, cmd, cmd_env in (
            ("actions", action_server_cmd(self.settings), env),
            ("rasa", rasa_server_cmd(self.settings), rasa_env(self.settings)),
            ("staff", staff_server_cmd(self.settings), staff_env(self.settings, self.staff_token)),
        ):
            log = open(self.log_dir / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=cmd_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            log.close()
        self._wait_until_up("staff", f"{self.staff_url}/healthz")
        self._wait_until_up("actions", f"{self.action_url}/health")
        self._wait_until_up("rasa", f"{self.rasa_url}/webhooks/rest/")

    def _migrate(self) -> None:
        url = self.settings.database_url
        try:
            migrate.upgrade(url)
        except SQLAlchemyError as exc:
            shown = make_url(url).render_as_string(hide_password=True)
            raise RuntimeError(f"could not migrate the handoff database {shown}: {exc}") from exc

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
            if _answers(url):
                return
            time.sleep(0.5)
        raise RuntimeError(f"the {name} server did not answer at {url} within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """SIGTERM each server's process group, then SIGKILL whatever is still alive."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def first_exited(self) -> Optional[str]:
        """The name of a server that has stopped on its own, if any."""
        return next((name for name, p in self.processes.items() if p.poll() is not None), None)


def _token_source(settings: Settings) -> str:
    if settings.staff_api_token:
        return "from STAFF_API_TOKEN"
    return f"kept in {settings.staff_token_file}; delete the file and restart for a new token"


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


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_stack(settings: Optional[Settings] = None, log_dir: Optional[Path] = None) -> Iterator[Stack]:
    """All servers, started and healthy inside the block, stopped after it."""
    settings = settings or get_settings()
    stack = Stack(settings=settings, log_dir=log_dir or settings.var_dir / "logs")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def main(argv: Optional[List[str]] = None) -> int:
    """Run until Ctrl-C (or SIGTERM), printing where to talk to the assistant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    settings = get_settings()
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    print("Starting the action server, the Rasa server and the staff API (about a minute)...", flush=True)
    stack = Stack(settings=settings, log_dir=settings.var_dir / "logs")
    try:
        stack.start()
        if not settings.clinic.phone:
            print(f"Note: {settings.clinic_profile_path} has no phone number; answers will say "
                  "'contact the clinic directly'.", flush=True)
        sms_state = "enabled" if settings.twilio_auth_token else "refusing all: set TWILIO_AUTH_TOKEN"
        print(
            f"\nThe assistant is running.\n"
            f"  Website demo:   {stack.widget_demo_url}  (open it in a browser: the chat widget)\n"
            f"  Widget tag:     <script src=\"{stack.rasa_url}/webhooks/widget/widget.js\" defer></script>\n"
            f"  Chat (REST):    POST {stack.rasa_url}/webhooks/rest/webhook "
            '{"sender": "me", "message": "hi"}\n'
            f"  SMS (Twilio):   POST {stack.sms_webhook_url}  ({sms_state})\n"
            f"  Health:         {stack.rasa_url}/webhooks/rest/\n"
            f"  Action server:  {stack.action_url}/health\n"
            f"  Staff API:      GET {stack.staff_url}/api/handoffs "
            f"(header 'Authorization: Bearer <token>')\n"
            f"  Staff token:    {stack.staff_token}\n"
            f"                  ({_token_source(settings)})\n"
            f"  Logs:           {stack.log_dir}/\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
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
