"""Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema (and Redis).

PostgreSQL tests use the server at 127.0.0.1:5432 (database `test`, user `postgres`),
each in its own uniquely named schema that is dropped afterwards, so nobody else's
tables in `test` are touched. Without the server they skip, unless CI is set: then
a missing server fails the run instead of silently testing less.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import psycopg2
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from bot.db.engine import dispose_engines, make_engine, session_factory
from bot.db.migrate import upgrade
from bot.handoffs.store import HandoffStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
BACKENDS = ("sqlite", "postgresql")


@lru_cache(maxsize=1)
def postgres_reachable() -> bool:
    try:
        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def require_postgres() -> None:
    """Skip (or, with CI set, fail) the calling test when PostgreSQL is not running."""
    if postgres_reachable():
        return
    message = "PostgreSQL is not reachable at 127.0.0.1:5432 (database test, user postgres)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set")
    pytest.skip(f"{message}; CI runs these tests")


@lru_cache(maxsize=1)
def redis_reachable() -> bool:
    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return False
    return True


def require_redis() -> None:
    """Skip (or, with CI set, fail) the calling test when Redis is not running."""
    if redis_reachable():
        return
    message = f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set")
    pytest.skip(f"{message}; CI runs these tests")


@contextlib.contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of `backend` (SQLite under `directory`), removed afterwards."""
    if backend == "sqlite":
        try:
            yield f"sqlite:///{directory / 'db' / 'handoffs.db'}"
        finally:
            dispose_engines()
        return
    require_postgres()
    schema = f"handoffs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        finally:
            dispose_engines()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (no schema: run migrations yourself)."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@contextlib.contextmanager
def migrated_store(backend: str, directory: Path, **options: Any) -> Iterator[HandoffStore]:
    """A handoff store on a fresh database of `backend`, migrated to the latest schema
    (`options`, such as a test's `clock`, go to the store)."""
    with fresh_database(backend, directory) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield HandoffStore(session_factory(engine), **options)
        finally:
            engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[sessionmaker]:
    """Sessions on a fresh, migrated database of each backend."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()
