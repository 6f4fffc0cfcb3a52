"""The console fixtures of tests/staff (these tests review messages through the console), and a
migrated database on each backend (`db`, tests/db/databases.py)."""

from tests.db.databases import database_url, db  # noqa: F401 - fixtures, found by name
from tests.staff.conftest import (  # noqa: F401 - fixtures, found by name
    account,
    app_url,
    bridge,
    clock,
    database,
    settings,
    signed_in,
    store,
    transcripts,
    waiting,
)
