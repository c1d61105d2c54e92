"""Where kontobok may send a webhook: a guard against server-side request forgery.

A webhook URL is chosen by whoever holds a token, and kontobok's server then sends requests to it from inside
its own network. So by default a URL must be ``https`` to a host whose every address is public, or point at
the machine itself (loopback, ``http`` allowed: a receiver on the same host). Private, link-local, shared,
multicast, reserved and unspecified addresses are refused, which keeps cloud metadata services and internal
hosts out of reach. Hosts named in ``KONTOBOK_WEBHOOK_ALLOWED_HOSTS`` (comma-separated host names or
addresses) are allowed whatever they resolve to, with ``http`` or ``https``.

The check runs when a subscription is made and again before every delivery, so a host name that later
resolves to a private address is refused then too.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from kontobok.core.errors import ValidationFailed

ALLOWED_HOSTS_VARIABLE = "KONTOBOK_WEBHOOK_ALLOWED_HOSTS"
MAX_URL_LENGTH = 2000


class RefusedUrl(ValueError):
    """A URL kontobok does not send to, with the reason."""


def configured_hosts() -> frozenset[str]:
    text = os.environ.get(ALLOWED_HOSTS_VARIABLE, "")
    return frozenset(host.strip().lower().strip("[]") for host in text.split(",") if host.strip())


def check_url(url: str) -> None:
    """Raise :class:`RefusedUrl` unless kontobok may send to ``url`` now (see the module)."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedUrl(f"a URL has at most {MAX_URL_LENGTH} characters")
    if any(ord(character) < 0x20 or character == "\x7f" for character in url):
        # urlsplit drops tabs and line breaks silently, and PostgreSQL cannot store NUL
        raise RefusedUrl("the URL must not contain control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedUrl("not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedUrl("the URL must be http(s)://host/...")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl("the URL must not carry a user name or password")
    if parts.fragment:
        raise RefusedUrl("the URL must not have a fragment")
    host = parts.hostname.lower()
    if host in configured_hosts():
        return
    addresses = _resolve(host, port or (443 if parts.scheme == "https" else 80))
    if all(address.is_loopback for address in addresses):
        return
    if parts.scheme != "https":
        raise RefusedUrl("a URL to another host than this one must be https")
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise RefusedUrl(f"{host} resolves to {address}, a private or reserved address")


def validated_url(url: str) -> str:
    """``url`` when kontobok may send to it; a 400 naming the reason otherwise."""
    try:
        check_url(url)
    except RefusedUrl as refused:
        raise ValidationFailed.single("/url", "format", f"url is refused: {refused}") from None
    return url


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise RefusedUrl(f"{host} cannot be resolved") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        addresses.append(address)
    if not addresses:
        raise RefusedUrl(f"{host} cannot be resolved")
    return addresses
