"""Sending one webhook request: signed, to a public address only, without redirects.

The host is resolved once and the connection made to the address that was checked, so a
DNS answer that changes between the check and the connection (rebinding) cannot steer a
request to an internal service. TLS still verifies the certificate for the host name.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT = 10  # seconds for connecting, and again for the answer
USER_AGENT = "Undersigned-Webhooks/1"


class Refused(Exception):
    """This URL may never receive a webhook (not a retryable failure)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", as the X-Undersigned-Signature header."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def check_url(url: str) -> None:
    """https only (plain http too when DEBUG, for local receivers)."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.DEBUG else {"https"}
    if parts.scheme not in allowed or not parts.hostname:
        raise Refused("Use an https:// address.")
    if parts.username or parts.password:
        raise Refused("Put no user name or password in the address.")
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        raise Refused("The port in this address is not valid.") from None


def public_address(host: str, port: int) -> str:
    """The first address of `host`, refused if any of them is not a public one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectionError(f"cannot resolve {host}: {error}") from None
    addresses = [info[4][0] for info in infos]
    if not settings.DEBUG:
        for address in addresses:
            if not _is_public(address):
                raise Refused(f"{host} resolves to a private address ({address}).")
    return addresses[0]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
