"""One production stack shared by the reliability tests: 2 Rasa instances behind the proxy,
PostgreSQL (a fresh schema) and Redis, on free loopback ports.

Starting two Rasa servers costs about a minute, so the stack lives for the whole
package (not per module); a test that stops or kills a server starts it again before
it ends. Without PostgreSQL or Redis the tests skip on a laptop and fail when CI is set.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path
from typing import Iterator

import pytest

from bot.launcher.profiles import PROD
from bot.launcher.supervision import Stack, running_stack
from bot.settings import Settings
from tests.db.databases import fresh_database, require_redis
from tests.e2e.conftest import TWILIO_TEST_TOKEN
from tests.ports import free_port

# A Redis database of its own; every key the stack writes is named after a sender id,
# and the tests' sender ids are unique, so nothing there is shared with anyone else.
REDIS_URL = "redis://127.0.0.1:6379/13"
RASA_INSTANCES = 2
# The tests send far more than a patient may (200 messages from one sender in test 1);
# the rate limit itself is tested with the channels.
RATE_LIMIT = "100000"


def ephemeral_ports_start() -> int:
    """The lowest port the kernel hands out by itself (to `free_port()` and to every
    outgoing connection): Linux's ip_local_port_range, 32768 by default."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def consecutive_free_ports(count: int, attempts: int = 200) -> int:
    """The first of `count` consecutive loopback ports nothing listens on right now
    (the proxy takes the first, the Rasa instances the ones after it).

    Chosen below the kernel's ephemeral range: a port free when chosen must stay free
    for the ~20 s until its server binds it, and the other e2e worker's stack (free
    ports from the kernel) and every outgoing connection take ports from that range. A
    run failed so: rasa-2's port was taken before it started ("address already in use").
    """
    for _ in range(attempts):
        first = random.randrange(10000, min(ephemeral_ports_start(), 60000) - count)
        if all(_free(port) for port in range(first, first + count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports found")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="package")
def prod_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The prod profile on its own PostgreSQL schema, Redis database and ports."""
    require_redis()
    var_dir: Path = tmp_path_factory.mktemp("prod-var")
    with fresh_database("postgresql", var_dir) as database_url:
        proxy_port = consecutive_free_ports(RASA_INSTANCES + 1)
        profile = var_dir / "profile.yml"  # production refuses the shipped demo profile
        profile.write_text(
            "name: Atalo Aesthetics\nphone: '(617) 555-0142'\ntime_zone: America/New_York\n", encoding="utf-8"
        )
        settings = Settings.from_env(
            {
                **os.environ,
                "CLINIC_PROFILE": str(profile),
                "VAR_DIR": str(var_dir),
                "TRACKER_DB": str(var_dir / "tracker.db"),
                "DATABASE_URL": database_url,
                "TRACKER_STORE_URL": "",  # the prod profile then keeps conversations in DATABASE_URL
                "REDIS_URL": REDIS_URL,
                "RASA_INSTANCES": str(RASA_INSTANCES),
                "RASA_PORT": str(proxy_port),
                "ACTION_PORT": str(free_port()),
                "STAFF_PORT": str(free_port()),
                "PATIENT_RATE_LIMIT": RATE_LIMIT,
                "TWILIO_AUTH_TOKEN": TWILIO_TEST_TOKEN,
                "TWILIO_WEBHOOK_URL": f"http://localhost:{proxy_port}/webhooks/twilio/webhook",
                "CORS_ORIGINS": "https://www.clinic.example",  # production names the widget's sites
            }
        )
        if not settings.model_path.exists():
            pytest.fail(f"no trained model at {settings.model_path}; run `make train` (make e2e does)")
        with running_stack(settings, var_dir / "logs", profile=PROD) as stack:
            yield stack
