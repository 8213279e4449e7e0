"""Sending one webhook request: signed, to a public address only, without redirects.

The host is resolved once and the connection made to the address that was checked, so a
DNS answer that changes between the check and the connection (rebinding) cannot steer a
request to an internal service. TLS still verifies the certificate for the host name.

The check holds in every mode, DEBUG included: a webhook is something an organizer points
anywhere, and the server sending it sits next to services (a cloud's metadata address, a
database, an admin port) that trust their network. WEBHOOK_ALLOW_LOOPBACK lets a developer
receive webhooks on 127.0.0.1; nothing ever opens link-local or private addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext

TIMEOUT = 10  # seconds for connecting, and again for the answer
USER_AGENT = "Undersigned-Webhooks/1"


class Refused(Exception):
    """This URL may never receive a webhook (not a retryable failure)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as the X-Undersigned-Signature header."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


# IPv6 forms that carry an IPv4 address, which the network may deliver to that address:
# NAT64 (RFC 6052) and the deprecated IPv4-compatible addresses. ::ffff:a.b.c.d (mapped)
# and 6to4 have properties of their own in `ipaddress`.
NAT64 = ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ip_network("::/96")
LOCAL_NAT64 = ip_network("64:ff9b:1::/48")  # RFC 8215: translators inside one network


def check_url(url: str) -> None:
    """https only (plain http too when DEBUG, for local receivers). An address written as
    an IP is checked here too, so the organizer hears of a private one at once."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.DEBUG else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise Refused(gettext("Use an https:// address."))
    if parts.username or parts.password:
        raise Refused(gettext("Put no user name or password in the address."))
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise Refused(gettext("The port in this address is not valid.")) from None
    try:
        literal = ip_address(parts.hostname.split("%")[0])
    except ValueError:
        return  # a name: checked each time it is resolved, just before connecting
    if not allowed_address(literal):
        raise Refused(gettext("This is not a public internet address."))


def public_address(host: str, port: int) -> str:
    """The first address of `host`, refused if any of them is not a public one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectionError(f"cannot resolve {host}: {error}") from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not allowed_address(ip_address(address.split("%")[0])):
            raise Refused(f"{host} resolves to a private address ({address}).")
    return addresses[0]


def allowed_address(ip: IPv4Address | IPv6Address) -> bool:
    """A public unicast address, or loopback when WEBHOOK_ALLOW_LOOPBACK is set.

    An IPv6 address that embeds an IPv4 one must be public on both counts: 2002:a00:1::
    (6to4) and 64:ff9b::a00:1 (NAT64) lead to 10.0.0.1 as surely as ::ffff:10.0.0.1.
    """
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # the same socket as the IPv4 address on a dual-stack host
    if ip.is_loopback and settings.WEBHOOK_ALLOW_LOOPBACK:
        return True
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, IPv6Address):
        if ip in IPV4_COMPATIBLE or ip in LOCAL_NAT64:
            return False  # deprecated, or private by definition: no public use
        embedded = ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded.is_global and not embedded.is_multicast
    return True


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int):
        super().__init__(host, port, timeout=TIMEOUT)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int):
        super().__init__(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body`; return the HTTP status. Raises Refused, or OSError on network errors."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = public_address(host, port)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, address, port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except http.client.HTTPException as error:
        raise ConnectionError(f"bad HTTP answer: {error}") from None
    finally:
        connection.close()
