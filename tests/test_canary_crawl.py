"""Crawl every public page and JSON reachable from the home page, as an anonymous
visitor, with canary signers on the petition: no e-mail, postcode, IP or full name — in
the pages, in the cookies they set, or in the log written meanwhile."""

from __future__ import annotations

import io
import logging
import re
from collections import deque

import pytest
from django.test import Client
from django.urls import reverse
from support import SIGNER, link_in_last_mail, run_queued_tasks

CANARIES = [
    {"name": "Canaryone Publicsurname", "email": "canary.one@canary-mail.example",
     "postcode": "CANARY1", "public": "on", "address": "203.0.113.201"},
    {"name": "Canarytwo Hiddensurname", "email": "canary.two@canary-mail.example",
     "postcode": "CANARY2", "address": "203.0.113.202"},
]  # fmt: skip
FORBIDDEN = ["canary-mail", "CANARY1", "CANARY2", "203.0.113.20", "Publicsurname", "Hiddensurname"]
SKIP = ("/admin", "/outbox", "/accounts", "/moderation", "/static", "/confirm", "/withdraw")


@pytest.fixture
def log():
    """What the configured (redacting) log handlers write while the test runs."""
    stream = io.StringIO()
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")
    ]
    old = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, previous in zip(handlers, old, strict=True):
        handler.setStream(previous)


def crawl(start: list[str], cookies: list[str], limit: int = 300) -> dict[str, str]:
    client, seen, queue, pages = Client(), set(start), deque(start), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        cookies += [morsel.OutputString() for morsel in response.cookies.values()]
        if response.status_code != 200 or response.streaming:
            continue
        body = response.content.decode("utf-8", "replace")
        pages[url] = body
        for link in re.findall(r'(?:href|src)="(/[^"#]*)"', body) + re.findall(
            r'"(?:url|href|next)":\s*"https?://testserver(/[^"]*)"', body
        ):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(SKIP):
                seen.add(link)
                queue.append(link)
    return pages


def test_no_public_page_or_json_leaks_a_signers_personal_data(petition, settings, log):
    settings.LIMIT_ADDRESS_PER_MINUTE = 100
    settings.PAGE_CACHE_SECONDS = 2  # as in production: cached copies must not leak either
    tokens = []
    for canary in CANARIES:
        client = Client(REMOTE_ADDR=canary["address"])
        fields = {k: v for k, v in canary.items() if k != "address"}
        client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, **fields})
        run_queued_tasks()
        link = link_in_last_mail("confirm")
        tokens.append(link.split("/")[2])
        client.get(link)
        thanks = client.post(link)["Location"]
        tokens.append(thanks.split("/")[2])
        assert client.post(link).status_code == 410  # logged: "Gone: /confirm/…"
    cookies: list[str] = []
    pages = crawl(["/", reverse("petitions:detail_json", args=[petition.pk])], cookies)
    assert petition.get_absolute_url() in pages and len(pages) >= 4
    assert "Canaryone P." in pages[petition.get_absolute_url()]  # the public one, as chosen
    for url, body in pages.items():
        for secret in FORBIDDEN:
            assert secret not in body, f"{secret} leaked on {url}"
    assert "Gone: /confirm/" in log.getvalue()  # the log was captured
    for secret in [*FORBIDDEN, *tokens, SIGNER["email"]]:
        assert secret not in log.getvalue(), f"{secret} reached the log"
    for cookie in cookies:
        for secret in [*FORBIDDEN, *tokens, "@"]:
            assert secret not in cookie, f"{secret} in a cookie"
