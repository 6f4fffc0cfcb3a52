"""Alembic environment: migrate the handoff tables of one database.

`bot.db.migrate` passes an open connection in `config.attributes["connection"]`; the
`alembic` command line (alembic.ini, for writing new revisions with `--autogenerate`)
connects to settings.database_url instead. Only tables the models declare are compared
or touched: Rasa's tracker tables (`events`) may share the file and are not ours.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from bot.db.engine import make_engine
from bot.db.migrate import include_name
from bot.db.models import UTCDateTime, metadata
from bot.settings import get_settings


def render_item(type_: str, obj: Any, autogen_context: Any) -> Any:
    """Write our UTC type as the plain column type it is, so revisions never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        render_item=render_item,
        # SQLite alters tables only by copying them; batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported; run them against a database")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


main()
