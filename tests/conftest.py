"""Fixtures every test package may use without importing them: `database_url` (an empty
database on each backend) and `db` (sessions on it, migrated), from tests/db/databases.py."""

import logging
from typing import Iterator

import pytest
from argon2 import PasswordHasher

pytest_plugins = ["tests.db.databases"]

# argon2's production parameters (RFC 9106) cost about 0.16 s a hash on these cores, and
# nearly every staff test adds an account and signs in: 60 s of CPU a unit run (issue 18).
# Tests hash with the cheapest parameters unless marked `production_hasher`, which
# tests/staff/test_accounts.py does to show the library's defaults are what accounts use.
CHEAP_HASHING = dict(time_cost=1, memory_cost=8, parallelism=1)


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "production_hasher: staff passwords hashed with argon2's real parameters")


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Staff accounts made in this test hash with CHEAP_HASHING (bot.staff.accounts reads
    its `PasswordHasher` when an `Accounts` is made)."""
    if request.node.get_closest_marker("production_hasher") is None:
        monkeypatch.setattr("bot.staff.accounts.PasswordHasher", lambda: PasswordHasher(**CHEAP_HASHING))
    yield


@pytest.fixture(autouse=True)
def no_repeated_log_filter() -> Iterator[None]:
    """Drop the filters Rasa leaves on the root logger's handlers after each test.

    `rasa.utils.common.configure_logging_and_warnings` (run by in-process training and
    model loading) adds a `RepeatedLogFilter` to every handler of the root logger, which
    under pytest are its capture handlers, kept for the whole session. The filter drops a
    record equal to the last one it saw, so a later test that logs the same line as an
    earlier one captured nothing, depending on which tests its worker ran first (a flaky
    tests/handoffs/notify/test_log.py). Matched by name: importing Rasa here would cost
    every test process its start-up.
    """
    yield
    for handler in logging.getLogger().handlers:
        for found in [f for f in handler.filters if type(f).__name__ == "RepeatedLogFilter"]:
            handler.removeFilter(found)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into node ids
def pytest_collection_modifyitems(config, items) -> None:
    """End-to-end tests on two workers without starting any stack twice (issue 18: CI time).

    `make e2e` runs them with `-n 2 --dist loadgroup`: a group stays on one worker, and
    each worker starts only the stacks its own tests use. The reliability tests share
    the production stack (two Rasa servers on PostgreSQL and Redis) and the quick
    benchmark starts its own servers; everything else shares the embedded stack of
    tests/e2e/conftest.py. The two groups take about as long as each other.
    """
    for item in items:
        if item.get_closest_marker("e2e") is None:
            continue
        path = item.path.as_posix()
        group = "production-stack" if "/tests/reliability/" in path or "/tests/bench/" in path else "embedded-stack"
        item.add_marker(pytest.mark.xdist_group(group))
