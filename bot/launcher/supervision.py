"""Start the servers of a profile together, watch them, and stop them together.

One place owns the processes, so Ctrl-C or a failed start never leaves a server running
in the background holding a port. `running_stack()` is what the end-to-end and
reliability tests, the evaluations and the benchmarks use.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional

from bot.action_server.auth import action_token
from bot.launcher.preparation import prepare_databases, secure_files
from bot.launcher.profiles import (
    EMBEDDED,
    PROD,
    PROFILES,
    Server,
    action_env,
    action_server_cmd,
    prod_settings,
    proxy_cmd,
    rasa_env,
    rasa_server_cmd,
    server_env,
    staff_env,
    staff_server_cmd,
)
from bot.private_files import PRIVATE_UMASK, open_private_log, private_dir
from bot.settings import PROJECT_ROOT, ConfigurationError, Settings, get_settings
from bot.shared_secrets import staff_bridge_token
from bot.staff.token import local_token

START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0


@dataclass
class Stack:
    """The running servers and where to reach them.

    `profile` is EMBEDDED (one Rasa server, SQLite, in-memory locks) or PROD
    (RASA_INSTANCES Rasa servers on PostgreSQL and Redis behind bot/launcher/proxy.py); a
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
                "staff",
                staff_server_cmd(settings),
                staff_env(settings, self.staff_token, self.instance_urls),
                f"{self.staff_url}/healthz",
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
            staff_bridge_token(settings, create=True)
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
