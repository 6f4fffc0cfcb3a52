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
        with engine.begin() as connection:
            step(alembic_config(connection), revision)
    finally:
        engine.dispose()


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
