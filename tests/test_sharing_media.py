"""What sharing generates: the share image (drawn at most once per interval), the
printable poster with its QR code, and the QR code on its own."""

from __future__ import annotations

import io

import pytest
import segno
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from support import make_petition

from undersigned.sharing import image, poster
from undersigned.sharing.links import petition_url, short_url


def confirmed(petition, how_many: int) -> None:
    """Move the petition's count as confirmations would, without the e-mail round trip."""
    from django.core.cache import cache

    from undersigned.signatures.models import CountShard

    shard, _new = CountShard.objects.get_or_create(petition=petition, shard=0)
    CountShard.objects.filter(pk=shard.pk).update(count=shard.count + how_many)
    cache.clear()  # the count's own 2-second cache


def test_the_share_image_is_a_1200_by_630_png(petition):
    response = Client().get(reverse("sharing:image", args=[petition.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    assert (picture.format, picture.size) == ("PNG", (1200, 630))
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"]


def test_a_browser_with_the_current_image_gets_a_304(petition):
    url = reverse("sharing:image", args=[petition.pk])
    etag = Client().get(url)["ETag"]
    again = Client().get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag


def test_the_image_is_redrawn_only_after_the_interval(petition, settings, monkeypatch):
    settings.SHARE_IMAGE_SECONDS = 300
    count = {"now": 10}
    monkeypatch.setattr(image, "count_for", lambda p: count["now"])
    start = 1_800_000_000 // 300 * 300  # the start of a bucket
    first = image.share_image(petition, now=start + 1)
    count["now"] = 5000
    within = image.share_image(petition, now=start + 299)
    assert within.png == first.png and within.etag == first.etag
    assert within.max_age == 1  # a copy may be kept until the bucket ends, no longer
    after = image.share_image(petition, now=start + 301)
    assert after.bucket == first.bucket + 1
    assert after.png != first.png and after.etag != first.etag
    assert after.max_age == 299


def test_the_image_shows_the_count(petition):
    zero = image.draw_share_image(petition, 0)
    many = image.draw_share_image(petition, 12_345)
    assert zero != many


@pytest.mark.parametrize(
    "title",
    [
        "Վերականգնել գրադարանի կիրակնօրյա ժամերը Երևանում",  # Armenian
        "أعيدوا فتح المكتبة أيام الأحد من أجل الجميع",  # Arabic: right to left, joined
        "החזירו את שעות הפתיחה של הספרייה בימי ראשון",  # Hebrew
        "नगर पुस्तकालय रविवार को खुला रखें",  # Devanagari: complex shaping
        "日曜日も図書館を開けてください" * 4,  # no spaces, not in DejaVu at all
        "A" * 150,  # one word wider than a line
    ],
)
def test_any_script_draws_without_error(organizer, moderator, title):
    petition = make_petition(organizer, moderator, title=title)
    picture = Image.open(io.BytesIO(image.draw_share_image(petition, 3)))
    assert picture.size == (1200, 630)


def test_armenian_is_drawn_with_real_glyphs():
    font = image._font(60, bold=True)
    # DejaVu has Armenian: each letter has its own width, not the one of a missing glyph.
    missing = font.getlength("\ufffe")
    assert all(font.getlength(letter) != missing for letter in "Վերականգնել")


def test_long_titles_wrap_inside_the_card():
    font = image._font(68, bold=True)
    lines = image.wrap("Keep the library open on Sundays and public holidays for all", font, 1040)
    assert len(lines) > 1
    assert all(font.getlength(line) <= 1040 for line in lines)


def test_the_poster_has_the_title_the_count_and_the_short_address(petition):
    confirmed(petition, 1234)
    response = Client().get(reverse("sharing:poster", args=[petition.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595  # A4, in points
    text = " ".join(page.extract_text().split())
    assert petition.title in text
    assert short_url(petition) in text
    assert "1,234" in text
    assert "sign this petition" in text


def test_the_poster_qr_code_opens_the_petition_with_source_poster(petition):
    reader = PdfReader(io.BytesIO(poster.draw_poster(petition, 10)))
    [embedded] = reader.pages[0].images
    picture = embedded.image.convert("L")
    expected = segno.make(petition_url(petition, "poster"), error="m", micro=False)
    assert petition_url(petition, "poster").endswith("?source=poster")
    modules = expected.symbol_size(scale=1, border=4)[0]
    scale = picture.size[0] // modules
    assert picture.size == (modules * scale, modules * scale)
    # Read every module of the printed code back and compare with the code of the URL.
    read = [
        [picture.getpixel(((x + 4) * scale + scale // 2, (y + 4) * scale + scale // 2)) < 128
         for x in range(len(expected.matrix))]
        for y in range(len(expected.matrix))
    ]  # fmt: skip
    assert read == [[bool(m) for m in row] for row in expected.matrix]


def test_the_poster_prints_armenian(organizer, moderator):
    title = "Վերականգնել գրադարանի կիրակնօրյա ժամերը"
    petition = make_petition(organizer, moderator, title=title, language="hy")
    text = PdfReader(io.BytesIO(poster.draw_poster(petition, 5))).pages[0].extract_text()
    assert title in " ".join(text.split())


def test_the_qr_code_is_an_svg_with_source_qr(petition):
    response = Client().get(reverse("sharing:qr", args=[petition.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content
    assert short_url(petition).encode() in response.content  # its <title>
