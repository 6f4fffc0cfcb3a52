"""Bring the handoff database schema up to date: `python -m bot.db.migrate`.

The launcher runs this before it starts any server, so the action server and the staff
API never see a half-made schema and never race each other to create it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, List, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, make_url

from bot.db.engine import make_engine
from bot.db.models import metadata
from bot.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def include_name(name: Optional[str], type_: str, parent_names: Any) -> bool:
    """Alembic compares only our tables: Rasa's tracker tables may share the database."""
    return type_ != "table" or name in metadata.tables


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for migrating over `connection` (no alembic.ini needed).

    Passing the connection, not the URL, keeps URLs out of configparser, which would
    misread the `%` of an escaped PostgreSQL option such as `?options=-csearch_path%3Dx`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Run `alembic upgrade <revision>` against the database at `url`."""
    _run(url, command.upgrade, revision)


def downgrade(url: str, revision: str) -> None:
    """Run `alembic downgrade <revision>` against the database at `url`."""
    _run(url, command.downgrade, revision)


def _run(url: str, step: Callable[[Config, str], None], revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, on=False)
            try:
                with connection.begin():
                    step(alembic_config(connection), revision)
                    if sqlite:
                        _check_foreign_keys(connection)
            finally:
                if sqlite:
                    _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Switch SQLite's foreign keys, which only works outside a transaction.

    SQLite changes a table (a new column type, a check constraint) only by copying it
    and dropping the original (Alembic's batch mode). With foreign keys on, that drop
    deletes the old rows first and so cascades: every note of every handoff would go.
    Migrations therefore run with them off, and `_check_foreign_keys` makes sure they
    left no dangling reference before the transaction commits.
    """
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left {len(broken)} row(s) referring to missing rows: {broken[:5]}")


def main(argv: Optional[List[str]] = None) -> int:
    """Upgrade settings.database_url to the newest revision."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    url = get_settings().database_url
    upgrade(url)
    print(f"handoff database is up to date: {make_url(url).render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
