"""Sharing on the pages: Open Graph metadata, share links with their source, the
organizers' share kit, and the embeddable widget (the one page any site may frame)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from support import SIGNER, make_petition

from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature


def meta(html: str, name: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return unescape(match.group(1))


@pytest.fixture
def anonymous() -> Client:
    return Client()


def test_it_describes_the_petition_for_social_networks(anonymous, petition, settings):
    html = anonymous.get(petition.get_absolute_url()).content.decode()
    assert meta(html, "og:title") == petition.title
    assert meta(html, "og:description") == "We urge the council to restore Sunday hours."
    assert meta(html, "og:url") == petition.absolute_url()
    image = meta(html, "og:image")
    assert re.fullmatch(
        re.escape(f"{settings.SITE_URL}/petitions/{petition.pk}/share.png?v=") + r"\d+", image
    )
    assert (meta(html, "og:image:width"), meta(html, "og:image:height")) == ("1200", "630")
    assert petition.title in meta(html, "og:image:alt")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == image


def test_it_cuts_a_long_text_short_in_the_description(anonymous, organizer, moderator):
    petition = make_petition(organizer, moderator, text="Word " * 500)
    html = anonymous.get(petition.get_absolute_url()).content.decode()
    description = meta(html, "og:description")
    assert len(description) <= 200 and description.endswith("…")


def test_it_shows_no_sharing_for_a_petition_nobody_can_see_yet(organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    client = Client()
    client.force_login(organizer)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "og:title" not in html
    assert "share-links" not in html


def test_every_share_link_records_where_the_signer_came_from(anonymous, petition):
    html = anonymous.get(petition.get_absolute_url()).content.decode()
    hrefs = [unescape(h) for h in re.findall(r'<a href="([^"]+)" class="share-', html)]
    assert len(hrefs) == 5
    sources = set()
    for href in hrefs:
        decoded = unquote(href)
        found = re.search(re.escape(petition.absolute_url()) + r"\?source=(\w+)", decoded)
        assert found, href
        sources.add(found.group(1))
    assert sources == {"email", "whatsapp", "telegram", "x", "facebook"}
    assert f'value="{petition.absolute_url()}?source=link"' in html
    # Nothing of the networks' own is loaded: links only, no script or image of theirs.
    assert not re.search(r'<(script|img|iframe)[^>]+src="https?://(?!testserver)', html)


def test_a_visitor_from_a_share_link_is_counted_under_that_source(anonymous, petition):
    page = anonymous.get(petition.get_absolute_url() + "?source=whatsapp").content.decode()
    assert '<input type="hidden" name="source" value="whatsapp">' in page
    anonymous.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "source": "whatsapp"})
    assert Signature.objects.get(petition=petition).source == "whatsapp"


def test_the_thank_you_page_uses_the_same_share_links(anonymous, petition, run_tasks):
    from django.core import signing

    anonymous.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    signature = Signature.objects.get(petition=petition)
    key = signing.dumps([signature.pk, 1], salt="signatures.thanks", compress=True)
    html = anonymous.get(reverse("signatures:thanks", args=[key])).content.decode()
    assert "https://wa.me/?text=" in html
    assert "source%3Dwhatsapp" in html
    assert "js/share.js" in html


def test_the_dashboard_has_the_share_kit_with_snippets(petition, organizer, settings):
    client = Client()
    client.force_login(organizer)
    html = unescape(client.get(f"/petitions/{petition.pk}/dashboard/sharing").content.decode())
    assert "Share kit" in html
    assert f'<iframe src="{settings.SITE_URL}/petitions/{petition.pk}/embed"' in html
    assert f'data-petition="{petition.pk}"' in html
    assert f'<script src="{settings.SITE_URL}/static/js/embed.js"' in html
    assert reverse("sharing:poster", args=[petition.pk]) in html
    assert reverse("sharing:qr", args=[petition.pk]) in html


def test_the_embed_may_be_framed_by_any_site(anonymous, petition):
    response = anonymous.get(reverse("sharing:embed", args=[petition.pk]))
    assert response.status_code == 200
    assert not response.has_header("X-Frame-Options")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "'none'" not in policy.split("frame-ancestors")[1]
    assert "script-src 'self'" in policy  # otherwise as strict as everywhere else


@pytest.mark.parametrize(
    "path",
    ["/", "/petitions/{pk}", "/petitions/{pk}/share.png", "/privacy", "/petitions/{pk}/poster.pdf"],
)
def test_every_other_page_still_refuses_to_be_framed(anonymous, petition, path):
    response = anonymous.get(path.format(pk=petition.pk))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_embed_shows_the_count_and_a_sign_button_opening_a_new_tab(anonymous, petition):
    html = anonymous.get(reverse("sharing:embed", args=[petition.pk])).content.decode()
    assert "<h1" in html and petition.title in html
    assert 'class="goal-bar"' in html and "data-count-url" in html
    assert f'href="{petition.absolute_url()}?source=embed" target="_blank"' in html
    assert "<form" not in html


def test_the_embed_form_posts_to_the_sign_view_in_a_new_tab(anonymous, petition):
    html = anonymous.get(reverse("sharing:embed", args=[petition.pk]) + "?form=1").content.decode()
    form = re.search(r"<form [^>]+>", html).group()
    assert f'action="{reverse("signatures:sign", args=[petition.pk])}#error-summary"' in form
    assert 'target="_blank"' in form
    assert '<input type="hidden" name="source" value="embed">' in html
    response = anonymous.post(
        reverse("signatures:sign", args=[petition.pk]),
        {**SIGNER, "source": "embed"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303
    assert Signature.objects.get(petition=petition).source == "embed"


def test_the_embed_of_a_closed_petition_has_no_form(anonymous, organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    html = anonymous.get(reverse("sharing:embed", args=[closed.pk]) + "?form=1").content.decode()
    assert "<form" not in html and "no longer accepts signatures" in html


def test_the_embed_is_served_from_the_page_cache(anonymous, petition, settings):
    settings.PAGE_CACHE_SECONDS = 30
    url = reverse("sharing:embed", args=[petition.pk])
    first = anonymous.get(url)
    assert first["Cache-Control"].startswith("public")
    again = anonymous.get(url)
    assert again["ETag"] == first["ETag"]
    assert not again.has_header("X-Frame-Options")
    assert "frame-ancestors *" in again["Content-Security-Policy"]


@pytest.mark.parametrize("state", [Petition.State.DRAFT, Petition.State.MODERATION])
@pytest.mark.parametrize("name", ["sharing:image", "sharing:qr", "sharing:embed", "sharing:poster"])
def test_it_is_a_404_for_a_petition_that_is_not_public(organizer, state, name):
    hidden = make_petition(organizer, state=state)
    assert Client().get(reverse(name, args=[hidden.pk])).status_code == 404


def test_the_organizer_may_print_the_poster_of_a_closed_petition(organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    url = reverse("sharing:poster", args=[closed.pk])
    assert Client().get(url).status_code == 404
    client = Client()
    client.force_login(organizer)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_share_links_are_plain_parseable_urls(petition):
    from undersigned.sharing.links import share_links

    for link in share_links(petition):
        parts = urlsplit(link.href)
        assert parts.scheme in {"https", "mailto"}
        assert parse_qs(parts.query), link.href


def test_the_embed_of_a_petition_past_its_closing_date_has_no_form(anonymous, petition):
    from datetime import timedelta

    from django.utils import timezone

    Petition.objects.filter(pk=petition.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    html = anonymous.get(reverse("sharing:embed", args=[petition.pk]) + "?form=1").content.decode()
    assert "<form" not in html and "reached its closing date" in html
    assert "Sign this petition" not in html


def test_the_snippets_escape_the_title(organizer, moderator):
    from undersigned.sharing.links import iframe_snippet, script_snippet

    petition = make_petition(organizer, moderator, title='Say "no" to <closures> & cuts')
    for snippet in (iframe_snippet(petition), script_snippet(petition, with_form=True)):
        assert "Say &quot;no&quot; to &lt;closures> &amp; cuts" in snippet
        assert '"no"' not in snippet
