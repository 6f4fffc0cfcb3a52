"""The staff API served from a migrated SQLite database with a known token."""
import dataclasses
from pathlib import Path
from typing import Iterator

import pytest

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.migrate import upgrade
from bot.handoffs.store import HandoffStore
from bot.settings import Settings
from bot.staff.app import create_app
from tests.ports import free_port
from tests.http_server import serving

TOKEN = "staff-token-for-tests-0123456789"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {"VAR_DIR": str(tmp_path / "var"), "STAFF_API_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[HandoffStore]:
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    yield HandoffStore(session_factory(engine))
    engine.dispose()


@pytest.fixture
def api(settings: Settings, store: HandoffStore) -> Iterator[str]:
    """Base URL of a running staff API using `settings` (it makes its own engine, as in production)."""
    with serving(create_app(settings)) as url:
        yield url
    dispose_engines()



@pytest.fixture
def with_unreachable_database(settings: Settings) -> Iterator[str]:
    """Base URL of a staff API whose PostgreSQL server is not there."""
    down = dataclasses.replace(settings, database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    with serving(create_app(down)) as url:
        yield url
    dispose_engines()
