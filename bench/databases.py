"""Throwaway stores for the production mode: a fresh PostgreSQL schema, a Redis check.

The benchmark writes thousands of conversations and some handoffs; they go to a schema
made for the run and dropped after it, never to the clinic's database or anyone
else's tables in the same database.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Iterator

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.launcher import preparation

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
# A Redis database of its own (the reliability tests use 13); every key is per sender.
REDIS_URL = "redis://127.0.0.1:6379/14"


def unreachable(postgres_url: str, redis_url: str) -> str:
    """Why the production mode cannot run here ("" when both servers answer)."""
    try:
        redis.Redis.from_url(redis_url, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {redis_url} ({exc})"
    engine = create_engine(postgres_url, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        return f"PostgreSQL is not reachable at {postgres_url} ({type(exc).__name__})"
    finally:
        engine.dispose()
    return ""


@contextlib.contextmanager
def fresh_schema(postgres_url: str) -> Iterator[str]:
    """The URL of a new schema in `postgres_url`'s database, ready for both stores
    (handoff tables migrated, Rasa's `events` table created once, before several
    Sanic workers would race to create it), dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, future=True)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
        try:
            preparation.migrate_handoffs(url)  # as the launcher prepares them before any server starts
            preparation.create_tracker_tables(url)
            yield url
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
