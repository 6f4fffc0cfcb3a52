"""The action server: rasa-sdk's app with our actions, answering the Rasa servers only.

`python -m rasa_sdk` (rasa-sdk 3.6) listens on every interface, allows any CORS origin,
runs any request without authentication, inflates a deflate body with an unbounded
`zlib.decompress` (a few kilobytes can expand to gigabytes), and answers an error with
the request's whole body, that is the patient's conversation, which Rasa then logs.
`python -m bot.action_server` (what the launcher starts) serves the same app
(`rasa_sdk.endpoint.create_app`, the `actions` package) with:

- ACTION_HOST (127.0.0.1 by default) and ACTION_PORT;
- the shared secret (`bot.action_server.auth`) on every request but `GET /health`, which the
  launcher and load balancers poll; 401 without it;
- bodies of at most MAX_BODY_BYTES, as sent (Sanic's REQUEST_MAX_SIZE, 413) and once
  inflated: deflate is what Rasa sends with COMPRESS_ACTION_SERVER_REQUEST=true; other
  encodings get 415;
- no CORS: browsers have no business here;
- errors answered with their status and no request data.
"""

from __future__ import annotations

import logging
import sys
import zlib
from typing import Optional

from rasa_sdk import endpoint, utils
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import InvalidUsage, PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.action_server.auth import action_token, authorized
from bot.settings import ConfigurationError, get_settings

# An action call carries the conversation's current session: a long one is a few
# hundred kilobytes, and a session of 1,000 messages of the channels' 2,000-character
# maximum about 6 MB. A body above this is refused, compressed or not.
MAX_BODY_BYTES = 8 * 1024 * 1024
OPEN_PATHS = frozenset({"/health"})
IDENTITY, DEFLATE = "identity", "deflate"

logger = logging.getLogger(__name__)


def create_app(token: str, actions_package: str = "actions", max_body: int = MAX_BODY_BYTES) -> Sanic:
    """rasa-sdk's app for `actions_package`, guarded as the module docstring says."""
    app = endpoint.create_app(actions_package, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = max_body

    @app.on_request
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorized(request.headers.get("authorization"), token):
            return None
        return response.json({"error": "unauthorized"}, status=401)

    @app.on_request
    async def inflate_body(request: Request) -> Optional[HTTPResponse]:
        encoding = request.headers.get("content-encoding", IDENTITY).strip().lower()
        if encoding == IDENTITY:
            return None
        if encoding != DEFLATE:
            return response.json({"error": "unsupported Content-Encoding; send deflate or none"}, status=415)
        request.body = inflate(request.body, max_body)
        del request.headers["content-encoding"]  # rasa-sdk's handler would inflate it again, unbounded
        return None

    @app.exception(Exception)  # replaces rasa-sdk's handler, which echoes the request body
    async def error_response(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            return response.json({"error": str(exception)}, status=exception.status_code)
        logger.error("the action server failed on %s %s", request.method, request.path, exc_info=exception)
        return response.json({"error": "the action server failed; see its log"}, status=500)

    return app


def inflate(data: bytes, limit: int) -> bytes:
    """A deflate (zlib) body inflated, never past `limit` bytes.

    Raises PayloadTooLarge when it would expand beyond `limit`, InvalidUsage when it is
    not one complete zlib stream.
    """
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise InvalidUsage("the body is not valid deflate data") from exc
    if len(inflated) > limit:
        raise PayloadTooLarge(f"the body inflates to more than {limit} bytes")
    if not inflater.eof or inflater.unused_data:
        raise InvalidUsage("the body is not one complete deflate stream")
    return inflated


def main() -> int:
    """Serve until stopped; exit 2 with the reason when there is no usable token."""
    settings = get_settings()
    try:
        token = action_token(settings)
    except ConfigurationError as exc:
        print(f"The action server cannot start: {exc}", file=sys.stderr)
        return 2
    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    app = create_app(token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)  # as `python -m rasa_sdk` does
    logger.info("Action server listening on http://%s:%d", settings.action_host, settings.action_port)
    app.run(settings.action_host, settings.action_port, workers=utils.number_of_sanic_workers())
    return 0
