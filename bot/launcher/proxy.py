"""A small round-robin HTTP reverse proxy in front of several Rasa servers (`make run-prod`).

It exists for the local demo of the production topology, so that one port (RASA_PORT)
reaches every Rasa instance like a clinic's load balancer would; docs/deploy.md says
what to use in production. Rasa's REST and SMS channels are stateless per request and
conversations are locked in Redis, so any instance may take any request: no sticky
sessions.

What it promises:
- a request goes to the next healthy upstream (round robin); an upstream that refuses
  a connection or drops one is taken out of the rotation until its health check
  (`GET /` every HEALTH_INTERVAL_S) answers again;
- a request is re-sent once, to the next upstream, only when the first one certainly
  never received it (connection refused) or when re-sending is harmless (GET, HEAD,
  OPTIONS). A patient's POST that an upstream may have processed is never sent twice:
  that would answer, or book, twice. The client gets a 502 instead and may retry;
- no upstream available: 502 with a JSON body; a slow upstream: 504;
- status codes and headers (Retry-After included) pass through unchanged, apart from
  hop-by-hop headers; X-Forwarded-For and X-Forwarded-Proto are set.

Run: python -m bot.launcher.proxy --port 5005 http://127.0.0.1:5006 http://127.0.0.1:5007
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import sys
from typing import AsyncIterator, List, Optional, Sequence

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

logger = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0
HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=2)
# Connecting on loopback or a LAN is instant or refused; a Rasa answer may take a while
# (the action server's own timeouts come first), but never forever.
UPSTREAM_TIMEOUT = aiohttp.ClientTimeout(total=180, sock_connect=5)
# Safe to send twice (RFC 9110 §9.2.2; PUT/DELETE too, but Rasa's patient channels never use them).
RETRYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Meaningful for one connection only (RFC 9110 §7.6.1), plus the framing aiohttp redoes.
HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade", "content-length",
    }
)  # fmt: skip


class Upstreams:
    """The upstream base URLs in round-robin order, and which of them are healthy."""

    def __init__(self, urls: Sequence[str]) -> None:
        if not urls:
            raise ValueError("at least one upstream is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self.healthy = set(self.urls)  # until a health check or a request says otherwise
        self._turns = itertools.count()

    def rotation(self) -> List[str]:
        """The healthy upstreams, starting with the one whose turn it is."""
        start = next(self._turns) % len(self.urls)
        ordered = self.urls[start:] + self.urls[:start]
        return [url for url in ordered if url in self.healthy]

    def mark(self, url: str, healthy: bool) -> None:
        """Record what the last request or health check found about `url`."""
        if healthy and url not in self.healthy:
            logger.info("upstream %s is back", url)
            self.healthy.add(url)
        elif not healthy and url in self.healthy:
            logger.warning("upstream %s is down; out of the rotation until it answers", url)
            self.healthy.discard(url)


UPSTREAMS_KEY = web.AppKey("upstreams", Upstreams)
SESSION_KEY = web.AppKey("session", aiohttp.ClientSession)


def forwarded_headers(request: web.Request) -> CIMultiDict:
    """The client's headers for the upstream: hop-by-hop ones dropped, X-Forwarded-* set.

    The Host header is kept, so an upstream that builds URLs from the request (Twilio's
    signature check without TWILIO_WEBHOOK_URL) sees the address the client used.
    """
    headers = CIMultiDict((name, value) for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP)
    peer = request.remote or ""
    earlier = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{earlier}, {peer}" if earlier else peer
    headers["X-Forwarded-Proto"] = request.scheme
    return headers


def returned_headers(response: aiohttp.ClientResponse) -> CIMultiDict:
    """The upstream's response headers for the client (hop-by-hop ones dropped)."""
    return CIMultiDict((name, value) for name, value in response.headers.items() if name.lower() not in HOP_BY_HOP)


def error_response(status: int, message: str) -> web.Response:
    """The proxy's own errors, as JSON like the REST channel's."""
    return web.json_response({"error": message}, status=status)


async def forward(request: web.Request) -> web.StreamResponse:
    """Send `request` to an upstream (see the module docstring for when a second one is tried)."""
    upstreams = request.app[UPSTREAMS_KEY]
    session = request.app[SESSION_KEY]
    body = await request.read()
    headers = forwarded_headers(request)
    for base in upstreams.rotation()[:2]:
        try:
            async with session.request(
                request.method, base + request.rel_url.raw_path_qs, headers=headers, data=body, allow_redirects=False
            ) as response:
                answer = await response.read()
                return web.Response(status=response.status, headers=returned_headers(response), body=answer)
        except aiohttp.ClientConnectorError:
            upstreams.mark(base, False)  # never connected: the upstream never saw the request
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError):
            upstreams.mark(base, False)
            if request.method not in RETRYABLE_METHODS:
                logger.warning("upstream %s dropped %s %s; not re-sent", base, request.method, request.path)
                return error_response(502, "the server stopped while handling this request; please try again")
        except asyncio.TimeoutError:
            logger.warning("upstream %s timed out on %s %s", base, request.method, request.path)
            return error_response(504, "the server took too long to answer; please try again")
    return error_response(502, "no server is available right now; please try again in a minute")


async def check_health(upstreams: Upstreams, session: aiohttp.ClientSession) -> None:
    """Ask every upstream `GET /` each HEALTH_INTERVAL_S; an answer below 500 means healthy."""
    while True:
        for url in upstreams.urls:
            try:
                async with session.get(url + "/", timeout=HEALTH_TIMEOUT) as response:
                    upstreams.mark(url, response.status < 500)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                upstreams.mark(url, False)
        await asyncio.sleep(HEALTH_INTERVAL_S)


def make_app(upstream_urls: Sequence[str], health_checks: bool = True) -> web.Application:
    """The proxy as an aiohttp application; tests run it in-process, some without the
    health checks, so that only their own requests reach the upstreams."""
    app = web.Application()
    app[UPSTREAMS_KEY] = Upstreams(upstream_urls)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # One fresh connection per request (force_close): a kept-alive connection that the
        # upstream closes as it is reused would fail a POST that never arrived.
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(
            connector=connector, timeout=UPSTREAM_TIMEOUT, auto_decompress=False,
            skip_auto_headers=("Accept-Encoding", "User-Agent"),
        ) as session:  # fmt: skip
            app[SESSION_KEY] = session
            if not health_checks:
                yield
                return
            health = asyncio.create_task(check_health(app[UPSTREAMS_KEY], session))
            yield
            health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await health

    app.cleanup_ctx.append(lifecycle)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(argv: Optional[List[str]] = None) -> int:
    """Serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all, like `rasa run`)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("upstreams", nargs="+", metavar="URL", help="an upstream's base URL: http://127.0.0.1:5006")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(make_app(args.upstreams), host=args.host, port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
