"""How each measured assistant is started: its processes, their environment, its URL.

Ours is started with the launcher's own commands and environments (`bot.launcher`), so
the benchmark measures what `make run` runs; anything a measurement tries on top (a
thread setting, several Sanic workers) is passed as `extra_env`. The production mode
is one Rasa server with `workers` Sanic workers, which Rasa allows only with a lock
store other than in-memory: the project's Redis lock store (endpoints.prod.yml) on a
Redis database of its own, and the tracker store in a fresh PostgreSQL schema. The
stock assistant runs as `rasa run` serves it after `rasa init`: its own endpoints
(in-memory tracker and locks) and credentials (the REST channel).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from bench.conversations import OURS, STOCK, Conversation
from bench.load import rest_url
from bench.servers import ProcessSpec, Ready
from bot.launcher import profiles
from bot.settings import PROJECT_ROOT, Settings

# What the Makefile exports for every command; the stock assistant gets it too, so both
# run with the same (quiet) logging and no telemetry.
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}
OURS_LABEL = "ours (embedded)"
PROD_LABEL = "ours (production)"


@dataclass(frozen=True)
class Assistant:
    key: str  # stock, ours, ours-prod
    label: str
    setup: str  # one line for the report: how it was served
    base_url: str
    processes: Tuple[ProcessSpec, ...]
    conversations: Tuple[Conversation, ...]


def free_port() -> int:
    """A loopback port nothing listens on now, so a `make run` nearby is never disturbed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(extra_env: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    return {**os.environ, **QUIET_ENV, **(extra_env or {})}


def stock(project: Path, model: Path) -> Assistant:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "rasa", "run", "--model", str(model),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", str(port),
    ]  # fmt: skip
    rasa = ProcessSpec("rasa", cmd, base_env(), project, Ready(rest_url(url), "message"))
    setup = "`rasa run` of the `rasa init` project: in-memory tracker store and lock store"
    return Assistant("stock", "stock rasa init", setup, url, (rasa,), STOCK)


def ours_settings(var_dir: Path, database_url: str = "", redis_url: str = "") -> Settings:
    """Settings for a run of ours on free ports, with its own databases under `var_dir`
    (or `database_url`), no e-mail, and the patient rate limit as shipped."""
    return Settings.from_env(
        {
            **base_env(),
            "VAR_DIR": str(var_dir),
            "TRACKER_DB": str(var_dir / "tracker.db"),
            "DATABASE_URL": database_url,
            "TRACKER_STORE_URL": database_url,
            "REDIS_URL": redis_url,
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "STAFF_PORT": str(free_port()),
            "SMTP_HOST": "",
        }
    )


def ours(settings: Settings, extra_env: Optional[Mapping[str, str]] = None) -> Assistant:
    """The embedded default (`make run`): one Rasa process, SQLite, in-memory locks; the
    handoff database must be migrated (`bot.db.migrate.upgrade`), as the launcher does."""
    url = f"http://127.0.0.1:{settings.rasa_port}"
    rasa = ProcessSpec(
        "rasa", profiles.rasa_server_cmd(settings), {**profiles.rasa_env(settings), **QUIET_ENV, **(extra_env or {})},
        PROJECT_ROOT, Ready(rest_url(url), "message"),
    )  # fmt: skip
    setup = "`make run`'s Rasa server (endpoints.yml: SQLite tracker store, in-memory locks) and action server"
    return Assistant("ours", OURS_LABEL, setup + _extra(extra_env), url, (_actions(settings), rasa), OURS)


def ours_prod(settings: Settings, workers: int, extra_env: Optional[Mapping[str, str]] = None) -> Assistant:
    """One Rasa server with `workers` Sanic workers on endpoints.prod.yml (Redis locks,
    PostgreSQL tracker store); `settings` must carry the PostgreSQL and Redis URLs, and
    the schema must be migrated (`bench.databases.fresh_schema`)."""
    url = f"http://127.0.0.1:{settings.rasa_port}"
    served = dataclasses.replace(settings, sanic_workers=workers)  # as SANIC_WORKERS=workers make run-prod
    env = {**profiles.rasa_env(served, profiles.PROD), **QUIET_ENV, **(extra_env or {})}
    cmd = profiles.rasa_server_cmd(settings, profiles.PROD, settings.rasa_port)
    rasa = ProcessSpec("rasa", cmd, env, PROJECT_ROOT, Ready(rest_url(url), "message"))
    setup = (
        f"one Rasa server with SANIC_WORKERS={workers} on endpoints.prod.yml "
        "(Redis lock store, PostgreSQL tracker store) and the action server"
    )
    return Assistant("ours-prod", PROD_LABEL, setup + _extra(extra_env), url, (_actions(settings), rasa), OURS)


def ours_instances(settings: Settings, instances: int, extra_env: Optional[Mapping[str, str]] = None) -> Assistant:
    """The launcher's prod topology: `instances` Rasa servers (one Sanic worker each) on
    endpoints.prod.yml behind bot/launcher/proxy.py, for comparing it with Sanic workers."""
    ports = [free_port() for _ in range(instances)]
    env = {**profiles.rasa_env(settings, profiles.PROD), **QUIET_ENV, **(extra_env or {})}
    rasa = tuple(
        ProcessSpec(
            f"rasa-{number}",
            profiles.rasa_server_cmd(settings, profiles.PROD, port),
            env,
            PROJECT_ROOT,
            Ready(rest_url(f"http://127.0.0.1:{port}"), "message"),
        )  # fmt: skip
        for number, port in enumerate(ports, start=1)
    )
    url = f"http://127.0.0.1:{settings.rasa_port}"
    proxy = ProcessSpec(
        "proxy", profiles.proxy_cmd(settings, ports), {**profiles.server_env(settings), **QUIET_ENV}, PROJECT_ROOT,
        Ready(rest_url(url), "message"),
    )  # fmt: skip
    setup = f"{instances} Rasa servers on endpoints.prod.yml behind bot/launcher/proxy.py, and the action server"
    return Assistant("ours-instances", f"ours ({instances} instances)", setup + _extra(extra_env), url,
                     (_actions(settings), *rasa, proxy), OURS)  # fmt: skip


def _actions(settings: Settings) -> ProcessSpec:
    return ProcessSpec(
        "actions", profiles.action_server_cmd(settings), {**profiles.action_env(settings), **QUIET_ENV},
        PROJECT_ROOT, Ready(f"http://127.0.0.1:{settings.action_port}/health", "health"),
    )  # fmt: skip


def _extra(extra_env: Optional[Mapping[str, str]]) -> str:
    return f", with {' '.join(f'{k}={v}' for k, v in sorted(extra_env.items()))}" if extra_env else ""
