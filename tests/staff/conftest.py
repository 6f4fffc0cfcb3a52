"""The staff API and console served from a migrated SQLite database with a known API token,
a clock the tests move, conversations they choose, the audit log, and a signed-in staff
account. Helpers that are not fixtures are in tests/staff/fixtures.py."""

import dataclasses
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.migrate import upgrade
from bot.db.models import utcnow
from bot.handoffs.store import HandoffStore
from bot.settings import Settings
from bot.staff.accounts import Accounts, StaffAccount
from bot.staff.api_tokens import ApiTokens
from bot.staff.app import create_app
from bot.staff.audit import AuditLog
from tests.clock import Clock
from tests.http_server import serving
from tests.ports import free_port
from tests.staff.fixtures import EMAIL, PASSWORD, Client, FakeBridge, FakeTranscripts, FakeWaiting, sign_in

TOKEN = "staff-token-for-tests-0123456789"
TOKEN_NAME = "integration"  # the audit log names requests with TOKEN "api:integration"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"})


@pytest.fixture
def store(settings: Settings) -> Iterator[HandoffStore]:
    """The handoff store of the migrated test database, where TOKEN is a live API token."""
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    ApiTokens(session_factory(engine)).register(TOKEN_NAME, TOKEN)
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


@pytest.fixture
def clock() -> Clock:
    return Clock(start=utcnow())  # the rows the store stamps itself carry the real time


@pytest.fixture
def transcripts() -> FakeTranscripts:
    return FakeTranscripts()


@pytest.fixture
def waiting() -> FakeWaiting:
    return FakeWaiting()


@pytest.fixture
def database(settings: Settings, store: HandoffStore) -> Iterator[sessionmaker]:
    """Sessions on the migrated test database (the `store` fixture migrates it)."""
    engine = make_engine(settings.database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def audit(database: sessionmaker) -> AuditLog:
    return AuditLog(database)


@pytest.fixture
def account(database: sessionmaker) -> StaffAccount:
    return Accounts(database).add(EMAIL, PASSWORD)


@pytest.fixture
def bridge(transcripts: FakeTranscripts) -> FakeBridge:
    return FakeBridge(transcripts)


@pytest.fixture
def app_url(
    settings: Settings,
    store: HandoffStore,
    clock: Clock,
    transcripts: FakeTranscripts,
    waiting: FakeWaiting,
    bridge: FakeBridge,
) -> Iterator[str]:
    """Base URL of a running staff app with the test's clock, conversations, waiting ones and staff bridge."""
    app = create_app(settings, clock=clock, transcripts=transcripts, waiting=waiting, bridge=bridge)
    with serving(app) as url:
        yield url
    dispose_engines()


@pytest.fixture
def signed_in(app_url: str, account: StaffAccount) -> Client:
    """A client signed in as the test's staff account."""
    client = Client(app_url)
    assert sign_in(client).status_code == 303
    return client
