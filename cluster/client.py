"""What the scenario does as a visitor: plain HTTP requests (redirects not followed), a
sign form, a confirmation link read from the e-mail the sink kept."""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CONFIRM_LINK = re.compile(r"/confirm/([0-9]+\.[A-Za-z0-9_\-]+)")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def call(
    base: str, path: str, method: str = "GET", form: dict | None = None,
    headers: dict[str, str] | None = None, timeout: float = 15.0,
) -> Answer:  # fmt: skip
    """One request on a new connection; connection errors raise OSError."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    body = urlencode(form).encode() if form is not None else None
    sent = dict(headers or {})
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def sign(base: str, origin: str, petition: int, address: str, client_ip: str) -> Answer:
    """The sign form as a browser without JavaScript posts it, from `client_ip` (as the
    proxy in front of nginx reports it: the cluster trusts two proxies)."""
    form = {"name": "Cluster Signer", "email": address, "country": "GB"}
    headers = {"Origin": origin, "X-Forwarded-For": client_ip}
    return call(base, f"/petitions/{petition}/sign", "POST", form, headers)


def confirm(base: str, origin: str, token: str) -> Answer:
    """Open the link (a page with one button), then press the button."""
    page = call(base, f"/confirm/{token}")
    if page.status != 200:
        return page
    return call(base, f"/confirm/{token}", "POST", {}, {"Origin": origin})


def confirmation_token(sink, address: str, timeout: float = 60.0) -> str:
    """The token of the confirmation link in the newest e-mail `address` was sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for raw in reversed(sink.messages(address)):
            found = CONFIRM_LINK.search(_text(raw))
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise RuntimeError(f"no confirmation e-mail reached {address} within {timeout:.0f} s")


def _text(raw: bytes) -> str:
    """The message's text parts, decoded (SMTP dot-stuffing undone first)."""
    raw = raw.replace(b"\r\n..", b"\r\n.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(part.get_content() for part in parts if part.get_content_maintype() == "text")


def shown_count(base: str, petition: int) -> int:
    """The count an anonymous reader sees through nginx (the petition's .json)."""
    answer = call(base, f"/petitions/{petition}.json")
    if answer.status != 200:
        raise RuntimeError(f"/petitions/{petition}.json answered {answer.status}")
    return int(answer.json()["signature_count"])
