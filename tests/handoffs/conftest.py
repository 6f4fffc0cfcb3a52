"""A migrated, empty handoff store on each backend."""
from pathlib import Path
from typing import Iterator

import pytest

from bot.handoffs.store import HandoffStore
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

