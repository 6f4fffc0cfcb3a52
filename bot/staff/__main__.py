"""Serve the staff API: `python -m bot.staff` (the launcher runs it for `make run`)."""
from __future__ import annotations

import sys

from bot.db.engine import dispose_engines
from bot.settings import get_settings
from bot.staff.app import create_app
from bot.staff.token import resolve_token


def main() -> int:
    """One worker on STAFF_HOST:STAFF_PORT, without an access log (Sanic's would record every query string)."""
    settings = get_settings()
    resolve_token(settings, create=True)  # a standalone start makes its own token file
    app = create_app(settings)
    app.config.MOTD = False
    app.after_server_stop(lambda app, loop: dispose_engines())
    app.run(host=settings.staff_host, port=settings.staff_port, workers=1, access_log=False, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
