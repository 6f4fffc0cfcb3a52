"""A container's health check: its own server's health path on loopback (deploy/Dockerfile).

`python /app/deploy/healthcheck.py rasa|actions|staff` exits 0 when that server answers
200, else 1 with the reason on stderr. The slim base image has no curl, so this uses
the standard library only, and the same paths the launcher waits on
(bot/launcher/supervision.py): the REST channel's, the action server's and the staff
process's. The port is the container's own variable, so a host-networked container on
another port is checked where it listens.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from typing import Dict, List, Tuple

# process: (its port variable, the image's default port, its health path)
CHECKS: Dict[str, Tuple[str, str, str]] = {
    "rasa": ("RASA_PORT", "5005", "/webhooks/rest/"),
    "actions": ("ACTION_PORT", "5055", "/health"),
    "staff": ("STAFF_PORT", "8080", "/healthz"),
}
TIMEOUT_S = 4.0


def main(argv: List[str]) -> int:
    if len(argv) != 2 or argv[1] not in CHECKS:
        print(f"usage: healthcheck.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    variable, default, path = CHECKS[argv[1]]
    url = f"http://127.0.0.1:{os.environ.get(variable) or default}{path}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as exc:  # HTTPError (4xx, 5xx) is a URLError
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    if not healthy:
        print(f"{url}: HTTP {response.status}", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
