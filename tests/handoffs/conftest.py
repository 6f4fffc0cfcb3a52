"""A migrated, empty handoff store on each backend."""
from pathlib import Path
from typing import Iterator

import pytest

from bot.db.engine import make_engine, session_factory
from bot.db.migrate import upgrade
from bot.handoffs.store import HandoffStore
from tests.db.databases import BACKENDS, fresh_database


def _store_on(backend: str, directory: Path) -> Iterator[HandoffStore]:
    with fresh_database(backend, directory) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield HandoffStore(session_factory(engine))
        finally:
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HandoffStore]:
    yield from _store_on(request.param, tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandoffStore]:
    """One store for a whole module, for property tests that add many rows."""
    yield from _store_on(request.param, tmp_path_factory.mktemp("store"))


from tests.db.databases import database_url  # noqa: E402,F401  (fixture: an empty database)
