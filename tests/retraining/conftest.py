"""The console fixtures of tests/staff: these tests review messages through the console."""

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
