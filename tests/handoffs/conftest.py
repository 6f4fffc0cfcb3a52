"""A migrated, empty handoff store on each backend (`timed_store`: with the test's clock)."""

from pathlib import Path
from typing import Iterator

import pytest

from bot.handoffs.store import HandoffStore
from tests.clock import Clock
from tests.db.databases import BACKENDS, migrated_store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HandoffStore]:
    with migrated_store(request.param, tmp_path) as store:
        yield store


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandoffStore]:
    """One store for a whole module, for property tests that add many rows."""
    with migrated_store(request.param, tmp_path_factory.mktemp("store")) as store:
        yield store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def timed_store(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[HandoffStore]:
    """A store that stamps new rows and judges the red-flag window with the test's `clock`."""
    with migrated_store(request.param, tmp_path, clock=clock) as store:
        yield store
