"""The client's address, from one trusted-proxy setting for the whole site.

`MOTCUA_TRUSTED_PROXIES` lists the reverse proxies allowed to say who their client is: addresses or networks,
comma-separated; `unix` for a proxy connecting over gunicorn's unix socket (where REMOTE_ADDR is empty).
The client address is REMOTE_ADDR, unless REMOTE_ADDR is a trusted proxy: then it is the right-most
X-Forwarded-For entry that is not a trusted proxy (each proxy appends the address it saw; everything left
of that is whatever the client chose to send). With no trusted proxies, X-Forwarded-For is never read.

`ClientAddressMiddleware` (first in MIDDLEWARE) puts that address in REMOTE_ADDR, so that every reader
(rate limits, login lockout, access log, django-ninja) sees the same client; the peer's own address
stays in `META["MOTCUA_PEER_ADDR"]`.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


UNIX = "unix"  # in MOTCUA_TRUSTED_PROXIES: trust a peer on the unix socket (empty REMOTE_ADDR)


@cache
def parse_trusted(text: str) -> tuple[Network | str, ...]:
    """`10.0.0.1, 10.1.0.0/16, ::1, unix` → networks (and UNIX); ValueError on anything else."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    return tuple(UNIX if part == UNIX else ipaddress.ip_network(part, strict=False) for part in parts)


def trusted_networks() -> tuple[Network | str, ...]:
    """The trusted proxies of `MOTCUA_TRUSTED_PROXIES` (a list or a comma-separated string)."""
    value = getattr(settings, "MOTCUA_TRUSTED_PROXIES", "")
    return parse_trusted(value if isinstance(value, str) else ",".join(value))


def parse_address(text: str) -> Address | None:
    """An IP address, or None for anything else (`[::1]` and `1.2.3.4:5678` as proxies may write them)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, networks: tuple[Network | str, ...]) -> bool:
    return address is not None and any(net != UNIX and address in net for net in networks)


def resolve(remote_addr: str, forwarded_for: str, networks: tuple[Network | str, ...]) -> str:
    """The client address of a request that came from `remote_addr` carrying `forwarded_for`."""
    peer = parse_address(remote_addr)
    on_socket = not remote_addr.strip() and UNIX in networks
    if not on_socket and not _trusted(peer, networks):
        return str(peer) if peer else remote_addr
    client = peer or remote_addr
    for entry in reversed(forwarded_for.split(",")):
        address = parse_address(entry)
        if address is None:  # not written by a trusted proxy: the last trusted hop is all we know
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip(request) -> str:
    """The address of the client of `request` (after the middleware: its REMOTE_ADDR)."""
    meta = request.META
    if "MOTCUA_PEER_ADDR" in meta:
        return meta.get("REMOTE_ADDR", "")
    return resolve(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), trusted_networks())


class ClientAddressMiddleware:
    """REMOTE_ADDR := the client address (see the module); the peer's address is kept aside."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if "MOTCUA_PEER_ADDR" not in meta:
            client = client_ip(request)
            peer = meta.get("REMOTE_ADDR", "")
            if not is_trusted(peer):
                # only a trusted proxy may say the request came over HTTPS (SECURE_PROXY_SSL_HEADER)
                meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta["MOTCUA_PEER_ADDR"] = peer
            meta["REMOTE_ADDR"] = client
        return self.get_response(request)


def is_trusted(remote_addr: str) -> bool:
    """Did the request come from one of MOTCUA_TRUSTED_PROXIES (or over the proxy's unix socket)?"""
    networks = trusted_networks()
    if not remote_addr.strip():
        return UNIX in networks
    return _trusted(parse_address(remote_addr), networks)
