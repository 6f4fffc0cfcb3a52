"""One reading of a request's client address for every limit that counts clients (the staff
login throttle, the patient channels' address limit): whom to believe, and what counts as
one client."""

from types import SimpleNamespace

import pytest

from bot.client_address import UNKNOWN, address_key, client_address, is_loopback


@pytest.mark.parametrize(
    "remote_addr, ip, client",
    [("203.0.113.7", "127.0.0.1", "203.0.113.7"), ("", "198.51.100.2", "198.51.100.2"), ("", "", UNKNOWN)],
    ids=["forwarded by a trusted proxy", "the socket's peer", "neither"],
)
def test_the_client_is_what_the_trusted_proxies_forwarded_else_the_peer(remote_addr, ip, client):
    assert client_address(SimpleNamespace(remote_addr=remote_addr, ip=ip)) == client


@pytest.mark.parametrize(
    "client, key",
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::9]", "2001:db8:1:2::/64"),  # as Sanic gives a forwarded IPv6 address
        ("::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 client on a dual-stack socket
        ("unknown", "unknown"),
        ("/run/proxy.sock", "/run/proxy.sock"),
    ],
)
def test_ipv6_counts_by_its_64_bit_network_and_ipv4_as_is(client, key):
    assert address_key(client) == key


@pytest.mark.parametrize(
    "client, loopback",
    [("127.0.0.1", True), ("127.5.6.7", True), ("::1", True), ("[::1]", True), ("::ffff:127.0.0.1", True),
     ("203.0.113.7", False), ("10.0.0.1", False), ("2001:db8::1", False), ("unknown", False), ("", False)],
)  # fmt: skip
def test_loopback_is_this_host_only(client, loopback):
    assert is_loopback(client) is loopback
