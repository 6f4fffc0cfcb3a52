"""Which client a request came from, for the limits that count per client address.

Two limits count requests per client address: the staff console's login throttle
(`bot.staff.login_limit`) and the patient channels' address limit
(`bot.rasa_server.channels.guard`). Both ask here, so they agree on two things:

- Whom to believe. The socket's peer is the client, unless reverse proxies stand in
  front: then it is the nearest proxy, and each proxy appends the address it saw to
  X-Forwarded-For. Sanic reads that header only when the app's PROXIES_COUNT says how
  many proxies to trust (STAFF_PROXIES for the staff process; PATIENT_PROXIES for the
  Rasa servers, which the launcher passes as Sanic's SANIC_PROXIES_COUNT), and then
  takes the entry that many from the right: the one the outermost trusted proxy wrote.
  Otherwise the header is ignored, because a client can write anything in it.
- What counts as one client. An IPv6 host usually holds a whole /64 and can pick a new
  address in it for every request, so IPv6 counts by /64; an IPv4 client seen through a
  dual-stack socket (::ffff:a.b.c.d) is that IPv4 address. Sanic brackets a forwarded
  IPv6 address ("[2001:db8::1]"); the brackets are dropped before reading it.
"""

from __future__ import annotations

import ipaddress
from typing import Optional, Union

from sanic.request import Request

IPV6_NETWORK_BITS = 64
UNKNOWN = "unknown"


def client_address(request: Request) -> str:
    """The client's address as the app's trusted proxies report it, else the socket's
    peer (a proxy that sent no X-Forwarded-For counts as the client); "unknown" if neither."""
    return request.remote_addr or request.ip or UNKNOWN


def address_key(client: str) -> str:
    """What `client` counts under: IPv4 as is, IPv6 as its /64 network; anything else
    (a proxy's odd header, a UNIX socket) as its own text."""
    address = _parsed(client)
    if address is None:
        return client.strip()
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_NETWORK_BITS}", strict=False))
    return str(address)


def is_loopback(client: str) -> bool:
    """Whether `client` is this host itself (127.0.0.0/8, ::1): a tool of the operator's,
    or a proxy on this host that nobody said to trust."""
    address = _parsed(client)
    return address is not None and address.is_loopback


def _parsed(client: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    """`client` as an address (brackets dropped, ::ffff:a.b.c.d as IPv4), or None."""
    text = client.strip()
    try:
        address = ipaddress.ip_address(text[1:-1] if text.startswith("[") and text.endswith("]") else text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
