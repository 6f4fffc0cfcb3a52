"""The one-shot migration of a release (`migrate` in deploy/Dockerfile, compose and the Job).

What `make run-prod` does before it starts any server (bot.launcher.preparation), once,
so that no server sees an old schema and several Rasa servers never race to create
Rasa's `events` table: the prod profile's checks (PostgreSQL, Redis, CORS origins, a
clinic profile with a real phone number and time zone), Alembic to head, Redis
answering, the `events` table and its indexes. `python -m bot.db.migrate` alone would
run only Alembic. Exits 1 with the reason, never a traceback, when a check or a store fails.
"""

from __future__ import annotations

import sys

from bot.launcher.preparation import prepare_databases
from bot.launcher.profiles import PROD, prod_settings
from bot.settings import ConfigurationError, get_settings


def main() -> int:
    try:
        settings = prod_settings(get_settings())
        prepare_databases(settings, PROD)
    except (ConfigurationError, RuntimeError) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    print("migrate: handoff schema at head, Redis answers, Rasa's events table and indexes in place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
