"""Crawl every public page and JSON reachable from the home page, as an anonymous
visitor, with canary signers on the petition: no e-mail, postcode, IP or full name."""

from __future__ import annotations

import re
from collections import deque

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


def crawl(start: list[str], limit: int = 300) -> dict[str, str]:
    client, seen, queue, pages = Client(), set(start), deque(start), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
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


def test_no_public_page_or_json_leaks_a_signers_personal_data(petition, settings):
    settings.LIMIT_ADDRESS_PER_MINUTE = 100
    for canary in CANARIES:
        client = Client(REMOTE_ADDR=canary["address"])
        fields = {k: v for k, v in canary.items() if k != "address"}
        client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, **fields})
        run_queued_tasks()
        client.post(link_in_last_mail("confirm"))
    pages = crawl(["/", reverse("petitions:detail_json", args=[petition.pk])])
    assert petition.get_absolute_url() in pages and len(pages) >= 4
    assert "Canaryone P." in pages[petition.get_absolute_url()]  # the public one, as chosen
    for url, body in pages.items():
        for secret in FORBIDDEN:
            assert secret not in body, f"{secret} leaked on {url}"
